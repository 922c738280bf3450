// hmac.h: HMAC-SHA256, the one keyed hash payvox checks and makes
// (Stripe-Signature, X-Retell-Signature, confirmation tokens).
#ifndef PAYVOX_COMMON_HMAC_H_
#define PAYVOX_COMMON_HMAC_H_

#include <string>

#include "absl/strings/string_view.h"

namespace payvox {

// HmacSha256 is the 32-byte MAC of `data` under `key`.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// HmacSha256Hex is the same as 64 lower-case hex digits.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

}  // namespace payvox

#endif  // PAYVOX_COMMON_HMAC_H_
