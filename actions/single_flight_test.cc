#include "actions/single_flight.h"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::IsOkAndHolds;
using ::payvox::testing::StatusIs;

// WaitOn runs a follower's Wait to its end on an io_context of its own.
absl::StatusOr<std::string> WaitOn(SingleFlight::Ticket& ticket, CallBounds bounds) {
  SystemClock clock;
  boost::asio::io_context io;
  auto answer =
      boost::asio::co_spawn(io, ticket.Wait(std::move(bounds), clock), boost::asio::use_future);
  io.run();
  return answer.get();
}

TEST(SingleFlightTest, FollowersGetTheLeadersAnswer) {
  SingleFlight flights;
  SystemClock clock;
  SingleFlight::Ticket leader = flights.Join("k", "f");
  ASSERT_TRUE(leader.leader());
  SingleFlight::Ticket follower = flights.Join("k", "f");
  ASSERT_FALSE(follower.leader());
  EXPECT_EQ(flights.InFlight(), 1u);

  boost::asio::io_context io;
  auto answer = boost::asio::co_spawn(io, follower.Wait(absl::InfiniteFuture(), clock),
                                      boost::asio::use_future);
  io.run_for(std::chrono::milliseconds(20));  // the follower is waiting
  leader.Publish(std::string("answer"));
  io.restart();
  io.run();
  EXPECT_THAT(answer.get(), IsOkAndHolds(std::string("answer")));
  EXPECT_EQ(flights.InFlight(), 0u);
  // After the flight, the same key leads a new one (it finds the saved answer).
  EXPECT_TRUE(flights.Join("k", "f").leader());
}

TEST(SingleFlightTest, OtherParametersUnderTheSameKeyAreAborted) {
  SingleFlight flights;
  SingleFlight::Ticket leader = flights.Join("k", "f");
  SingleFlight::Ticket other = flights.Join("k", "g");
  EXPECT_THAT(WaitOn(other, absl::InfiniteFuture()), StatusIs(absl::StatusCode::kAborted));
}

TEST(SingleFlightTest, AFollowerStopsAtItsDeadlineAndTheLeaderGoesOn) {
  SingleFlight flights;
  SingleFlight::Ticket leader = flights.Join("k", "f");
  SingleFlight::Ticket follower = flights.Join("k", "f");
  EXPECT_THAT(WaitOn(follower, absl::Now() + absl::Milliseconds(20)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(flights.InFlight(), 1u);
}

TEST(SingleFlightTest, ALeaderDroppedWithoutAnAnswerReleasesItsFollowers) {
  SingleFlight flights;
  std::optional<SingleFlight::Ticket> leader(flights.Join("k", "f"));
  SingleFlight::Ticket follower = flights.Join("k", "f");
  leader.reset();
  EXPECT_THAT(WaitOn(follower, absl::InfiniteFuture()), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(flights.InFlight(), 0u);
}

}  // namespace
}  // namespace payvox
