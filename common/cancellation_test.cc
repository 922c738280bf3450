#include "common/cancellation.h"

#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(CancelSignal, RunsSubscribersOnceAndLateSubscribersAtOnce) {
  CancelSignal signal;
  int runs = 0;
  CancelSignal::Registration hook = signal.Subscribe([&] { ++runs; });
  EXPECT_FALSE(signal.cancelled());
  signal.Cancel();
  signal.Cancel();
  EXPECT_TRUE(signal.cancelled());
  EXPECT_EQ(runs, 1);
  CancelSignal::Registration late = signal.Subscribe([&] { ++runs; });
  EXPECT_EQ(runs, 2);
}

TEST(CancelSignal, ADroppedRegistrationIsNeverCalled) {
  CancelSignal signal;
  int runs = 0;
  {
    CancelSignal::Registration hook = signal.Subscribe([&] { ++runs; });
  }
  CancelSignal::Registration moved;
  {
    CancelSignal::Registration hook = signal.Subscribe([&] { runs += 10; });
    moved = std::move(hook);
  }
  signal.Cancel();
  EXPECT_EQ(runs, 10);
}

TEST(CallBounds, ConvertsFromADeadlineAndReportsCancellation) {
  const CallBounds plain = absl::FromUnixSeconds(5);
  EXPECT_EQ(plain.deadline, absl::FromUnixSeconds(5));
  EXPECT_FALSE(plain.cancelled());
  auto signal = std::make_shared<CancelSignal>();
  const CallBounds bounds(absl::InfiniteFuture(), signal);
  EXPECT_FALSE(bounds.cancelled());
  signal->Cancel();
  EXPECT_TRUE(bounds.cancelled());
}

}  // namespace
}  // namespace payvox
