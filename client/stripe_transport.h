// stripe_transport.h: one HTTP exchange with Stripe, below retries, rate
// limits and the breaker (client/resilient_stripe_client.h).
//
// A transport answers with whatever HTTP status Stripe sent, or with a
// status saying no answer arrived: UNAVAILABLE (connect, write or read
// failed), DEADLINE_EXCEEDED (the bounds' deadline cut it short) or
// CANCELLED (the bounds' cancel signal fired).
#ifndef PAYVOX_CLIENT_STRIPE_TRANSPORT_H_
#define PAYVOX_CLIENT_STRIPE_TRANSPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "client/stripe_client.h"

namespace payvox::stripe {

// HttpAnswer is a complete HTTP answer, any status.
struct HttpAnswer {
  int http_status = 0;
  std::string body;
  std::string request_id;
  bool idempotent_replayed = false;
  // Stripe-Should-Retry: true|false, when sent.
  std::optional<bool> should_retry;
  // Retry-After in whole seconds, when sent and numeric.
  std::optional<int> retry_after_seconds;
};

// PoolStats: a connection pool's counts since it was created.
struct PoolStats {
  uint64_t round_trips = 0;
  // Round trips served on a connection that was already open.
  uint64_t warm_round_trips = 0;
  uint64_t connects = 0;
  uint64_t tls_handshakes = 0;
  uint64_t tls_resumed = 0;
  // Reused connections found closed by the server and replaced.
  uint64_t stale_replaced = 0;
  uint64_t idle_evicted = 0;
  // Requests that waited because every connection was busy.
  uint64_t slot_waits = 0;
  int open_connections = 0;
  int idle_connections = 0;
};

class StripeTransport {
 public:
  virtual ~StripeTransport() = default;
  // RoundTrip sends `request` once, within `request.bounds`, which must have
  // a finite deadline. Must be awaited from a strand.
  virtual boost::asio::awaitable<absl::StatusOr<HttpAnswer>> RoundTrip(
      const StripeRequest& request) = 0;
  // Warm opens up to `count` connections ahead of the first calls, for a
  // transport that keeps connections; others have nothing to do.
  virtual boost::asio::awaitable<absl::Status> Warm(int /*count*/, CallBounds /*bounds*/) {
    co_return absl::OkStatus();
  }
  // stats: the pool's counts; nullopt for a transport without connections.
  virtual std::optional<PoolStats> stats() const { return std::nullopt; }
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_TRANSPORT_H_
