// envelopes.h: the gateway's parsers of outside bytes, one per face, and the
// JSON helpers they share. No I/O and no Asio: each is a pure function of a
// body, fuzzed in tests/fuzz/gateway_envelopes_fuzz.cc.
//
// Every parser answers INVALID_ARGUMENT naming what is wrong ("message.type
// is missing", "toolCallList[1].function.arguments is not a JSON object");
// none keeps a pointer into the body.
#ifndef PAYVOX_GATEWAY_ENVELOPES_H_
#define PAYVOX_GATEWAY_ENVELOPES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace payvox::gateway {

// CanonicalJson is `json` compact, with every object's keys sorted
// (bytewise) and duplicate keys refused: two spellings of the same
// arguments bind the same confirmation token and the same request.
absl::StatusOr<std::string> CanonicalJson(absl::string_view json);

// Arguments are a tool call's arguments with the keys payvox reads itself
// taken out.
struct Arguments {
  // The rest, canonical (CanonicalJson); "{}" when there were none.
  std::string canonical;
  std::string confirmation_token;
  // Only where the face allows it (MCP without an X-Call-Id header).
  std::string call_id;
};

// SplitArguments reads a JSON object of arguments (empty: none). `object`
// names it in errors. A confirmation_token or call_id that is not a string
// is refused.
absl::StatusOr<Arguments> SplitArguments(absl::string_view json, absl::string_view object);

// WithGatewayProperties is a catalog JSON Schema with the optional
// `confirmation_token` property (every action that is not read-only) and,
// when `call_id` is true, an optional `call_id` property.
absl::StatusOr<std::string> WithGatewayProperties(absl::string_view schema_json, bool read_only,
                                                  bool call_id);

// One tool call inside an envelope.
struct ToolCall {
  // The platform's id of this call (Vapi's toolCallId); may be empty.
  std::string id;
  std::string name;
  // A JSON object (an argument string is parsed); "{}" when absent.
  std::string arguments_json;
};

// --- Vapi: {"message": {"type": ..., ...}} ---------------------------------

struct VapiMessage {
  std::string type;
  // message.call.id; may be empty (then tool calls are refused).
  std::string call_id;
  // message.customer.number, else message.call.customer.number (E.164).
  std::string caller_number;
  // message.assistant.id, else message.call.assistantId: the agent id.
  std::string assistant_id;
  // tool-calls: message.toolCallList in order; function-call: the one
  // message.functionCall.
  std::vector<ToolCall> tool_calls;
};

absl::StatusOr<VapiMessage> ParseVapiMessage(absl::string_view body);

// --- Retell ------------------------------------------------------------------

// A custom function call: {"name", "call": {"call_id", "from_number",
// "agent_id", ...}, "args"}, or (args_at_root) the arguments themselves with
// the name in the URL.
struct RetellFunctionCall {
  std::string name;
  // call.retell_llm_dynamic_variables.payvox_call_id (set by payvox when it
  // answered call_inbound), else call.call_id.
  std::string call_id;
  std::string from_number;
  std::string agent_id;
  std::string arguments_json;
};

// VerifyRetellSignature checks X-Retell-Signature ("v=<unix ms>,d=<hex
// HMAC-SHA256(api key, body + ms)>") on the raw body, in constant time,
// within `tolerance` of `now`. UNAUTHENTICATED naming what is wrong.
absl::Status VerifyRetellSignature(absl::string_view header, absl::string_view body,
                                   absl::string_view api_key, absl::Time now,
                                   absl::Duration tolerance);

// ParseRetellFunction: `name_from_path` set means args at the root.
absl::StatusOr<RetellFunctionCall> ParseRetellFunction(absl::string_view body,
                                                       absl::string_view name_from_path);

// A Retell webhook: {"event": "call_inbound", "call_inbound": {"agent_id",
// "from_number", "to_number"}} or {"event": "call_ended" (or another),
// "call": {"call_id", "retell_llm_dynamic_variables", ...}}.
struct RetellWebhook {
  std::string event;
  std::string from_number;
  std::string to_number;
  std::string agent_id;
  // As RetellFunctionCall's.
  std::string call_id;
};

absl::StatusOr<RetellWebhook> ParseRetellWebhook(absl::string_view body);

// --- MCP (JSON-RPC 2.0) ------------------------------------------------------

struct McpMessage {
  // The request id as its JSON text ("1", "\"abc\""); empty for a
  // notification.
  std::string id_json;
  std::string method;
  // params as JSON; "{}" when absent.
  std::string params_json;
  // params._meta's protocol version (2026-07-28 and later), else empty.
  std::string meta_protocol_version;
  // params._meta is there, and holds client capabilities (2026-07-28
  // requires both on every request).
  bool has_meta = false;
  bool meta_has_capabilities = false;
  // tools/call: params.name and params.arguments (a JSON object, "{}").
  std::string tool_name;
  std::string tool_arguments_json;
  // initialize: params.protocolVersion.
  std::string requested_version;
  // params._meta clientInfo.name, or initialize's params.clientInfo.name.
  std::string client_name;
  // A response sent to the server (it has result or error, no method).
  bool is_response = false;
};

// ParseMcpMessage reads one JSON-RPC message (a batch is refused: no
// revision payvox speaks allows one).
absl::StatusOr<McpMessage> ParseMcpMessage(absl::string_view body);

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_ENVELOPES_H_
