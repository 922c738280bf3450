#include "common/async_wait.h"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;

TEST(AsyncEvent, ReturnsAtOnceWhenAlreadySet) {
  AsyncEvent event;
  event.Set();
  EXPECT_TRUE(event.is_set());
  EXPECT_EQ(RunCoroutine(event.Wait(absl::Hours(1), nullptr)), WaitResult::kSet);
}

TEST(AsyncEvent, TimesOut) {
  AsyncEvent event;
  EXPECT_EQ(RunCoroutine(event.Wait(absl::Milliseconds(5), nullptr)), WaitResult::kTimedOut);
}

TEST(AsyncEvent, WakesAWaiterFromAnotherThread) {
  AsyncEvent event;
  boost::asio::io_context io;
  auto result =
      boost::asio::co_spawn(io, event.Wait(absl::Hours(1), nullptr), boost::asio::use_future);
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    event.Set();
  });
  io.run();
  setter.join();
  EXPECT_EQ(result.get(), WaitResult::kSet);
}

TEST(AsyncEvent, ACancelSignalEndsTheWait) {
  AsyncEvent event;
  CancelSignal cancel;
  boost::asio::io_context io;
  auto result =
      boost::asio::co_spawn(io, event.Wait(absl::Hours(1), &cancel), boost::asio::use_future);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cancel.Cancel();
  });
  io.run();
  canceller.join();
  EXPECT_EQ(result.get(), WaitResult::kCancelled);
}

TEST(AsioSleeper, SleepsUntilTheWakeTimeOrTheCancel) {
  SystemClock clock;
  AsioSleeper sleeper(clock);
  const absl::Time start = clock.Now();
  EXPECT_TRUE(RunCoroutine(sleeper.SleepUntil(start + absl::Milliseconds(20), nullptr)));
  EXPECT_GE(clock.Now() - start, absl::Milliseconds(20));

  CancelSignal cancel;
  cancel.Cancel();
  EXPECT_FALSE(RunCoroutine(sleeper.SleepUntil(clock.Now() + absl::Hours(1), &cancel)));
}

}  // namespace
}  // namespace payvox
