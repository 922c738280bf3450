// mcp_auth_proxy.js: what a platform's MCP connector adds to each request,
// for MCP clients that cannot be told to (the conformance suite): forwards
// every request on 127.0.0.1 to payvox's /mcp with the tenant's bearer token
// and a call id, and answers with payvox's response unchanged. Prints its
// port on the first line.
//
//   node mcp_auth_proxy.js <payvox gateway port> <bearer token> <call id>
'use strict';

const http = require('http');

const [targetPort, token, callId] = process.argv.slice(2);
const server = http.createServer((request, response) => {
  const headers = { ...request.headers, host: `127.0.0.1:${targetPort}`,
                    authorization: `Bearer ${token}`, 'x-call-id': callId };
  const forwarded = http.request({ host: '127.0.0.1', port: Number(targetPort), path: '/mcp',
                                   method: request.method, headers }, (answer) => {
    response.writeHead(answer.statusCode, answer.headers);
    answer.pipe(response);
  });
  forwarded.on('error', (error) => {
    response.writeHead(502);
    response.end(String(error));
  });
  request.pipe(forwarded);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
