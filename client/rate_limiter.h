// rate_limiter.h: client-side token buckets that keep payvox under Stripe's
// per-account limits (live: 100 reads + 100 writes per second; test: 25 +
// 25; Search: 20) and its per-endpoint limit (25 per second for each
// method and path by default), so a busy tenant waits a few milliseconds
// here instead of collecting 429s from Stripe.
//
//   RateLimiter limiter(RateLimits::ForMode(Mode::kLive), clock.Now());
//   std::optional<absl::Time> ready =
//       limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", now, deadline);
//   if (!ready) -> RESOURCE_EXHAUSTED; else sleep until *ready, then send.
#ifndef PAYVOX_CLIENT_RATE_LIMITER_H_
#define PAYVOX_CLIENT_RATE_LIMITER_H_

#include <mutex>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "client/stripe_client.h"

namespace payvox::stripe {

// TokenBucket refills at `per_second` up to `burst` tokens. Not thread-safe
// on its own (RateLimiter locks).
class TokenBucket {
 public:
  TokenBucket(double per_second, double burst, absl::Time now);

  // Reserve takes one token and returns when it may be used: `now` if one
  // is in the bucket, later if the bucket is in debt. When that is after
  // `latest` nothing is taken and nullopt is returned.
  std::optional<absl::Time> Reserve(absl::Time now, absl::Time latest);
  // ReadyAt is when a token taken now could be used; Take takes it.
  absl::Time ReadyAt(absl::Time now);
  void Take() { tokens_ -= 1.0; }
  // SetRate changes the refill and the burst from `now` on; tokens past
  // the new burst are dropped.
  void SetRate(double per_second, double burst, absl::Time now);

 private:
  void Refill(absl::Time now);

  double per_second_;
  double burst_;
  double tokens_;
  absl::Time updated_;
};

enum class RequestClass { kRead, kWrite, kSearch };
absl::string_view RequestClassName(RequestClass request_class);

// ClassOf: POST and DELETE write; GET under /search reads Search; other GETs read.
RequestClass ClassOf(const StripeRequest& request);

struct RateLimits {
  double read_per_second = 25;
  double write_per_second = 25;
  double search_per_second = 20;
  // Each endpoint (method and path template) on its own.
  double endpoint_per_second = 25;

  // ForMode: Stripe's documented limits for the key's mode.
  static RateLimits ForMode(Mode mode);
};

// RateLimiter is one key's set of buckets: one per request class and one per
// endpoint. Thread-safe.
class RateLimiter {
 public:
  // Endpoints past this many share no bucket of their own (the class's
  // still holds them); payvox's own paths are far fewer.
  static constexpr size_t kMaxEndpoints = 512;

  RateLimiter(const RateLimits& limits, absl::Time now);

  // Reserve takes a token from the class's bucket and from `endpoint`'s
  // ("POST /v1/refunds", ids as {id}) and returns when both may be used;
  // nullopt (nothing taken) when that is after `latest`.
  std::optional<absl::Time> Reserve(RequestClass request_class, absl::string_view endpoint,
                                    absl::Time now, absl::Time latest);

  // SetShare runs every bucket at `share` (0 to 1] of its limit from `now`
  // on: replicas sharing one Stripe account each take their part of it.
  void SetShare(double share, absl::Time now);

 private:
  TokenBucket& ClassBucket(RequestClass request_class) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimits limits_;
  std::mutex mu_;
  double share_ ABSL_GUARDED_BY(mu_) = 1.0;
  TokenBucket read_ ABSL_GUARDED_BY(mu_);
  TokenBucket write_ ABSL_GUARDED_BY(mu_);
  TokenBucket search_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TokenBucket> endpoints_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_RATE_LIMITER_H_
