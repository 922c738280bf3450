#include "common/clock.h"

#include "absl/time/clock.h"

namespace payvox {

absl::Time SystemClock::Now() const { return absl::Now(); }

}  // namespace payvox
