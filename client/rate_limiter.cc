#include "client/rate_limiter.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace payvox::stripe {

TokenBucket::TokenBucket(double per_second, double burst, absl::Time now)
    : per_second_(per_second), burst_(std::max(burst, 1.0)), tokens_(burst_), updated_(now) {}

void TokenBucket::Refill(absl::Time now) {
  if (now <= updated_) return;
  tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - updated_) * per_second_);
  updated_ = now;
}

std::optional<absl::Time> TokenBucket::Reserve(absl::Time now, absl::Time latest) {
  Refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return now;
  }
  // In debt: the token is ready once the refill covers it.
  const absl::Time ready = now + absl::Seconds((1.0 - tokens_) / per_second_);
  if (ready > latest) return std::nullopt;
  tokens_ -= 1.0;
  return ready;
}

absl::string_view RequestClassName(RequestClass request_class) {
  switch (request_class) {
    case RequestClass::kRead:
      return "read";
    case RequestClass::kWrite:
      return "write";
    case RequestClass::kSearch:
      return "search";
  }
  return "read";
}

RequestClass ClassOf(const StripeRequest& request) {
  if (request.method != HttpMethod::kGet) return RequestClass::kWrite;
  if (absl::EndsWith(request.path, "/search")) return RequestClass::kSearch;
  return RequestClass::kRead;
}

RateLimits RateLimits::ForMode(Mode mode) {
  if (mode == Mode::kLive) return {.read_per_second = 100, .write_per_second = 100};
  return {};
}

RateLimiter::RateLimiter(const RateLimits& limits, absl::Time now)
    : read_(limits.read_per_second, limits.read_per_second, now),
      write_(limits.write_per_second, limits.write_per_second, now),
      search_(limits.search_per_second, limits.search_per_second, now) {}

std::optional<absl::Time> RateLimiter::Reserve(RequestClass request_class, absl::Time now,
                                               absl::Time latest) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (request_class) {
    case RequestClass::kRead:
      return read_.Reserve(now, latest);
    case RequestClass::kWrite:
      return write_.Reserve(now, latest);
    case RequestClass::kSearch:
      return search_.Reserve(now, latest);
  }
  return now;
}

}  // namespace payvox::stripe
