// circuit_breaker.h: stop calling a Stripe that keeps failing.
//
// After `failure_threshold` failures in a row (HTTP 5xx, no answer, or a
// timeout) the breaker opens: requests fail at once with UNAVAILABLE for
// `cool_down`, so callers hear "try again in a moment" instead of waiting
// out their deadline. Then one probe request is let through; its success
// closes the breaker, its failure opens it for another cool-down.
//
//   PAYVOX_ASSIGN_OR_RETURN(BreakerTicket ticket, breaker.Admit(now));
//   ... send ...
//   breaker.Record(ticket, BreakerOutcome::kSuccess, now);   // once per ticket
#ifndef PAYVOX_CLIENT_CIRCUIT_BREAKER_H_
#define PAYVOX_CLIENT_CIRCUIT_BREAKER_H_

#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace payvox::stripe {

struct BreakerOptions {
  int failure_threshold = 5;
  absl::Duration cool_down = absl::Seconds(10);
};

enum class BreakerOutcome {
  kSuccess,  // Stripe answered (any status below 500)
  kFailure,  // 5xx, no answer, timeout
  kNeutral,  // the attempt ended without telling anything (cancelled)
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };

// BreakerTicket is an admitted request; the probe after a cool-down is
// marked so that only its outcome decides the half-open state.
struct BreakerTicket {
  bool probe = false;
};

// CircuitBreaker is one key's breaker. Thread-safe.
class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerOptions options) : options_(options) {}

  // Admit returns a ticket when a request may be sent, else UNAVAILABLE
  // saying when to try again.
  absl::StatusOr<BreakerTicket> Admit(absl::Time now);
  // Record reports how an admitted request ended.
  void Record(BreakerTicket ticket, BreakerOutcome outcome, absl::Time now);

  BreakerState state(absl::Time now) const;

 private:
  const BreakerOptions options_;
  mutable std::mutex mu_;
  int consecutive_failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time open_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  bool probe_in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_CIRCUIT_BREAKER_H_
