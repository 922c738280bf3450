// retry_policy.h: when and how long to wait before sending a Stripe request
// again, as stripe-node does it (../shared/design/stripe.md, "Retries").
//
//   Retried: no answer at all (connection error, reset, timeout), HTTP 409,
//   HTTP >= 500, and Stripe's errors that say nothing was done because
//   another request held the object (429 `lock_timeout`) or the
//   Idempotency-Key (409 `idempotency_key_in_use`).
//   `Stripe-Should-Retry: true|false` overrides either way; another 429 is
//   retried only when that header says true.
//   Backoff before retry n (1-based): min(0.5 s * 2^(n-1), 5 s) times
//   0.5 * (1 + random), at least 0.5 s, and at least Retry-After when Stripe
//   sent one under 60 s.
//
// The caller adds the rule stripe-node lacks: never wait or send past the
// gRPC deadline. Every retry of a POST reuses its Idempotency-Key.
#ifndef PAYVOX_CLIENT_RETRY_POLICY_H_
#define PAYVOX_CLIENT_RETRY_POLICY_H_

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace payvox::stripe {

struct RetryPolicy {
  // Retries after the first try; 2 as in stripe-node.
  int max_retries = 2;
  absl::Duration initial_delay = absl::Milliseconds(500);
  absl::Duration max_delay = absl::Seconds(5);
  // A Retry-After longer than this is ignored (stripe-node: 60 s).
  absl::Duration max_retry_after = absl::Seconds(60);
};

// AttemptOutcome is what one try produced, as far as retrying cares.
struct AttemptOutcome {
  // No HTTP answer arrived (connect, write or read failed, or timed out).
  bool no_answer = false;
  int http_status = 0;
  // The Stripe-Should-Retry header, when present.
  std::optional<bool> should_retry_header;
  // The Retry-After header in seconds, when present and numeric.
  std::optional<int> retry_after_seconds;
  // Stripe's error code (`error.code`), when the body had one.
  std::string stripe_code;
};

// ShouldRetry says whether `outcome` of try number `retries_done + 1` may be
// retried under `policy` (deadline aside).
bool ShouldRetry(const RetryPolicy& policy, int retries_done, const AttemptOutcome& outcome);

// BackoffDelay is the wait before retry number `retry` (1-based); `random`
// is uniform in [0, 1).
absl::Duration BackoffDelay(const RetryPolicy& policy, int retry, double random,
                            std::optional<int> retry_after_seconds);

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_RETRY_POLICY_H_
