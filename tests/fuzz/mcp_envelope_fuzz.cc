// Fuzzes the MCP face's envelope: any JSON-RPC message POSTed to /mcp, the
// tool arguments it holds, and the tool schemas the face rewrites.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/envelopes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<payvox::gateway::McpMessage> message = payvox::gateway::ParseMcpMessage(body);
  if (message.ok()) {
    (void)payvox::gateway::SplitArguments(message->tool_arguments_json, "the arguments");
  }
  (void)payvox::gateway::WithGatewayProperties(body, false, true);
  (void)payvox::gateway::CanonicalJson(body);
  return 0;
}
