#include "client/rate_limiter.h"

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
  EXPECT_EQ(limiter.Reserve(RequestClass::kRead, kStart, kStart), kStart);
  EXPECT_EQ(limiter.Reserve(RequestClass::kRead, kStart, kStart), std::nullopt);
  EXPECT_EQ(limiter.Reserve(RequestClass::kWrite, kStart, kStart), kStart);
  EXPECT_EQ(limiter.Reserve(RequestClass::kSearch, kStart, kStart), kStart);
}

}  // namespace
}  // namespace payvox::stripe
