// Fuzzes the Vapi face's envelope: any body POSTed to /vapi/{tenant}, and
// the arguments of each tool call it holds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/envelopes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<payvox::gateway::VapiMessage> message = payvox::gateway::ParseVapiMessage(body);
  if (!message.ok()) return 0;
  for (const payvox::gateway::ToolCall& call : message->tool_calls) {
    (void)payvox::gateway::SplitArguments(call.arguments_json, "the arguments");
  }
  return 0;
}
