// gateway.h: the HTTP front door for hosted voice platforms, on a listener
// of its own (gateway.listen_address). Every face authenticates the tenant,
// takes the call from the platform's envelope (never from the model), and
// runs tools through ToolRunner: the same core, policy, audit, idempotency
// and card-number guard as gRPC.
//
//   POST /mcp                          MCP, Streamable HTTP with JSON answers
//                                      (2026-07-28 stateless; 2025-11-25,
//                                      2025-06-18, 2025-03-26 and 2024-11-05
//                                      with initialize), bearer token
//   POST /vapi/{tenant}                Vapi server messages: tool-calls,
//                                      function-call, assistant-request,
//                                      end-of-call-report; bearer token or
//                                      X-Vapi-Secret
//   POST /retell/{tenant}/function     Retell custom functions ({name, call,
//   POST /retell/{tenant}/function/{name}   args}, or args at the root)
//   POST /retell/{tenant}/webhook      Retell's call_inbound and call_ended;
//                                      X-Retell-Signature
//   GET  /v1/actions[?format=openai|anthropic]   the tenant's catalog
//   POST /v1/actions/{name}            JSON arguments, X-Call-Id and
//                                      X-Request-Id; bearer token
//   GET  /healthz                      200 while the process runs
//
// Answers: 401 for missing or wrong credentials, 404 for an unknown tenant
// or path, 405 for another method, 413 over the body limit, 400 for a body
// that is not the face's envelope (naming what is wrong). Vapi's answers are
// always 200 once authenticated (it ignores other codes) with `results` in
// the order of the calls. docs/gateway.md has each face's rules.
#ifndef PAYVOX_GATEWAY_GATEWAY_H_
#define PAYVOX_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "actions/tenants.h"
#include "common/clock.h"
#include "common/http_listener.h"
#include "common/log.h"
#include "common/metrics.h"
#include "gateway/tool_runner.h"

namespace payvox::gateway {

struct GatewayOptions {
  // Origins allowed to call /mcp from a browser, besides localhost ones
  // ("https://app.example.com"). A request with another Origin is 403.
  std::vector<std::string> allowed_origins;
  // Hosts /mcp answers to; empty: any when listening on a routable
  // address, only localhost names when listening on loopback (DNS
  // rebinding).
  std::vector<std::string> allowed_hosts;
  bool loopback_only = true;
  // Retell API keys by tenant: X-Retell-Signature is checked with them.
  absl::flat_hash_map<std::string, std::string> retell_api_keys;
  // The Vapi assistant an assistant-request is answered with, by tenant.
  absl::flat_hash_map<std::string, std::string> vapi_assistant_ids;
  // How old a Retell signature may be.
  absl::Duration retell_tolerance = absl::Minutes(5);
  // How long a call-start message (Vapi's assistant-request must be
  // answered within 7.5 s, Retell's call_inbound within 10 s) waits for
  // BeginCall's prefetch before answering with what it has.
  absl::Duration call_start_budget = absl::Seconds(4);
  // payvox's version, for MCP's serverInfo.
  std::string version = "0";
  // Counts requests by face and HTTP status (payvox_gateway_requests_total)
  // and times them; null: neither.
  metrics::Registry* metrics = nullptr;
  // Logs each request ("http": face, method, HTTP status, latency, the
  // tenant the path or bearer token names): info, warning for 401 and 5xx;
  // null: no lines.
  Logger* log = nullptr;
};

class Gateway final : public HttpHandler {
 public:
  // Everything must outlive the gateway.
  Gateway(TenantDirectory& tenants, ToolRunner& runner, const Clock& clock, GatewayOptions options);

  boost::asio::awaitable<HttpAnswer> Handle(const HttpRequest& request) override;

 private:
  boost::asio::awaitable<HttpAnswer> Route(const HttpRequest& request, const char*& face);
  boost::asio::awaitable<HttpAnswer> Mcp(const HttpRequest& request);
  boost::asio::awaitable<HttpAnswer> Vapi(std::string tenant, const HttpRequest& request);
  boost::asio::awaitable<HttpAnswer> Retell(std::string rest, const HttpRequest& request);
  boost::asio::awaitable<HttpAnswer> Rest(std::string rest, const HttpRequest& request);

  // Bearer: the tenant of the request's bearer token (or, where allowed,
  // its X-Vapi-Secret), or the 401 / 503 answer.
  // TenantOf: the tenant a request names (its path, else its token), for
  // the log; "" when none.
  static std::string TenantOf(const HttpRequest& request);
  absl::StatusOr<std::shared_ptr<TenantRuntime>> Bearer(const HttpRequest& request,
                                                        bool vapi_secret) const;
  // BeginCallFor starts the call's session for a platform's call start.
  boost::asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> BeginCallFor(
      std::shared_ptr<TenantRuntime> tenant, std::string call_id, std::string caller_number);

  TenantDirectory& tenants_;
  ToolRunner& runner_;
  const Clock& clock_;
  const GatewayOptions options_;
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Histogram>* seconds_ = nullptr;
};

// AnswerFor maps an error status of authentication or lookup to its HTTP
// answer: 401, 404, 503 (FAILED_PRECONDITION: no Stripe key yet), 500.
HttpAnswer AnswerFor(const absl::Status& status);

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_GATEWAY_H_
