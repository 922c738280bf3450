#include "gateway/tool_list.h"

#include "common/json_writer.h"
#include "gateway/envelopes.h"

namespace payvox::gateway {

absl::StatusOr<std::string> ToolList(const v1::ListActionsResponse& catalog, ToolFormat format) {
  JsonWriter json;
  json.BeginArray();
  for (const v1::ActionDescriptor& action : catalog.actions()) {
    if (!action.enabled()) continue;
    absl::StatusOr<std::string> schema = WithGatewayProperties(
        action.parameters_json_schema(), action.read_only(), format == ToolFormat::kMcp);
    if (!schema.ok()) return schema.status();
    json.BeginObject();
    switch (format) {
      case ToolFormat::kOpenAi:
        json.Field("type", "function").Key("function").BeginObject();
        json.Field("name", action.name()).Field("description", action.description());
        json.Key("parameters").Raw(*schema).EndObject();
        break;
      case ToolFormat::kAnthropic:
        json.Field("name", action.name()).Field("description", action.description());
        json.Key("input_schema").Raw(*schema);
        break;
      case ToolFormat::kMcp:
        json.Field("name", action.name()).Field("description", action.description());
        json.Key("inputSchema").Raw(*schema);
        // Hints for clients: reads change nothing; writes are keyed by
        // payvox (a repeat is answered from the first), so idempotent.
        json.Key("annotations")
            .BeginObject()
            .Field("readOnlyHint", action.read_only())
            .Field("destructiveHint", action.destructive())
            .Field("idempotentHint", true)
            .Field("openWorldHint", true)
            .EndObject();
        break;
      case ToolFormat::kPayvox:
        json.Field("name", action.name()).Field("description", action.description());
        json.Key("parameters").Raw(*schema);
        json.Field("read_only", action.read_only()).Field("destructive", action.destructive());
        break;
    }
    json.EndObject();
  }
  json.EndArray();
  return json.Take();
}

}  // namespace payvox::gateway
