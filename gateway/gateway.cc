#include "gateway/gateway.h"

#include <boost/beast/http/verb.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_writer.h"
#include "gateway/faces.h"
#include "gateway/tool_list.h"

namespace payvox::gateway {
namespace {

namespace asio = boost::asio;
using boost::beast::http::verb;

}  // namespace

HttpAnswer ErrorAnswer(int status, absl::string_view message) {
  return JsonAnswer(status, "error", message);
}

std::string Header(const HttpRequest& request, absl::string_view name) {
  const auto value = request[std::string_view(name.data(), name.size())];
  return std::string(value.data(), value.size());
}

HttpAnswer AnswerFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated: {
      HttpAnswer answer = ErrorAnswer(401, status.message());
      answer.headers.emplace_back("WWW-Authenticate", "Bearer");
      return answer;
    }
    case absl::StatusCode::kNotFound:
      return ErrorAnswer(404, status.message());
    case absl::StatusCode::kFailedPrecondition:
      return ErrorAnswer(503, status.message());
    case absl::StatusCode::kInvalidArgument:
      return ErrorAnswer(400, status.message());
    default:
      return ErrorAnswer(500, "payvox could not answer; retry");
  }
}

Gateway::Gateway(TenantDirectory& tenants, ToolRunner& runner, const Clock& clock,
                 GatewayOptions options)
    : tenants_(tenants), runner_(runner), clock_(clock), options_(std::move(options)) {
  if (options_.metrics == nullptr) return;
  requests_ = &options_.metrics->AddCounter(
      "payvox_gateway_requests_total",
      "HTTP front door requests by face (mcp, vapi, retell, rest, other) and HTTP status",
      {"face", "status"});
  seconds_ = &options_.metrics->AddHistogram(
      "payvox_gateway_request_seconds", "Time to answer an HTTP front door request, by face",
      {"face"}, {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
}

asio::awaitable<HttpAnswer> Gateway::Handle(const HttpRequest& request) {
  const absl::Time start = clock_.Now();
  const char* face = "other";
  HttpAnswer answer = co_await Route(request, face);
  const absl::Duration took = clock_.Now() - start;
  if (requests_ != nullptr) {
    requests_->With({face, absl::StrCat(answer.status)}).Increment();
    seconds_->With({face}).Observe(absl::ToDoubleSeconds(took));
  }
  const LogLevel level =
      answer.status == 401 || answer.status >= 500 ? LogLevel::kWarning : LogLevel::kInfo;
  if (options_.log != nullptr && options_.log->Enabled(level)) {
    options_.log->Log(level, "http",
                      {{"face", face},
                       {"method", std::string(request.method_string())},
                       {"status", absl::StrCat(answer.status)},
                       {"ms", absl::StrCat(absl::ToInt64Milliseconds(took))},
                       {"tenant", TenantOf(request)}});
  }
  co_return answer;
}

asio::awaitable<HttpAnswer> Gateway::Route(const HttpRequest& request, const char*& face) {
  const absl::string_view path = RequestPath(request);
  if (path == "/healthz") co_return JsonAnswer(200, "status", "ok");
  if (path == "/mcp") {
    face = "mcp";
    co_return co_await Mcp(request);
  }
  // Arguments of the faces are named first: GCC 12 mishandles temporaries
  // in a co_await's arguments.
  absl::string_view rest = path;
  if (absl::ConsumePrefix(&rest, "/vapi/")) {
    face = "vapi";
    std::string tenant(rest);
    co_return co_await Vapi(std::move(tenant), request);
  }
  if (absl::ConsumePrefix(&rest, "/retell/")) {
    face = "retell";
    std::string route(rest);
    co_return co_await Retell(std::move(route), request);
  }
  if (rest == "/v1/actions" || absl::ConsumePrefix(&rest, "/v1/actions/")) {
    face = "rest";
    std::string name;
    if (path != "/v1/actions") name = std::string(rest);
    co_return co_await Rest(std::move(name), request);
  }
  co_return ErrorAnswer(404, "not found");
}

std::string Gateway::TenantOf(const HttpRequest& request) {
  absl::string_view path = RequestPath(request);
  if (absl::ConsumePrefix(&path, "/vapi/") || absl::ConsumePrefix(&path, "/retell/")) {
    const absl::string_view tenant = path.substr(0, path.find('/'));
    return tenant.size() <= 64 ? std::string(tenant) : "";
  }
  const std::string authorization = Header(request, "Authorization");
  absl::string_view token = authorization;
  if (absl::ConsumePrefix(&token, "Bearer ")) return TokenTenant(token);
  return TokenTenant(Header(request, "X-Vapi-Secret"));
}

absl::StatusOr<std::shared_ptr<TenantRuntime>> Gateway::Bearer(const HttpRequest& request,
                                                               bool vapi_secret) const {
  std::string token;
  const std::string authorization = Header(request, "Authorization");
  if (absl::StartsWith(authorization, "Bearer ")) token = authorization.substr(7);
  if (token.empty() && vapi_secret) token = Header(request, "X-Vapi-Secret");
  return tenants_.Connected(token);
}

asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> Gateway::BeginCallFor(
    std::shared_ptr<TenantRuntime> tenant, std::string call_id, std::string caller_number) {
  v1::BeginCallRequest begin;
  begin.mutable_context()->set_call_id(PlatformId(call_id));
  begin.set_caller_phone(std::move(caller_number));
  co_return co_await runner_.BeginCall(std::move(tenant), std::move(begin),
                                       options_.call_start_budget);
}

asio::awaitable<HttpAnswer> Gateway::Rest(std::string name, const HttpRequest& request) {
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = Bearer(request, false);
  if (!tenant.ok()) co_return AnswerFor(tenant.status());
  if (name.empty()) {
    if (request.method() != verb::get) co_return ErrorAnswer(405, "the catalog is read with GET");
    const absl::string_view target(request.target().data(), request.target().size());
    ToolFormat format = ToolFormat::kPayvox;
    if (absl::StrContains(target, "format=openai")) format = ToolFormat::kOpenAi;
    if (absl::StrContains(target, "format=anthropic")) format = ToolFormat::kAnthropic;
    absl::StatusOr<std::shared_ptr<const std::string>> tools =
        co_await runner_.Tools(*tenant, format);
    if (!tools.ok()) co_return AnswerFor(tools.status());
    co_return HttpAnswer{200, absl::StrCat(R"({"tools":)", **tools, "}")};
  }
  if (request.method() != verb::post) co_return ErrorAnswer(405, "actions are POSTed");
  ToolRequest tool{.face = "rest",
                   .agent = Header(request, "X-Agent-Id"),
                   .call_id = Header(request, "X-Call-Id"),
                   .request_id = Header(request, "X-Request-Id"),
                   .action = name,
                   .arguments_json = request.body()};
  const ToolOutcome outcome = co_await runner_.Run(*tenant, std::move(tool));
  co_return RestAnswer(outcome);
}

HttpAnswer RestAnswer(const ToolOutcome& outcome) {
  if (outcome.status.ok()) return {200, outcome.result_json};
  // A refusal or a question for the caller is the action's answer: 200,
  // so a templated tool hands it to the model instead of retrying.
  int status = 200;
  if (outcome.unknown_tool) status = 404;
  if (outcome.bad_arguments) status = 400;
  if (outcome.status.code() == absl::StatusCode::kUnavailable ||
      outcome.status.code() == absl::StatusCode::kDeadlineExceeded) {
    status = 503;  // the same X-Request-Id may be sent again
  }
  return {status, outcome.Text()};
}

}  // namespace payvox::gateway
