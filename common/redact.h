// redact.h: the one place that decides how sensitive values are shown.
//
// Emails, card-like numbers, keys and tokens never reach a log line, a metric
// label, an audit record or an error message in clear; whatever prints them
// goes through these functions.
#ifndef PAYVOX_COMMON_REDACT_H_
#define PAYVOX_COMMON_REDACT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace payvox {

// MaskEmail keeps the first character of the local part and the domain:
// "jenny.rosen@example.com" -> "j***@example.com". Text without '@' becomes
// "***".
std::string MaskEmail(absl::string_view email);

// MaskSecret keeps a key's prefix up to its mode and hides the rest:
// "sk_test_abc123" -> "sk_test_***".
std::string MaskSecret(absl::string_view secret);

// RedactText masks, in free text such as a Stripe error message or a log
// line: email addresses ("j***@example.com"), runs of 13 or more digits
// also when grouped with spaces or dashes ("[number]"), Stripe keys,
// webhook secrets and payvox tokens ("sk_live_***"), and whatever follows
// "Bearer" or "Basic" ("Bearer ***"). It is the one redaction point of
// logs (common/log.h) and error messages.
std::string RedactText(absl::string_view text);

// ContainsCardNumber is true when `text` holds 13 to 19 digits in a row
// (single spaces or dashes between digits allowed) that pass the Luhn check
// and start with a card network's issuer range for that length (so a
// timestamp in an id or an E.164 phone number is not taken for a card).
bool ContainsCardNumber(absl::string_view text);

// RejectCardNumbers returns INVALID_ARGUMENT naming `field` when `text`
// contains a card number; payvox never sends or stores one.
absl::Status RejectCardNumbers(absl::string_view field, absl::string_view text);

}  // namespace payvox

#endif  // PAYVOX_COMMON_REDACT_H_
