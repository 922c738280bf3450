#include "gateway/envelopes.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/constant_time.h"
#include "common/hmac.h"
#include "common/json_writer.h"

namespace payvox::gateway {
namespace {

namespace dom = simdjson::dom;

// Sv: simdjson speaks std::string_view, Debian's Abseil its own.
absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

// Deep enough for any tool's arguments, shallow enough for the recursion.
constexpr int kMaxDepth = 64;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(what));
}

absl::Status Canonical(dom::element value, int depth, std::string& out);

// CanonicalObject writes `object` with its keys sorted, leaving out the
// keys in `skip`; a key that appears twice is refused.
absl::Status CanonicalObject(dom::object object, int depth,
                             std::initializer_list<std::string_view> skip, std::string& out) {
  std::vector<std::pair<std::string_view, dom::element>> fields;
  for (dom::key_value_pair field : object) {
    if (std::find(skip.begin(), skip.end(), field.key) != skip.end()) continue;
    fields.emplace_back(field.key, field.value);
  }
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out += '{';
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0 && fields[i].first == fields[i - 1].first) {
      return Malformed(
          absl::StrCat("the key \"", Sv(fields[i].first).substr(0, 64), "\" appears twice"));
    }
    if (i > 0) out += ',';
    AppendJsonString(out, Sv(fields[i].first));
    out += ':';
    if (absl::Status s = Canonical(fields[i].second, depth + 1, out); !s.ok()) return s;
  }
  out += '}';
  return absl::OkStatus();
}

absl::Status Canonical(dom::element value, int depth, std::string& out) {
  if (depth > kMaxDepth) return Malformed("the JSON is nested too deeply");
  switch (value.type()) {
    case dom::element_type::OBJECT:
      return CanonicalObject(dom::object(value), depth, {}, out);
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (dom::element item : dom::array(value)) {
        if (!first) out += ',';
        first = false;
        if (absl::Status s = Canonical(item, depth + 1, out); !s.ok()) return s;
      }
      out += ']';
      return absl::OkStatus();
    }
    case dom::element_type::STRING:
      AppendJsonString(out, Sv(std::string_view(value)));
      return absl::OkStatus();
    case dom::element_type::INT64:
      absl::StrAppend(&out, int64_t(value));
      return absl::OkStatus();
    case dom::element_type::UINT64:
      absl::StrAppend(&out, uint64_t(value));
      return absl::OkStatus();
    case dom::element_type::DOUBLE: {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.17g", double(value));
      out += buffer;
      return absl::OkStatus();
    }
    case dom::element_type::BOOL:
      out += bool(value) ? "true" : "false";
      return absl::OkStatus();
    case dom::element_type::NULL_VALUE:
      out += "null";
      return absl::OkStatus();
  }
  return Malformed("the JSON holds an unknown value");
}

// Document: one parsed body, kept with its parser.
struct Document {
  dom::parser parser;
  dom::element root;
};

absl::Status Parse(absl::string_view body, absl::string_view what, Document& doc) {
  if (body.empty()) return Malformed(absl::StrCat(what, " is empty"));
  if (doc.parser.parse(body.data(), body.size()).get(doc.root) != simdjson::SUCCESS) {
    return Malformed(absl::StrCat(what, " is not valid JSON"));
  }
  return absl::OkStatus();
}

// Text reads an optional string field; a non-string is an error naming it.
absl::Status Text(dom::element parent, const char* key, absl::string_view path, std::string& out) {
  if (!parent.is_object()) return absl::OkStatus();
  dom::element field;
  if (dom::object(parent)[key].get(field) != simdjson::SUCCESS || field.is_null()) {
    return absl::OkStatus();
  }
  std::string_view text;
  if (field.get_string().get(text) != simdjson::SUCCESS) {
    return Malformed(absl::StrCat(path, " is not a string"));
  }
  out.assign(text);
  return absl::OkStatus();
}

std::optional<dom::element> Child(dom::element parent, const char* key) {
  dom::element field;
  if (!parent.is_object() || dom::object(parent)[key].get(field) != simdjson::SUCCESS ||
      field.is_null()) {
    return std::nullopt;
  }
  return field;
}

// ArgumentsOf: a JSON object as canonical text, or a string holding one
// (Vapi types OpenAI's arguments as a string); absent is "{}".
absl::StatusOr<std::string> ArgumentsOf(std::optional<dom::element> value, absl::string_view path) {
  if (!value.has_value()) return std::string("{}");
  if (value->is_string()) {
    const std::string_view text(*value);
    if (text.empty()) return std::string("{}");
    absl::StatusOr<std::string> parsed = CanonicalJson(Sv(text));
    if (!parsed.ok() || (*parsed)[0] != '{') {
      return Malformed(absl::StrCat(path, " is not a JSON object"));
    }
    return parsed;
  }
  if (!value->is_object()) return Malformed(absl::StrCat(path, " is not a JSON object"));
  std::string out;
  if (absl::Status s = Canonical(*value, 0, out); !s.ok()) return s;
  return out;
}

// RetellCallId: the call payvox named when it answered call_inbound (a
// dynamic variable Retell carries in the signed call object), else
// Retell's call_id.
absl::Status RetellCallId(dom::element call, std::string& out) {
  if (std::optional<dom::element> variables = Child(call, "retell_llm_dynamic_variables")) {
    if (absl::Status s = Text(*variables, "payvox_call_id",
                              "call.retell_llm_dynamic_variables.payvox_call_id", out);
        !s.ok()) {
      return s;
    }
  }
  if (!out.empty()) return absl::OkStatus();
  return Text(call, "call_id", "call.call_id", out);
}

}  // namespace

absl::StatusOr<std::string> CanonicalJson(absl::string_view json) {
  Document doc;
  if (absl::Status s = Parse(json, "the JSON", doc); !s.ok()) return s;
  std::string out;
  if (absl::Status s = Canonical(doc.root, 0, out); !s.ok()) return s;
  return out;
}

absl::StatusOr<Arguments> SplitArguments(absl::string_view json, absl::string_view object) {
  Arguments arguments;
  if (json.empty()) {
    arguments.canonical = "{}";
    return arguments;
  }
  Document doc;
  if (absl::Status s = Parse(json, object, doc); !s.ok()) return s;
  if (!doc.root.is_object()) return Malformed(absl::StrCat(object, " is not a JSON object"));
  if (absl::Status s =
          Text(doc.root, "confirmation_token", absl::StrCat(object, ".confirmation_token"),
               arguments.confirmation_token);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Text(doc.root, "call_id", absl::StrCat(object, ".call_id"), arguments.call_id);
      !s.ok()) {
    return s;
  }
  // The rest, canonical, without the two keys.
  std::string rest;
  if (absl::Status s =
          CanonicalObject(dom::object(doc.root), 0, {"confirmation_token", "call_id"}, rest);
      !s.ok()) {
    return Malformed(absl::StrCat(object, ": ", s.message()));
  }
  arguments.canonical = std::move(rest);
  return arguments;
}

absl::StatusOr<std::string> WithGatewayProperties(absl::string_view schema_json, bool read_only,
                                                  bool call_id) {
  Document doc;
  if (absl::Status s = Parse(schema_json, "the schema", doc); !s.ok()) return s;
  if (!doc.root.is_object()) return Malformed("the schema is not a JSON object");
  std::string extra;
  if (!read_only) {
    extra += R"("confirmation_token":{"type":"string","description":"Only when payvox asked for )"
             R"(confirmation: the token from its answer, sent with the same arguments once the )"
             R"(caller said yes."})";
  }
  if (call_id) {
    if (!extra.empty()) extra += ',';
    extra += R"("call_id":{"type":"string","description":"The phone call this belongs to, when )"
             R"(the platform does not send an X-Call-Id header.","maxLength":128})";
  }
  std::string out = "{";
  bool first = true;
  bool had_properties = false;
  for (dom::key_value_pair field : dom::object(doc.root)) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, Sv(field.key));
    out += ':';
    if (field.key == "properties" && field.value.is_object() && !extra.empty()) {
      had_properties = true;
      std::string properties;
      if (absl::Status s = Canonical(field.value, 1, properties); !s.ok()) return s;
      properties.pop_back();  // the closing brace
      if (properties.size() > 1) properties += ',';
      out += properties + extra + '}';
      continue;
    }
    if (absl::Status s = Canonical(field.value, 1, out); !s.ok()) return s;
  }
  if (!had_properties && !extra.empty()) {
    if (!first) out += ',';
    out += R"("properties":{)" + extra + '}';
  }
  out += '}';
  return out;
}

absl::StatusOr<VapiMessage> ParseVapiMessage(absl::string_view body) {
  Document doc;
  if (absl::Status s = Parse(body, "the body", doc); !s.ok()) return s;
  std::optional<dom::element> message = Child(doc.root, "message");
  if (!message.has_value() || !message->is_object()) {
    return Malformed("the body has no message object");
  }
  VapiMessage out;
  if (absl::Status s = Text(*message, "type", "message.type", out.type); !s.ok()) return s;
  if (out.type.empty()) return Malformed("message.type is missing");
  std::optional<dom::element> call = Child(*message, "call");
  if (call.has_value()) {
    if (absl::Status s = Text(*call, "id", "message.call.id", out.call_id); !s.ok()) return s;
    if (absl::Status s = Text(*call, "assistantId", "message.call.assistantId", out.assistant_id);
        !s.ok()) {
      return s;
    }
  }
  if (std::optional<dom::element> customer = Child(*message, "customer")) {
    if (absl::Status s = Text(*customer, "number", "message.customer.number", out.caller_number);
        !s.ok()) {
      return s;
    }
  }
  if (out.caller_number.empty() && call.has_value()) {
    if (std::optional<dom::element> customer = Child(*call, "customer")) {
      if (absl::Status s =
              Text(*customer, "number", "message.call.customer.number", out.caller_number);
          !s.ok()) {
        return s;
      }
    }
  }
  if (std::optional<dom::element> assistant = Child(*message, "assistant")) {
    std::string id;
    if (absl::Status s = Text(*assistant, "id", "message.assistant.id", id); !s.ok()) return s;
    if (!id.empty()) out.assistant_id = id;
  }
  if (out.type == "function-call") {
    std::optional<dom::element> function = Child(*message, "functionCall");
    if (!function.has_value() || !function->is_object()) {
      return Malformed("message.functionCall is missing");
    }
    ToolCall tool;
    if (absl::Status s = Text(*function, "name", "message.functionCall.name", tool.name); !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> arguments =
        ArgumentsOf(Child(*function, "parameters"), "message.functionCall.parameters");
    if (!arguments.ok()) return arguments.status();
    tool.arguments_json = *std::move(arguments);
    if (tool.name.empty()) return Malformed("message.functionCall.name is missing");
    out.tool_calls.push_back(std::move(tool));
    return out;
  }
  if (out.type != "tool-calls") return out;
  std::optional<dom::element> list = Child(*message, "toolCallList");
  if (!list.has_value() || !list->is_array()) return Malformed("message.toolCallList is missing");
  int index = 0;
  for (dom::element item : dom::array(*list)) {
    const std::string path = absl::StrCat("message.toolCallList[", index++, "]");
    if (!item.is_object()) return Malformed(absl::StrCat(path, " is not an object"));
    ToolCall tool;
    if (absl::Status s = Text(item, "id", absl::StrCat(path, ".id"), tool.id); !s.ok()) return s;
    std::optional<dom::element> arguments_field;
    if (std::optional<dom::element> function = Child(item, "function")) {
      // {id, type: "function", function: {name, arguments}}
      if (absl::Status s = Text(*function, "name", absl::StrCat(path, ".function.name"), tool.name);
          !s.ok()) {
        return s;
      }
      arguments_field = Child(*function, "arguments");
      absl::StatusOr<std::string> arguments =
          ArgumentsOf(arguments_field, absl::StrCat(path, ".function.arguments"));
      if (!arguments.ok()) return arguments.status();
      tool.arguments_json = *std::move(arguments);
    } else {
      // {id, name, parameters} or {id, name, arguments}
      if (absl::Status s = Text(item, "name", absl::StrCat(path, ".name"), tool.name); !s.ok()) {
        return s;
      }
      const bool has_parameters = Child(item, "parameters").has_value();
      absl::StatusOr<std::string> arguments =
          has_parameters ? ArgumentsOf(Child(item, "parameters"), absl::StrCat(path, ".parameters"))
                         : ArgumentsOf(Child(item, "arguments"), absl::StrCat(path, ".arguments"));
      if (!arguments.ok()) return arguments.status();
      tool.arguments_json = *std::move(arguments);
    }
    if (tool.name.empty()) return Malformed(absl::StrCat(path, " names no tool"));
    out.tool_calls.push_back(std::move(tool));
  }
  if (out.tool_calls.empty()) return Malformed("message.toolCallList is empty");
  return out;
}

absl::Status VerifyRetellSignature(absl::string_view header, absl::string_view body,
                                   absl::string_view api_key, absl::Time now,
                                   absl::Duration tolerance) {
  if (header.empty()) return absl::UnauthenticatedError("X-Retell-Signature is missing");
  absl::string_view timestamp;
  absl::string_view digest;
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    if (absl::ConsumePrefix(&part, "v="))
      timestamp = part;
    else if (absl::ConsumePrefix(&part, "d="))
      digest = part;
  }
  int64_t millis = 0;
  if (timestamp.empty() || digest.size() != 64 || !absl::SimpleAtoi(timestamp, &millis)) {
    return absl::UnauthenticatedError("X-Retell-Signature is not v=<ms>,d=<64 hex digits>");
  }
  const absl::Time signed_at = absl::FromUnixMillis(millis);
  if (signed_at < now - tolerance || signed_at > now + tolerance) {
    return absl::UnauthenticatedError("X-Retell-Signature is too old or from the future");
  }
  const std::string expected = HmacSha256Hex(api_key, absl::StrCat(body, timestamp));
  if (!ConstantTimeEquals(expected, absl::AsciiStrToLower(digest))) {
    return absl::UnauthenticatedError("X-Retell-Signature does not match the body");
  }
  return absl::OkStatus();
}

absl::StatusOr<RetellFunctionCall> ParseRetellFunction(absl::string_view body,
                                                       absl::string_view name_from_path) {
  Document doc;
  if (absl::Status s = Parse(body, "the body", doc); !s.ok()) return s;
  if (!doc.root.is_object()) return Malformed("the body is not a JSON object");
  RetellFunctionCall out;
  if (!name_from_path.empty()) {
    out.name = std::string(name_from_path);
    absl::StatusOr<std::string> arguments = ArgumentsOf(doc.root, "the body");
    if (!arguments.ok()) return arguments.status();
    out.arguments_json = *std::move(arguments);
    return out;
  }
  if (absl::Status s = Text(doc.root, "name", "name", out.name); !s.ok()) return s;
  if (out.name.empty()) return Malformed("name is missing");
  absl::StatusOr<std::string> arguments = ArgumentsOf(Child(doc.root, "args"), "args");
  if (!arguments.ok()) return arguments.status();
  out.arguments_json = *std::move(arguments);
  if (std::optional<dom::element> call = Child(doc.root, "call")) {
    if (!call->is_object()) return Malformed("call is not an object");
    if (absl::Status s = RetellCallId(*call, out.call_id); !s.ok()) return s;
    if (absl::Status s = Text(*call, "from_number", "call.from_number", out.from_number); !s.ok()) {
      return s;
    }
    if (absl::Status s = Text(*call, "agent_id", "call.agent_id", out.agent_id); !s.ok()) return s;
  }
  return out;
}

absl::StatusOr<RetellWebhook> ParseRetellWebhook(absl::string_view body) {
  Document doc;
  if (absl::Status s = Parse(body, "the body", doc); !s.ok()) return s;
  RetellWebhook out;
  if (absl::Status s = Text(doc.root, "event", "event", out.event); !s.ok()) return s;
  if (out.event.empty()) return Malformed("event is missing");
  if (out.event == "call_inbound") {
    std::optional<dom::element> inbound = Child(doc.root, "call_inbound");
    if (!inbound.has_value() || !inbound->is_object()) return Malformed("call_inbound is missing");
    for (auto [key, field] :
         {std::pair{"from_number", &out.from_number}, std::pair{"to_number", &out.to_number},
          std::pair{"agent_id", &out.agent_id}}) {
      if (absl::Status s = Text(*inbound, key, absl::StrCat("call_inbound.", key), *field);
          !s.ok()) {
        return s;
      }
    }
    return out;
  }
  if (std::optional<dom::element> call = Child(doc.root, "call")) {
    if (!call->is_object()) return Malformed("call is not an object");
    if (absl::Status s = RetellCallId(*call, out.call_id); !s.ok()) return s;
  }
  return out;
}

absl::StatusOr<McpMessage> ParseMcpMessage(absl::string_view body) {
  Document doc;
  if (absl::Status s = Parse(body, "the message", doc); !s.ok()) return s;
  if (doc.root.is_array()) return Malformed("JSON-RPC batches are not supported");
  if (!doc.root.is_object()) return Malformed("the message is not a JSON object");
  McpMessage out;
  std::string version;
  if (absl::Status s = Text(doc.root, "jsonrpc", "jsonrpc", version); !s.ok()) return s;
  if (version != "2.0") return Malformed("jsonrpc must be \"2.0\"");
  if (std::optional<dom::element> id = Child(doc.root, "id")) {
    if (!id->is_string() && !id->is_int64() && !id->is_uint64()) {
      return Malformed("id must be a string or an integer");
    }
    if (absl::Status s = Canonical(*id, 0, out.id_json); !s.ok()) return s;
  }
  if (absl::Status s = Text(doc.root, "method", "method", out.method); !s.ok()) return s;
  if (out.method.empty()) {
    if (Child(doc.root, "result").has_value() || Child(doc.root, "error").has_value()) {
      out.is_response = true;
      return out;
    }
    return Malformed("method is missing");
  }
  std::optional<dom::element> params = Child(doc.root, "params");
  if (!params.has_value()) {
    out.params_json = "{}";
    out.tool_arguments_json = "{}";
    return out;
  }
  if (!params->is_object()) return Malformed("params is not an object");
  if (absl::Status s = Canonical(*params, 0, out.params_json); !s.ok()) return s;
  if (std::optional<dom::element> meta = Child(*params, "_meta")) {
    out.has_meta = meta->is_object();
    out.meta_has_capabilities =
        Child(*meta, "io.modelcontextprotocol/clientCapabilities").has_value() ||
        Child(*meta, "capabilities").has_value();
    // The revision's namespaced keys, or the plain ones of its drafts.
    if (absl::Status s =
            Text(*meta, "io.modelcontextprotocol/protocolVersion",
                 "params._meta.io.modelcontextprotocol/protocolVersion", out.meta_protocol_version);
        !s.ok()) {
      return s;
    }
    if (out.meta_protocol_version.empty()) {
      if (absl::Status s = Text(*meta, "protocolVersion", "params._meta.protocolVersion",
                                out.meta_protocol_version);
          !s.ok()) {
        return s;
      }
    }
    std::optional<dom::element> info = Child(*meta, "io.modelcontextprotocol/clientInfo");
    if (!info.has_value()) info = Child(*meta, "clientInfo");
    if (info.has_value()) {
      if (absl::Status s = Text(*info, "name", "params._meta.clientInfo.name", out.client_name);
          !s.ok()) {
        return s;
      }
    }
  }
  if (absl::Status s =
          Text(*params, "protocolVersion", "params.protocolVersion", out.requested_version);
      !s.ok()) {
    return s;
  }
  if (std::optional<dom::element> info = Child(*params, "clientInfo")) {
    if (absl::Status s = Text(*info, "name", "params.clientInfo.name", out.client_name); !s.ok()) {
      return s;
    }
  }
  if (out.method == "tools/call") {
    if (absl::Status s = Text(*params, "name", "params.name", out.tool_name); !s.ok()) return s;
    absl::StatusOr<std::string> arguments =
        ArgumentsOf(Child(*params, "arguments"), "params.arguments");
    if (!arguments.ok()) return arguments.status();
    out.tool_arguments_json = *std::move(arguments);
  }
  return out;
}

}  // namespace payvox::gateway
