// async_wait.h: waiting inside Asio coroutines without blocking a thread,
// bounded by a timeout and a CancelSignal.
//
//   AsyncEvent done;                        // one-shot, Set() from any thread
//   switch (co_await done.Wait(timeout, cancel)) { case WaitResult::kSet: ... }
//
//   AsioSleeper sleeper(clock);             // Sleeper: backoff and rate-limit waits
//   if (!co_await sleeper.SleepUntil(wake, cancel)) { /* cancelled */ }
//
// Waiting coroutines must run on a strand (or a one-thread io_context): the
// wake-up is posted to the waiter's own executor.
#ifndef PAYVOX_COMMON_ASYNC_WAIT_H_
#define PAYVOX_COMMON_ASYNC_WAIT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/cancellation.h"
#include "common/clock.h"

namespace payvox {

// ToSteadyDuration clamps `d` to [0, one year] for Asio timers.
std::chrono::steady_clock::duration ToSteadyDuration(absl::Duration d);

enum class WaitResult { kSet, kTimedOut, kCancelled };

// AsyncEvent is a one-shot event. Thread-safe.
class AsyncEvent {
 public:
  void Set();
  bool is_set() const;

  // Wait returns kSet as soon as Set() was called (at once if it was),
  // kCancelled when `cancel` (may be null) fired first, else kTimedOut.
  boost::asio::awaitable<WaitResult> Wait(absl::Duration timeout, const CancelSignal* cancel);

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  mutable std::mutex mu_;
  bool set_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

// Sleeper suspends a coroutine until a point in time. An interface so tests
// of retry and rate-limit logic run on a FakeClock without real sleeping
// (common/testing/fake_sleeper.h).
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // SleepUntil returns false when `cancel` (may be null) fired first.
  virtual boost::asio::awaitable<bool> SleepUntil(absl::Time wake, const CancelSignal* cancel) = 0;
};

// AsioSleeper sleeps on a steady timer for `wake - clock.Now()`.
class AsioSleeper final : public Sleeper {
 public:
  explicit AsioSleeper(const Clock& clock) : clock_(clock) {}
  boost::asio::awaitable<bool> SleepUntil(absl::Time wake, const CancelSignal* cancel) override;

 private:
  const Clock& clock_;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_ASYNC_WAIT_H_
