#include "client/circuit_breaker.h"

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

void Fail(CircuitBreaker& breaker, int times, absl::Time now) {
  for (int i = 0; i < times; ++i) {
    absl::StatusOr<BreakerTicket> ticket = breaker.Admit(now);
    ASSERT_TRUE(ticket.ok()) << ticket.status();
    breaker.Record(*ticket, BreakerOutcome::kFailure, now);
  }
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndFailsFast) {
  CircuitBreaker breaker({.failure_threshold = 3, .cool_down = absl::Seconds(10)});
  Fail(breaker, 2, kStart);
  EXPECT_EQ(breaker.state(kStart), BreakerState::kClosed);
  Fail(breaker, 1, kStart);
  EXPECT_EQ(breaker.state(kStart), BreakerState::kOpen);
  const absl::StatusOr<BreakerTicket> refused = breaker.Admit(kStart + absl::Seconds(1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("about 9 s"));
}

TEST(CircuitBreaker, SuccessResetsTheCount) {
  CircuitBreaker breaker({.failure_threshold = 3, .cool_down = absl::Seconds(10)});
  Fail(breaker, 2, kStart);
  absl::StatusOr<BreakerTicket> ticket = breaker.Admit(kStart);
  ASSERT_TRUE(ticket.ok());
  breaker.Record(*ticket, BreakerOutcome::kSuccess, kStart);
  Fail(breaker, 2, kStart);
  EXPECT_EQ(breaker.state(kStart), BreakerState::kClosed);
}

TEST(CircuitBreaker, LetsOneProbeThroughAfterTheCoolDown) {
  CircuitBreaker breaker({.failure_threshold = 1, .cool_down = absl::Seconds(10)});
  Fail(breaker, 1, kStart);
  const absl::Time later = kStart + absl::Seconds(10);
  EXPECT_EQ(breaker.state(later), BreakerState::kHalfOpen);
  absl::StatusOr<BreakerTicket> probe = breaker.Admit(later);
  ASSERT_TRUE(probe.ok());
  EXPECT_TRUE(probe->probe);
  // Only one probe at a time.
  EXPECT_EQ(breaker.Admit(later).status().code(), absl::StatusCode::kUnavailable);
  breaker.Record(*probe, BreakerOutcome::kSuccess, later);
  EXPECT_EQ(breaker.state(later), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Admit(later).ok());
}

TEST(CircuitBreaker, AFailedProbeOpensForAnotherCoolDown) {
  CircuitBreaker breaker({.failure_threshold = 5, .cool_down = absl::Seconds(10)});
  Fail(breaker, 5, kStart);
  const absl::Time later = kStart + absl::Seconds(10);
  absl::StatusOr<BreakerTicket> probe = breaker.Admit(later);
  ASSERT_TRUE(probe.ok());
  breaker.Record(*probe, BreakerOutcome::kFailure, later);
  EXPECT_EQ(breaker.state(later + absl::Seconds(9)), BreakerState::kOpen);
  EXPECT_EQ(breaker.state(later + absl::Seconds(10)), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, ANeutralProbeFreesTheSlotWithoutClosing) {
  CircuitBreaker breaker({.failure_threshold = 1, .cool_down = absl::Seconds(1)});
  Fail(breaker, 1, kStart);
  const absl::Time later = kStart + absl::Seconds(1);
  absl::StatusOr<BreakerTicket> probe = breaker.Admit(later);
  ASSERT_TRUE(probe.ok());
  breaker.Record(*probe, BreakerOutcome::kNeutral, later);
  EXPECT_EQ(breaker.state(later), BreakerState::kHalfOpen);
  EXPECT_TRUE(breaker.Admit(later).ok());
}

}  // namespace
}  // namespace payvox::stripe
