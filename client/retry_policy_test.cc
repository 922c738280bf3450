#include "client/retry_policy.h"

#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

TEST(ShouldRetry, RetriesWhatStripeNodeRetries) {
  const RetryPolicy policy;
  EXPECT_TRUE(ShouldRetry(policy, 0, {.no_answer = true}));
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 409}));
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 500}));
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 502}));
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 503}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 400}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 402}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 404}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 429}));
}

TEST(ShouldRetry, StripeShouldRetryHeaderWinsBothWays) {
  const RetryPolicy policy;
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 429, .should_retry_header = true}));
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 400, .should_retry_header = true}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 500, .should_retry_header = false}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 409, .should_retry_header = false}));
}

// Stripe answers 429 lock_timeout when another request holds the object,
// and 409 idempotency_key_in_use when a request with the same key is still
// running: nothing was done, so both are retried; other 429s are not.
TEST(ShouldRetry, RetriesWhatStripeDidNotDoBecauseSomethingWasHeld) {
  const RetryPolicy policy;
  EXPECT_TRUE(ShouldRetry(policy, 0, {.http_status = 429, .stripe_code = "lock_timeout"}));
  EXPECT_TRUE(
      ShouldRetry(policy, 0, {.http_status = 409, .stripe_code = "idempotency_key_in_use"}));
  EXPECT_FALSE(ShouldRetry(policy, 0, {.http_status = 429, .stripe_code = "rate_limit"}));
  EXPECT_FALSE(ShouldRetry(
      policy, 0,
      {.http_status = 429, .should_retry_header = false, .stripe_code = "lock_timeout"}));
  EXPECT_FALSE(ShouldRetry(policy, 2, {.http_status = 429, .stripe_code = "lock_timeout"}));
}

TEST(ShouldRetry, StopsAtMaxRetries) {
  const RetryPolicy policy{.max_retries = 2};
  EXPECT_TRUE(ShouldRetry(policy, 1, {.http_status = 503}));
  EXPECT_FALSE(ShouldRetry(policy, 2, {.http_status = 503}));
  EXPECT_FALSE(ShouldRetry(policy, 2, {.no_answer = true}));
  EXPECT_FALSE(ShouldRetry(RetryPolicy{.max_retries = 0}, 0, {.no_answer = true}));
}

TEST(BackoffDelay, DoublesFromHalfASecondUpToFiveWithJitterAndFloor) {
  const RetryPolicy policy;
  // random = 1 gives the full exponential value.
  EXPECT_EQ(BackoffDelay(policy, 1, 1.0, std::nullopt), absl::Milliseconds(500));
  EXPECT_EQ(BackoffDelay(policy, 2, 1.0, std::nullopt), absl::Seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 3, 1.0, std::nullopt), absl::Seconds(2));
  EXPECT_EQ(BackoffDelay(policy, 4, 1.0, std::nullopt), absl::Seconds(4));
  EXPECT_EQ(BackoffDelay(policy, 5, 1.0, std::nullopt), absl::Seconds(5));
  EXPECT_EQ(BackoffDelay(policy, 40, 1.0, std::nullopt), absl::Seconds(5));
  // random = 0 halves it, but never below the 0.5 s floor.
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0, std::nullopt), absl::Milliseconds(500));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.0, std::nullopt), absl::Seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.5, std::nullopt), absl::Milliseconds(1500));
}

TEST(BackoffDelay, HonoursShortRetryAfterOnly) {
  const RetryPolicy policy;
  EXPECT_EQ(BackoffDelay(policy, 1, 1.0, 3), absl::Seconds(3));
  EXPECT_EQ(BackoffDelay(policy, 4, 1.0, 1), absl::Seconds(4));
  EXPECT_EQ(BackoffDelay(policy, 1, 1.0, 120), absl::Milliseconds(500));
}

}  // namespace
}  // namespace payvox::stripe
