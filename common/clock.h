// clock.h: the one source of time for payvox.
//
// Nothing in payvox reads the system time directly; components take a
// `const Clock&` in their constructor so tests can use FakeClock
// (common/testing/fake_clock.h).
#ifndef PAYVOX_COMMON_CLOCK_H_
#define PAYVOX_COMMON_CLOCK_H_

#include "absl/time/time.h"

namespace payvox {

// Clock tells the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// SystemClock is the real wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_CLOCK_H_
