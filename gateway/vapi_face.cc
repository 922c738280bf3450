// vapi_face.cc: POST /vapi/{tenant}, Vapi's server messages.
//
// After authentication every answer is 200 (Vapi ignores other codes):
// tool-calls get {"results": [{"toolCallId", "result" | "error"}]} in the
// order of the calls, each a single line; function-call (Vapi's legacy
// shape) gets {"result"}; assistant-request starts the call's session and
// answers with the tenant's assistant and what payvox found; end-of-call-
// report ends the session; other messages get {}.
#include <boost/beast/http/verb.hpp>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "gateway/envelopes.h"
#include "gateway/faces.h"
#include "gateway/gateway.h"

namespace payvox::gateway {
namespace {

namespace asio = boost::asio;

HttpAnswer VapiError(absl::string_view message) {
  JsonWriter json;
  json.BeginObject().Field("error", message).EndObject();
  return {200, json.Take()};
}

}  // namespace

asio::awaitable<HttpAnswer> Gateway::Vapi(std::string tenant_id, const HttpRequest& request) {
  if (request.method() != boost::beast::http::verb::post) {
    co_return ErrorAnswer(405, "Vapi's messages are POSTed");
  }
  absl::StatusOr<std::shared_ptr<TenantRuntime>> named = tenants_.Find(tenant_id);
  if (!named.ok()) co_return ErrorAnswer(404, "unknown tenant");
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = Bearer(request, /*vapi_secret=*/true);
  if (!tenant.ok()) co_return AnswerFor(tenant.status());
  if ((*tenant)->tenant_id != tenant_id) {
    co_return AnswerFor(absl::UnauthenticatedError("the credential is not this tenant's"));
  }
  absl::StatusOr<VapiMessage> message = ParseVapiMessage(request.body());
  if (!message.ok()) co_return ErrorAnswer(400, message.status().message());

  if (message->type == "assistant-request") {
    auto assistant = options_.vapi_assistant_ids.find(tenant_id);
    if (assistant == options_.vapi_assistant_ids.end()) {
      co_return VapiError("payvox has no Vapi assistant configured for this tenant");
    }
    JsonWriter json;
    json.BeginObject().Field("assistantId", assistant->second);
    if (!message->call_id.empty()) {
      absl::StatusOr<v1::BeginCallResponse> begun =
          co_await BeginCallFor(*tenant, message->call_id, message->caller_number);
      if (begun.ok()) {
        // What the assistant's prompt can use ({{payvox_say}} ...), never
        // more than the caller's first name and counts.
        json.Key("assistantOverrides").BeginObject().Key("variableValues").BeginObject();
        json.Field("payvox_say", begun->say())
            .Field("payvox_match_count", static_cast<int64_t>(begun->match_count()))
            .Field("payvox_card_on_file", begun->card_on_file())
            .Field("payvox_customer_name", begun->customer().name());
        json.EndObject().EndObject();
      }
    }
    co_return HttpAnswer{200, json.EndObject().Take()};
  }
  if (message->type == "end-of-call-report") {
    if (!message->call_id.empty()) {
      const absl::Status ended = co_await runner_.EndCall(*tenant, message->call_id);
      (void)ended;  // an unknown or ended call is no error here
    }
    co_return HttpAnswer{200, "{}"};
  }
  if (message->type != "tool-calls" && message->type != "function-call") {
    co_return HttpAnswer{200, "{}"};
  }
  std::vector<ToolOutcome> outcomes;
  for (ToolCall& call : message->tool_calls) {
    ToolRequest tool{.face = "vapi",
                     .agent = message->assistant_id,
                     .call_id = message->call_id,
                     .request_id = call.id,
                     .action = call.name,
                     .arguments_json = std::move(call.arguments_json)};
    outcomes.push_back(co_await runner_.Run(*tenant, std::move(tool)));
  }
  JsonWriter json;
  json.BeginObject();
  if (message->type == "function-call") {
    const ToolOutcome& outcome = outcomes.front();
    json.Field("result", outcome.Text());
    co_return HttpAnswer{200, json.EndObject().Take()};
  }
  json.Key("results").BeginArray();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const ToolOutcome& outcome = outcomes[i];
    json.BeginObject().Field("toolCallId", message->tool_calls[i].id);
    // A question for the caller is a result the model acts on; a refusal
    // or failure is an error.
    const bool answered = outcome.status.ok() || !outcome.confirmation_token.empty();
    json.Field(answered ? "result" : "error", outcome.Text());
    json.EndObject();
  }
  json.EndArray();
  co_return HttpAnswer{200, json.EndObject().Take()};
}

}  // namespace payvox::gateway
