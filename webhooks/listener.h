// listener.h: the Boost.Beast HTTP/1.1 listener for Stripe's webhooks, on a
// port of its own.
//
//   POST /v1/webhooks/stripe/{tenant}   a signed Stripe event
//   GET  /healthz                        200 while the process runs
//   GET  /readyz                         200 when the sink is ready, else 503
//   GET  /metrics                        Prometheus text, on the metrics port only
//
// A webhook is answered 200 only once the sink stored it durably (a
// redelivery is 200 too, stored once); 400 when unsigned, badly signed,
// stale or not a Stripe event (never stored); 404 for an unknown tenant;
// 405 for another method; 413 over the body limit (or 431 over the header
// limit); 500 when the store failed (Stripe retries). The transport
// (keep-alive, timeouts, connection limit, TLS) is common/http_listener.h.
#ifndef PAYVOX_WEBHOOKS_LISTENER_H_
#define PAYVOX_WEBHOOKS_LISTENER_H_

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http_listener.h"
#include "common/log.h"
#include "common/metrics.h"
#include "webhooks/signature.h"

namespace payvox::webhooks {

struct ListenerOptions {
  // Address, port, limits, timeouts and TLS (its name is set by Start).
  HttpListenerOptions http;
  VerifyOptions verify;
  // Counts requests and signature failures (payvox_webhook_*); null: not
  // counted. Must outlive the listener.
  metrics::Registry* metrics = nullptr;
  // Serve GET /metrics (from `metrics`): set on the metrics port only. The
  // webhook port faces Stripe and the internet, and the metrics hold
  // refunded totals, so it never serves them.
  bool serve_metrics = false;
  // Logs refused signatures ("webhook signature refused": tenant, reason)
  // at warning; null: no lines. Must outlive the listener.
  Logger* log = nullptr;
};

// What the listener does with a verified webhook: an interface at the I/O
// boundary (the store), with a fake in tests. Its coroutines run on the
// listener's I/O threads and must hand blocking work (the store) to threads
// of their own (store/store_executor.h).
class WebhookSink {
 public:
  virtual ~WebhookSink() = default;
  // SigningSecrets: the tenant's active whsec_ secrets (two while one is
  // rotated); NOT_FOUND for a tenant payvox does not serve, another error
  // when they cannot be read now.
  virtual boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> SigningSecrets(
      std::string tenant) = 0;
  // Ingest decodes and durably stores a verified event (OK also when it
  // was stored before). INVALID_ARGUMENT: not a Stripe event.
  virtual boost::asio::awaitable<absl::Status> Ingest(std::string tenant, std::string body) = 0;
  // Ready: the store is reachable and payvoxd is serving.
  virtual boost::asio::awaitable<bool> Ready() = 0;
};

class WebhookListener {
 public:
  // `sink` and `clock` must outlive the listener.
  WebhookListener(WebhookSink& sink, const Clock& clock);
  ~WebhookListener();  // Stops.

  // Start binds and serves on background threads. Call once.
  absl::Status Start(const ListenerOptions& options);
  // Stop closes the listener, lets requests being handled get their answer
  // (up to 10 s), closes every connection and joins the threads. The
  // io_context stays until destruction: join the threads the sink hands work
  // to (StoreExecutor::Join) before destroying the listener.
  void Stop();

  int port() const { return http_ ? http_->port() : 0; }

 private:
  class Handler;

  WebhookSink& sink_;
  const Clock& clock_;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<HttpListener> http_;
};

}  // namespace payvox::webhooks

#endif  // PAYVOX_WEBHOOKS_LISTENER_H_
