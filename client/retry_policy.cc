#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace payvox::stripe {

bool ShouldRetry(const RetryPolicy& policy, int retries_done, const AttemptOutcome& outcome) {
  if (retries_done >= policy.max_retries) return false;
  if (outcome.no_answer) return true;
  if (outcome.should_retry_header.has_value()) return *outcome.should_retry_header;
  if (outcome.stripe_code == "lock_timeout" || outcome.stripe_code == "idempotency_key_in_use") {
    return true;  // Stripe did nothing: another request held the object or the key
  }
  return outcome.http_status == 409 || outcome.http_status >= 500;
}

absl::Duration BackoffDelay(const RetryPolicy& policy, int retry, double random,
                            std::optional<int> retry_after_seconds) {
  const int exponent = std::clamp(retry - 1, 0, 30);
  absl::Duration delay =
      std::min(policy.initial_delay * std::ldexp(1.0, exponent), policy.max_delay);
  delay *= 0.5 * (1.0 + std::clamp(random, 0.0, 1.0));
  delay = std::max(delay, policy.initial_delay);
  if (retry_after_seconds.has_value() && *retry_after_seconds >= 0) {
    const absl::Duration retry_after = absl::Seconds(*retry_after_seconds);
    if (retry_after < policy.max_retry_after) delay = std::max(delay, retry_after);
  }
  return delay;
}

}  // namespace payvox::stripe
