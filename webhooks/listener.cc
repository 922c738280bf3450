#include "webhooks/listener.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace payvox::webhooks {
namespace {

namespace asio = boost::asio;

constexpr absl::string_view kWebhookPrefix = "/v1/webhooks/stripe/";

// A tenant id as the config allows it: lower-case letters, digits and '-'.
bool ValidTenant(absl::string_view tenant) {
  return !tenant.empty() && tenant.size() <= 64 &&
         std::all_of(tenant.begin(), tenant.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

}  // namespace

class WebhookListener::Handler final : public HttpHandler {
 public:
  Handler(WebhookSink& sink, const Clock& clock, const ListenerOptions& options)
      : sink_(sink), clock_(clock), options_(options) {
    if (options.metrics == nullptr) return;
    requests_ = &options.metrics->AddCounter(
        "payvox_webhook_requests_total",
        "Webhook requests by result (accepted, bad_signature, not_an_event, unknown_tenant, "
        "method_not_allowed, too_large, store_error)",
        {"result"});
    signature_failures_ = &options.metrics->AddCounter(
        "payvox_webhook_signature_failures_total",
        "Webhooks refused for their Stripe-Signature (missing, malformed, invalid: no match, "
        "stale or future)",
        {"reason"});
  }

  asio::awaitable<HttpAnswer> Handle(const HttpRequest& request) override {
    const absl::string_view path = RequestPath(request);
    if (path == "/healthz") co_return JsonAnswer(200, "status", "ok");
    if (path == "/readyz") {
      const bool ready = co_await sink_.Ready();
      if (ready) co_return JsonAnswer(200, "status", "ready");
      co_return JsonAnswer(503, "status", "not ready");
    }
    if (path == "/metrics" && options_.serve_metrics && options_.metrics != nullptr) {
      HttpAnswer answer{200, options_.metrics->Render()};
      answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
      co_return answer;
    }
    if (!absl::StartsWith(path, kWebhookPrefix)) co_return JsonAnswer(404, "error", "not found");
    const char* result = "";
    HttpAnswer answer =
        co_await Webhook(std::string(absl::StripPrefix(path, kWebhookPrefix)), request, result);
    Count(result);
    co_return answer;
  }

  void Oversized() override { Count("too_large"); }

 private:
  void Count(const char* result) {
    if (requests_ != nullptr) requests_->With({result}).Increment();
  }

  // Webhook answers a delivery and sets `result` for
  // payvox_webhook_requests_total.
  asio::awaitable<HttpAnswer> Webhook(std::string tenant, const HttpRequest& request,
                                      const char*& result) {
    auto refused = [&result](int status, absl::string_view message, const char* why) {
      result = why;
      return JsonAnswer(status, "error", message);
    };
    if (request.method() != boost::beast::http::verb::post) {
      co_return refused(405, "webhooks are POSTed", "method_not_allowed");
    }
    if (!ValidTenant(tenant)) co_return refused(404, "unknown tenant", "unknown_tenant");
    const absl::StatusOr<std::vector<std::string>> secrets = co_await sink_.SigningSecrets(tenant);
    if (secrets.status().code() == absl::StatusCode::kNotFound) {
      co_return refused(404, "unknown tenant", "unknown_tenant");
    }
    if (!secrets.ok()) {
      co_return refused(500, "the signing secrets cannot be read; retry", "store_error");
    }
    const std::string header(request["Stripe-Signature"]);
    const absl::Status verified =
        VerifySignature(header, request.body(), *secrets, clock_.Now(), options_.verify);
    if (!verified.ok()) {
      const char* reason = header.empty()                                          ? "missing"
                           : verified.code() == absl::StatusCode::kInvalidArgument ? "malformed"
                                                                                   : "invalid";
      if (signature_failures_ != nullptr) signature_failures_->With({reason}).Increment();
      if (options_.log != nullptr) {
        options_.log->Warning("webhook signature refused",
                              {{"tenant", tenant}, {"reason", reason}});
      }
      co_return refused(400, verified.message(), "bad_signature");
    }
    const absl::Status ingested = co_await sink_.Ingest(tenant, request.body());
    if (ingested.code() == absl::StatusCode::kInvalidArgument) {
      co_return refused(400, ingested.message(), "not_an_event");
    }
    if (!ingested.ok()) {
      co_return refused(500, "the event could not be stored; retry", "store_error");
    }
    result = "accepted";
    co_return HttpAnswer{200, R"({"received":true})"};
  }

  WebhookSink& sink_;
  const Clock& clock_;
  const ListenerOptions options_;
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Counter>* signature_failures_ = nullptr;
};

WebhookListener::WebhookListener(WebhookSink& sink, const Clock& clock)
    : sink_(sink), clock_(clock) {}

WebhookListener::~WebhookListener() {
  Stop();
  http_.reset();
}

absl::Status WebhookListener::Start(const ListenerOptions& options) {
  if (http_) return absl::FailedPreconditionError("the webhook listener is already started");
  handler_ = std::make_unique<Handler>(sink_, clock_, options);
  http_ = std::make_unique<HttpListener>(*handler_);
  HttpListenerOptions http = options.http;
  http.name = "the webhook listener";
  absl::Status started = http_->Start(http);
  if (!started.ok()) http_.reset();
  return started;
}

void WebhookListener::Stop() {
  if (http_) http_->Stop();
}

}  // namespace payvox::webhooks
