// constant_time.h: comparisons whose duration does not depend on where two
// secrets differ (card last-4 digits, signatures, token hashes).
#ifndef PAYVOX_COMMON_CONSTANT_TIME_H_
#define PAYVOX_COMMON_CONSTANT_TIME_H_

#include "absl/strings/string_view.h"

namespace payvox {

// ConstantTimeEquals is true when `a` and `b` hold the same bytes. Its time
// depends only on the lengths, never on the contents.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace payvox

#endif  // PAYVOX_COMMON_CONSTANT_TIME_H_
