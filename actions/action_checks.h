// action_checks.h: checks every voice action applies to its request before
// anything is sent or stored, with errors that name the field at fault.
#ifndef PAYVOX_ACTIONS_ACTION_CHECKS_H_
#define PAYVOX_ACTIONS_ACTION_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "payvox/v1/types.pb.h"

namespace payvox {

// Stripe's 8-digit limit on amounts in minor units.
inline constexpr int64_t kMaxAmountMinor = 99'999'999;

// ValidateToken: printable ASCII without spaces, at most 128 characters;
// empty only when not `required`.
absl::Status ValidateToken(absl::string_view field, absl::string_view value, bool required);
// ValidateContext checks call_id (required), request_id (required for
// writes) and agent_id.
absl::Status ValidateContext(const v1::CallContext& context, bool needs_request_id);
// ValidatePhone: E.164, "+" and 7 to 15 digits.
absl::Status ValidatePhone(absl::string_view phone);
absl::Status ValidateEmail(absl::string_view email);
// ValidateFreeText: at most `max_size` bytes and no card number.
absl::Status ValidateFreeText(absl::string_view field, absl::string_view text, size_t max_size);
// ValidateMoney: a positive amount up to Stripe's limit in a valid
// currency.
absl::Status ValidateMoney(absl::string_view field, const v1::Money& money);
// ValidateLimit: 0 (the default) or 1 to 100.
absl::Status ValidateLimit(int limit);
// ValidateUrl: empty, or an https:// (or http://) URL of at most 2048
// characters without spaces.
absl::Status ValidateUrl(absl::string_view field, absl::string_view url);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_ACTION_CHECKS_H_
