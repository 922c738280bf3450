// mcp_client.js: a client built on the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk) talks to payvox's /mcp, as LiveKit, Pipecat
// and ElevenLabs do, and prints what it saw as one JSON object.
//
//   node mcp_client.js <url> <bearer token> <call id>
'use strict';

const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

async function main() {
  const [url, token, callId] = process.argv.slice(2);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}`, 'X-Call-Id': callId } },
  });
  const client = new Client({ name: 'payvox-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  const seen = {
    server: client.getServerVersion(),
    protocolVersion: transport.protocolVersion,
    capabilities: client.getServerCapabilities(),
  };
  const { tools } = await client.listTools();
  seen.tools = tools.map((tool) => tool.name);
  seen.readOnly = tools.filter((tool) => tool.annotations && tool.annotations.readOnlyHint)
      .map((tool) => tool.name);
  const charges = await client.callTool({
    name: 'list_charges',
    arguments: { customer_id: 'cus_DemoJennyRosen', limit: 3 },
  });
  seen.charges = { isError: charges.isError, text: charges.content[0].text,
                   structured: charges.structuredContent };
  const refused = await client.callTool({
    name: 'create_refund', arguments: { charge_id: 'ch_DemoJennyPlan' } });
  seen.refused = { isError: refused.isError, text: refused.content[0].text };
  try {
    await client.callTool({ name: 'refund_everything', arguments: {} });
    seen.unknown = 'answered';
  } catch (error) {
    seen.unknown = { code: error.code, message: error.message };
  }
  await client.close();
  process.stdout.write(JSON.stringify(seen));
}

main().catch((error) => {
  process.stdout.write(`mcp client failed: ${error.stack || error}`);
  process.exit(1);
});
