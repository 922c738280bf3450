// retell_face.cc: POST /retell/{tenant}/function[/{name}] (custom
// functions) and /retell/{tenant}/webhook (call_inbound, call_ended), each
// signed with X-Retell-Signature under the tenant's Retell API key.
//
// call_inbound starts a session under a call id payvox makes and hands it
// back as the dynamic variable payvox_call_id; Retell carries it in the
// signed `call` object of every later function call, which therefore uses
// the prefetched session. Retell retries a failed function up to twice with
// the same body: those repeats share one request id (gateway/confirmation.h
// RepeatWindow), so a write is done once and answered from the first.
#include <boost/beast/http/verb.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_writer.h"
#include "common/secure_random.h"
#include "gateway/envelopes.h"
#include "gateway/faces.h"
#include "gateway/gateway.h"

namespace payvox::gateway {

namespace asio = boost::asio;

asio::awaitable<HttpAnswer> Gateway::Retell(std::string rest, const HttpRequest& request) {
  const size_t slash = rest.find('/');
  const std::string tenant_id = rest.substr(0, slash);
  absl::string_view route =
      slash == std::string::npos ? absl::string_view() : absl::string_view(rest).substr(slash);
  if (request.method() != boost::beast::http::verb::post) {
    co_return ErrorAnswer(405, "Retell's requests are POSTed");
  }
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = tenants_.Find(tenant_id);
  if (!tenant.ok()) co_return ErrorAnswer(404, "unknown tenant");
  auto key = options_.retell_api_keys.find(tenant_id);
  if (key == options_.retell_api_keys.end()) {
    co_return AnswerFor(absl::UnauthenticatedError(
        "this tenant has no Retell API key configured (gateway.retell)"));
  }
  if (absl::Status signed_ok =
          VerifyRetellSignature(Header(request, "X-Retell-Signature"), request.body(), key->second,
                                clock_.Now(), options_.retell_tolerance);
      !signed_ok.ok()) {
    co_return AnswerFor(signed_ok);
  }
  tenant = TenantDirectory::Serving(*std::move(tenant));
  if (!tenant.ok()) co_return AnswerFor(tenant.status());

  if (route == "/webhook") {
    absl::StatusOr<RetellWebhook> webhook = ParseRetellWebhook(request.body());
    if (!webhook.ok()) co_return ErrorAnswer(400, webhook.status().message());
    if (webhook->event == "call_ended" && !webhook->call_id.empty()) {
      const absl::Status ended = co_await runner_.EndCall(*tenant, webhook->call_id);
      (void)ended;  // an unknown or ended call is no error here
    }
    if (webhook->event != "call_inbound") co_return HttpAnswer{204, ""};
    absl::StatusOr<std::string> random = SecureRandomBytes(12);
    if (!random.ok()) co_return ErrorAnswer(500, "payvox could not name the call");
    const std::string call_id = absl::StrCat("rtl_", LettersOnly(absl::BytesToHexString(*random)));
    absl::StatusOr<v1::BeginCallResponse> begun =
        co_await BeginCallFor(*tenant, call_id, webhook->from_number);
    JsonWriter json;
    json.BeginObject().Key("call_inbound").BeginObject().Key("dynamic_variables").BeginObject();
    json.Field("payvox_call_id", call_id);
    if (begun.ok()) {
      json.Field("payvox_say", begun->say())
          .Field("payvox_match_count", absl::StrCat(begun->match_count()))
          .Field("payvox_card_on_file", begun->card_on_file() ? "true" : "false")
          .Field("payvox_customer_name", begun->customer().name());
    }
    json.EndObject().EndObject().EndObject();
    co_return HttpAnswer{200, json.Take()};
  }

  absl::string_view name_from_path;
  if (route != "/function") {
    if (!absl::ConsumePrefix(&route, "/function/") || route.empty()) {
      co_return ErrorAnswer(404, "not found");
    }
    name_from_path = route;
  }
  absl::StatusOr<RetellFunctionCall> call = ParseRetellFunction(request.body(), name_from_path);
  if (!call.ok()) co_return ErrorAnswer(400, call.status().message());
  std::string call_id = call->call_id;
  if (call_id.empty()) call_id = Header(request, "X-Call-Id");
  ToolRequest tool{.face = "retell",
                   .agent = call->agent_id,
                   .call_id = std::move(call_id),
                   .action = call->name,
                   .arguments_json = std::move(call->arguments_json)};
  const ToolOutcome outcome = co_await runner_.Run(*tenant, std::move(tool));
  co_return RestAnswer(outcome);
}

}  // namespace payvox::gateway
