// resilient_stripe_client.h: the production StripeClient. It sends each
// request through a StripeTransport (normally the HttpConnectionPool) with
// the rules a live phone call needs:
//
//   - deadline: the gRPC call's, or `default_timeout` when it has none, and
//     never more than kLongestRequest away; nothing (rate-limit wait,
//     connect, read, backoff) runs past it;
//   - cancellation: a cancelled call stops its wait or closes its connection;
//   - retries as stripe-node does them (client/retry_policy.h), the
//     Idempotency-Key unchanged across retries;
//   - coalescing: concurrent identical requests (same method, path,
//     parameters and Idempotency-Key) share one Stripe request;
//   - rate limits (client/rate_limiter.h) and the breaker
//     (client/circuit_breaker.h), one of each per client, i.e. per API key
//     and host.
//
//   auto client = ResilientStripeClient::Create(io.get_executor(), clock, options);
//   absl::StatusOr<StripeResponse> r = co_await (*client)->Send(request);
#ifndef PAYVOX_CLIENT_RESILIENT_STRIPE_CLIENT_H_
#define PAYVOX_CLIENT_RESILIENT_STRIPE_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "client/circuit_breaker.h"
#include "client/http_connection_pool.h"
#include "client/rate_limiter.h"
#include "client/retry_policy.h"
#include "client/stripe_client.h"
#include "client/stripe_transport.h"
#include "common/async_wait.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"

namespace payvox::stripe {

struct StripeClientOptions {
  PoolOptions pool;
  RetryPolicy retry;
  // Empty: Stripe's documented limits for the key's mode.
  std::optional<RateLimits> rate_limits;
  BreakerOptions breaker;
  // Bound for a request whose call has no deadline.
  absl::Duration default_timeout = absl::Seconds(10);
  // Connections opened by WarmUp().
  int warm_connections = 2;
  // Where the client's metrics go (payvox_stripe_*); null: nowhere. Must
  // outlive the client.
  metrics::Registry* metrics = nullptr;
  // Where each attempt is logged (method, path template, status, Stripe's
  // Request-Id, attempt, latency): debug when Stripe answered 2xx, warning
  // otherwise; null: nowhere. Must outlive the client.
  Logger* log = nullptr;
};

// EndpointFamily names a Stripe path's resource for metrics labels:
// "/v1/refunds/re_1" -> "refunds", "/v1/billing_portal/sessions" ->
// "billing_portal"; never an id.
std::string EndpointFamily(absl::string_view path);

// PathTemplate is a Stripe path as logs may show it: ids become {id} and
// the query is dropped ("/v1/customers/cus_9a/payment_methods?type=card" ->
// "/v1/customers/{id}/payment_methods"), so no id, email or search text is
// written.
std::string PathTemplate(absl::string_view path);

// ClientStats counts since the client was created.
struct ClientStats {
  uint64_t requests = 0;  // Send calls
  uint64_t attempts = 0;  // requests handed to the transport
  uint64_t retries = 0;
  uint64_t coalesced = 0;  // Send calls answered by another call's request
  uint64_t rate_limit_waits = 0;
  uint64_t rate_limit_refusals = 0;
  uint64_t breaker_refusals = 0;
};

class ResilientStripeClient final : public StripeClient {
 public:
  // Create builds the client over a new HttpConnectionPool; INVALID_ARGUMENT
  // names a bad option. `clock` must outlive the client.
  static absl::StatusOr<std::unique_ptr<ResilientStripeClient>> Create(
      boost::asio::any_io_executor executor, const Clock& clock, StripeClientOptions options);

  // For tests: any transport, sleeper and random source ([0, 1)).
  ResilientStripeClient(std::unique_ptr<StripeTransport> transport, Mode mode, const Clock& clock,
                        Sleeper& sleeper, StripeClientOptions options,
                        std::function<double()> random);
  ~ResilientStripeClient() override;

  boost::asio::awaitable<absl::StatusOr<StripeResponse>> Send(StripeRequest request) override;
  Mode mode() const override { return mode_; }

  // WarmUp opens `options.warm_connections` connections when the transport
  // is a connection pool; a no-op otherwise.
  boost::asio::awaitable<absl::Status> WarmUp();

  ClientStats stats() const;
  // SetBudgetShare: this process's part of the account's rate limits
  // (RateLimiter::SetShare), when replicas share the account.
  void SetBudgetShare(double share);
  // The pool's counters when the transport is a connection pool.
  std::optional<PoolStats> pool_stats() const;

 private:
  struct InFlight;
  // Attempt is one pass through the rate limiter, the breaker and the
  // transport. `refusal` is set when payvox itself stopped the request
  // (rate limit, breaker, cancel); such an attempt is never retried.
  struct Attempt {
    absl::Status refusal;
    absl::StatusOr<HttpAnswer> answer;
  };

  boost::asio::awaitable<absl::StatusOr<StripeResponse>> SendWithRetries(
      const StripeRequest& request);
  // OneAttempt: `attempt` counts from 1.
  boost::asio::awaitable<Attempt> OneAttempt(const StripeRequest& request, int attempt);

  std::unique_ptr<StripeTransport> transport_;
  const Mode mode_;
  const Clock& clock_;
  std::unique_ptr<Sleeper> owned_sleeper_;
  Sleeper& sleeper_;
  const StripeClientOptions options_;
  std::function<double()> random_;
  RateLimiter limiter_;
  CircuitBreaker breaker_;

  // Prometheus families (null without options.metrics).
  metrics::Family<metrics::Counter>* requests_metric_ = nullptr;
  metrics::Family<metrics::Histogram>* duration_metric_ = nullptr;
  metrics::Family<metrics::Counter>* retries_metric_ = nullptr;
  metrics::Family<metrics::Counter>* rate_limit_metric_ = nullptr;
  metrics::Family<metrics::Counter>* rate_limit_wait_metric_ = nullptr;
  metrics::Family<metrics::Counter>* breaker_refusals_metric_ = nullptr;
  void RegisterMetrics();

  std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<InFlight>> in_flight_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> coalesced_{0};
  std::atomic<uint64_t> rate_limit_waits_{0};
  std::atomic<uint64_t> rate_limit_refusals_{0};
  std::atomic<uint64_t> breaker_refusals_{0};
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_RESILIENT_STRIPE_CLIENT_H_
