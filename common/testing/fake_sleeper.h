// fake_sleeper.h: a Sleeper that moves a FakeClock instead of waiting, and
// remembers every sleep it was asked for.
#ifndef PAYVOX_COMMON_TESTING_FAKE_SLEEPER_H_
#define PAYVOX_COMMON_TESTING_FAKE_SLEEPER_H_

#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/async_wait.h"
#include "common/testing/fake_clock.h"

namespace payvox::testing {

class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}

  boost::asio::awaitable<bool> SleepUntil(absl::Time wake, const CancelSignal* cancel) override {
    const absl::Duration sleep = std::max(wake - clock_.Now(), absl::ZeroDuration());
    {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(sleep);
    }
    if (cancel != nullptr && cancel->cancelled()) co_return false;
    clock_.Advance(sleep);
    co_return true;
  }

  std::vector<absl::Duration> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  FakeClock& clock_;
  mutable std::mutex mu_;
  std::vector<absl::Duration> sleeps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_FAKE_SLEEPER_H_
