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

absl::Time TokenBucket::ReadyAt(absl::Time now) {
  Refill(now);
  if (tokens_ >= 1.0) return now;
  // In debt: the token is ready once the refill covers it.
  return now + absl::Seconds((1.0 - tokens_) / per_second_);
}

void TokenBucket::SetRate(double per_second, double burst, absl::Time now) {
  Refill(now);
  per_second_ = per_second;
  burst_ = std::max(burst, 1.0);
  tokens_ = std::min(tokens_, burst_);
}

std::optional<absl::Time> TokenBucket::Reserve(absl::Time now, absl::Time latest) {
  const absl::Time ready = ReadyAt(now);
  if (ready > latest) return std::nullopt;
  Take();
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
    : limits_(limits),
      read_(limits.read_per_second, limits.read_per_second, now),
      write_(limits.write_per_second, limits.write_per_second, now),
      search_(limits.search_per_second, limits.search_per_second, now) {}

TokenBucket& RateLimiter::ClassBucket(RequestClass request_class) {
  switch (request_class) {
    case RequestClass::kRead:
      return read_;
    case RequestClass::kWrite:
      return write_;
    case RequestClass::kSearch:
      return search_;
  }
  return read_;
}

std::optional<absl::Time> RateLimiter::Reserve(RequestClass request_class,
                                               absl::string_view endpoint, absl::Time now,
                                               absl::Time latest) {
  std::lock_guard<std::mutex> lock(mu_);
  TokenBucket& by_class = ClassBucket(request_class);
  TokenBucket* by_endpoint = nullptr;
  if (auto it = endpoints_.find(endpoint); it != endpoints_.end()) {
    by_endpoint = &it->second;
  } else if (endpoints_.size() < kMaxEndpoints) {
    by_endpoint = &endpoints_
                       .try_emplace(std::string(endpoint), limits_.endpoint_per_second * share_,
                                    limits_.endpoint_per_second * share_, now)
                       .first->second;
  }
  absl::Time ready = by_class.ReadyAt(now);
  if (by_endpoint != nullptr) ready = std::max(ready, by_endpoint->ReadyAt(now));
  // A token at hand is used, whatever `latest`; only a wait can be too late.
  if (ready > now && ready > latest) return std::nullopt;
  by_class.Take();
  if (by_endpoint != nullptr) by_endpoint->Take();
  return ready;
}

void RateLimiter::SetShare(double share, absl::Time now) {
  share = std::clamp(share, 0.001, 1.0);
  std::lock_guard<std::mutex> lock(mu_);
  if (share == share_) return;
  share_ = share;
  read_.SetRate(limits_.read_per_second * share, limits_.read_per_second * share, now);
  write_.SetRate(limits_.write_per_second * share, limits_.write_per_second * share, now);
  search_.SetRate(limits_.search_per_second * share, limits_.search_per_second * share, now);
  for (auto& [endpoint, bucket] : endpoints_) {
    bucket.SetRate(limits_.endpoint_per_second * share, limits_.endpoint_per_second * share, now);
  }
}

}  // namespace payvox::stripe
