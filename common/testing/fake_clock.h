// fake_clock.h: a Clock that moves only when a test says so.
#ifndef PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_
#define PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_

#include <mutex>

#include "absl/base/thread_annotations.h"
#include "common/clock.h"

namespace payvox::testing {

// FakeClock starts at `start` and advances by Advance(). Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'790'000'000)) : now_(start) {}

  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration step) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += step;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_FAKE_CLOCK_H_
