// money.h: amounts in Stripe's smallest currency unit and their display text.
//
//   FormatMoney(4900, "usd")  -> "$49.00"
//   FormatMoney(5000, "jpy")  -> "¥5,000"   (zero-decimal)
//   FormatMoney(1500, "kwd")  -> "KWD 1.500" (three-decimal)
//
// Stripe's zero- and three-decimal currency lists are encoded here once.
#ifndef PAYVOX_COMMON_MONEY_H_
#define PAYVOX_COMMON_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace payvox {

// CurrencyExponent returns how many decimal places the currency's smallest
// unit has for Stripe: 0 (jpy, krw...), 3 (bhd, jod, kwd, omr, tnd) or 2.
// `currency` is a lower-case ISO 4217 code.
int CurrencyExponent(absl::string_view currency);

// ValidateCurrency returns INVALID_ARGUMENT unless `currency` is three
// lower-case ASCII letters.
absl::Status ValidateCurrency(absl::string_view currency);

// FormatMoney renders `amount_minor` (smallest unit) with the currency's
// symbol or upper-case code, thousands separators and the right number of
// decimals. Negative amounts get a leading '-'.
std::string FormatMoney(int64_t amount_minor, absl::string_view currency);

}  // namespace payvox

#endif  // PAYVOX_COMMON_MONEY_H_
