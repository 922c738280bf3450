// fake_clock.h: a Clock that moves only when a test says so.
#ifndef PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_
#define PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"

namespace payvox::testing {

// FakeClock starts at `start` and advances by Advance(). Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'790'000'000)) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration step) {
    absl::MutexLock lock(&mu_);
    now_ += step;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_
