// tool_list.h: the tenant's enabled catalog as LLM tool definitions, in the
// shapes the faces hand out: MCP's tools/list, OpenAI's and Anthropic's tool
// formats, and payvox's own.
#ifndef PAYVOX_GATEWAY_TOOL_LIST_H_
#define PAYVOX_GATEWAY_TOOL_LIST_H_

#include <string>

#include "absl/status/statusor.h"
#include "payvox/v1/actions.pb.h"

namespace payvox::gateway {

enum class ToolFormat { kPayvox, kOpenAi, kAnthropic, kMcp };

// ToolList is the JSON array of the enabled actions of `catalog`, in its
// order, each schema with the gateway's own properties
// (gateway/envelopes.h WithGatewayProperties; `call_id` for MCP).
absl::StatusOr<std::string> ToolList(const v1::ListActionsResponse& catalog, ToolFormat format);

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_TOOL_LIST_H_
