#include "client/rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(TokenBucket, SpendsTheBurstThenSpacesReservationsByTheRate) {
  TokenBucket bucket(/*per_second=*/4, /*burst=*/2, kStart);
  EXPECT_EQ(bucket.Reserve(kStart, absl::InfiniteFuture()), kStart);
  EXPECT_EQ(bucket.Reserve(kStart, absl::InfiniteFuture()), kStart);
  EXPECT_EQ(bucket.Reserve(kStart, absl::InfiniteFuture()), kStart + absl::Milliseconds(250));
  EXPECT_EQ(bucket.Reserve(kStart, absl::InfiniteFuture()), kStart + absl::Milliseconds(500));
}

TEST(TokenBucket, RefusesWithoutTakingWhenTheTokenComesTooLate) {
  TokenBucket bucket(/*per_second=*/1, /*burst=*/1, kStart);
  ASSERT_EQ(bucket.Reserve(kStart, kStart), kStart);
  EXPECT_EQ(bucket.Reserve(kStart, kStart + absl::Milliseconds(999)), std::nullopt);
  // The refused call took nothing: the next second's token is still free.
  EXPECT_EQ(bucket.Reserve(kStart, kStart + absl::Seconds(1)), kStart + absl::Seconds(1));
}

TEST(TokenBucket, RefillsWithTimeUpToTheBurst) {
  TokenBucket bucket(/*per_second=*/10, /*burst=*/3, kStart);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(bucket.Reserve(kStart, kStart), kStart);
  EXPECT_EQ(bucket.Reserve(kStart, kStart), std::nullopt);
  const absl::Time later = kStart + absl::Minutes(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.Reserve(later, later), later);
  EXPECT_EQ(bucket.Reserve(later, later), std::nullopt);
}

TEST(RateLimits, FollowStripesDocumentedLimits) {
  const RateLimits live = RateLimits::ForMode(Mode::kLive);
  EXPECT_EQ(live.read_per_second, 100);
  EXPECT_EQ(live.write_per_second, 100);
  EXPECT_EQ(live.search_per_second, 20);
  const RateLimits test = RateLimits::ForMode(Mode::kTest);
  EXPECT_EQ(test.read_per_second, 25);
  EXPECT_EQ(test.write_per_second, 25);
  EXPECT_EQ(test.search_per_second, 20);
}

TEST(ClassOf, SeparatesReadsWritesAndSearch) {
  EXPECT_EQ(ClassOf({.method = HttpMethod::kGet, .path = "/v1/charges"}), RequestClass::kRead);
  EXPECT_EQ(ClassOf({.method = HttpMethod::kGet, .path = "/v1/customers/search"}),
            RequestClass::kSearch);
  EXPECT_EQ(ClassOf({.method = HttpMethod::kPost, .path = "/v1/refunds"}), RequestClass::kWrite);
  EXPECT_EQ(ClassOf({.method = HttpMethod::kDelete, .path = "/v1/customers/cus_1"}),
            RequestClass::kWrite);
}

TEST(RateLimiter, KeepsSeparateBucketsPerClass) {
  RateLimiter limiter({.read_per_second = 1, .write_per_second = 1, .search_per_second = 1},
                      kStart);
  EXPECT_EQ(limiter.Reserve(RequestClass::kRead, "GET /v1/charges", kStart, kStart), kStart);
  EXPECT_EQ(limiter.Reserve(RequestClass::kRead, "GET /v1/refunds", kStart, kStart), std::nullopt);
  EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart), kStart);
  EXPECT_EQ(limiter.Reserve(RequestClass::kSearch, "GET /v1/customers/search", kStart, kStart),
            kStart);
}

// Live mode allows 100 writes a second, but Stripe limits each endpoint to
// 25: the 26th refund in a second waits, while another endpoint does not.
TEST(RateLimiter, HoldsEachEndpointToItsOwnBudget) {
  RateLimiter limiter(RateLimits::ForMode(Mode::kLive), kStart);
  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart), kStart)
        << i;
  }
  EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart),
            std::nullopt);
  EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/coupons", kStart, kStart), kStart);
  // It waits its endpoint's refill (1/25 s), not the account's.
  const std::optional<absl::Time> ready =
      limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, absl::InfiniteFuture());
  ASSERT_TRUE(ready.has_value());
  EXPECT_NEAR(absl::ToDoubleMilliseconds(*ready - kStart), 40, 0.001);
}

// Three replicas on one live account: each runs at a third of it, burst
// included, so together they stay within Stripe's limits.
TEST(RateLimiter, AShareRunsEveryBucketAtItsPartOfTheLimit) {
  RateLimiter limiter(RateLimits::ForMode(Mode::kLive), kStart);
  ASSERT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart), kStart);
  limiter.SetShare(1.0 / 3, kStart);
  // The endpoint's 25 a second becomes 8.33, and its 24 tokens left its
  // burst of 8.33.
  int granted = 0;
  while (limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart).has_value()) {
    ++granted;
  }
  EXPECT_EQ(granted, 8);
  const std::optional<absl::Time> ready =
      limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, absl::InfiniteFuture());
  ASSERT_TRUE(ready.has_value());
  // The third of a token left, refilled at 8.33 a second: 80 ms.
  EXPECT_NEAR(absl::ToDoubleMilliseconds(*ready - kStart), 80, 0.001);
  // A new endpoint starts at its share too.
  int coupons = 0;
  while (limiter.Reserve(RequestClass::kWrite, "POST /v1/coupons", kStart, kStart).has_value()) {
    ++coupons;
  }
  EXPECT_EQ(coupons, 8);
  // Back to the whole account when the others are gone.
  limiter.SetShare(1.0, kStart + absl::Seconds(10));
  int refunds = 0;
  const absl::Time later = kStart + absl::Seconds(10);
  while (limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", later, later).has_value()) {
    ++refunds;
  }
  EXPECT_EQ(refunds, 8);  // refilled up to the share's burst; the full rate from here on
}

// A refusal by one bucket takes nothing from the other.
TEST(RateLimiter, ARefusalTakesNoTokenFromEitherBucket) {
  RateLimiter limiter({.write_per_second = 2, .endpoint_per_second = 1}, kStart);
  ASSERT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart), kStart);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/refunds", kStart, kStart),
              std::nullopt);
  }
  // The account's second token is still there for another endpoint.
  EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, "POST /v1/coupons", kStart, kStart), kStart);
}

TEST(RateLimiter, EndpointsPastTheBoundShareOnlyTheirClassBucket) {
  RateLimiter limiter({.read_per_second = 1e6, .endpoint_per_second = 1}, kStart);
  for (size_t i = 0; i < RateLimiter::kMaxEndpoints; ++i) {
    ASSERT_EQ(limiter.Reserve(RequestClass::kRead, absl::StrCat("GET /v1/e", i), kStart, kStart),
              kStart);
  }
  // Past the bound: no endpoint bucket of its own, so no endpoint refusal.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Reserve(RequestClass::kRead, "GET /v1/late", kStart, kStart), kStart);
  }
  EXPECT_EQ(limiter.Reserve(RequestClass::kRead, "GET /v1/e0", kStart, kStart), std::nullopt);
}

}  // namespace
}  // namespace payvox::stripe
