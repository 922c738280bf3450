#include "client/circuit_breaker.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/error_detail.h"

namespace payvox::stripe {

absl::StatusOr<BreakerTicket> CircuitBreaker::Admit(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return BreakerTicket{};
  if (now >= open_until_ && !probe_in_flight_) {
    probe_in_flight_ = true;  // half-open: this request is the probe
    return BreakerTicket{.probe = true};
  }
  const double wait_seconds = std::max(1.0, std::ceil(absl::ToDoubleSeconds(open_until_ - now)));
  return FlowError(
      absl::StatusCode::kUnavailable,
      absl::StrCat("Stripe failed ", options_.failure_threshold,
                   " requests in a row, so payvox is pausing calls to it; retry with the same "
                   "request_id in about ",
                   wait_seconds, " s."),
      "stripe_unavailable",
      "I can't reach the payment system right now. Let me try again in a moment.",
      /*retryable=*/true);
}

void CircuitBreaker::Record(BreakerTicket ticket, BreakerOutcome outcome, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ticket.probe) probe_in_flight_ = false;
  switch (outcome) {
    case BreakerOutcome::kNeutral:
      return;
    case BreakerOutcome::kSuccess:
      consecutive_failures_ = 0;
      open_ = false;
      return;
    case BreakerOutcome::kFailure:
      ++consecutive_failures_;
      if (ticket.probe || consecutive_failures_ >= options_.failure_threshold) {
        open_ = true;
        open_until_ = now + options_.cool_down;
      }
      return;
  }
}

BreakerState CircuitBreaker::state(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return BreakerState::kClosed;
  return now >= open_until_ ? BreakerState::kHalfOpen : BreakerState::kOpen;
}

}  // namespace payvox::stripe
