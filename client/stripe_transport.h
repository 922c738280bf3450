// stripe_transport.h: one HTTP exchange with Stripe, below retries, rate
// limits and the breaker (client/resilient_stripe_client.h).
//
// A transport answers with whatever HTTP status Stripe sent, or with a
// status saying no answer arrived: UNAVAILABLE (connect, write or read
// failed), DEADLINE_EXCEEDED (the bounds' deadline cut it short) or
// CANCELLED (the bounds' cancel signal fired).
#ifndef PAYVOX_CLIENT_STRIPE_TRANSPORT_H_
#define PAYVOX_CLIENT_STRIPE_TRANSPORT_H_

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

class StripeTransport {
 public:
  virtual ~StripeTransport() = default;
  // RoundTrip sends `request` once, within `request.bounds`, which must have
  // a finite deadline. Must be awaited from a strand.
  virtual boost::asio::awaitable<absl::StatusOr<HttpAnswer>> RoundTrip(
      const StripeRequest& request) = 0;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_TRANSPORT_H_
