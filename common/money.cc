#include "common/money.h"

#include <array>
#include <cstdlib>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

// Stripe's zero-decimal currencies.
constexpr std::array<absl::string_view, 16> kZeroDecimal = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"};
// Stripe's three-decimal currencies.
constexpr std::array<absl::string_view, 5> kThreeDecimal = {"bhd", "jod", "kwd", "omr", "tnd"};

struct CurrencySymbol {
  absl::string_view code;
  absl::string_view symbol;
};
// Symbols that are unambiguous to a caller; every other currency is written
// with its upper-case code ("CHF 10.00").
constexpr std::array<CurrencySymbol, 9> kSymbols = {{{"usd", "$"},
                                                     {"eur", "€"},
                                                     {"gbp", "£"},
                                                     {"jpy", "¥"},
                                                     {"inr", "₹"},
                                                     {"krw", "₩"},
                                                     {"cad", "CA$"},
                                                     {"aud", "A$"},
                                                     {"nzd", "NZ$"}}};

template <size_t N>
bool Contains(const std::array<absl::string_view, N>& list, absl::string_view value) {
  for (absl::string_view item : list) {
    if (item == value) return true;
  }
  return false;
}

// GroupThousands writes `value` with ',' every three digits.
std::string GroupThousands(uint64_t value) {
  std::string digits = absl::StrCat(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  const size_t lead = digits.size() % 3;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (i + 3 - lead) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

int CurrencyExponent(absl::string_view currency) {
  if (Contains(kZeroDecimal, currency)) return 0;
  if (Contains(kThreeDecimal, currency)) return 3;
  return 2;
}

absl::Status ValidateCurrency(absl::string_view currency) {
  if (currency.size() != 3 || !absl::c_all_of(currency, absl::ascii_islower)) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency must be a lower-case ISO 4217 code such as \"usd\"; got ",
                     currency.size() > 8 ? "a longer value" : absl::StrCat("\"", currency, "\"")));
  }
  return absl::OkStatus();
}

std::string FormatMoney(int64_t amount_minor, absl::string_view currency) {
  const bool negative = amount_minor < 0;
  // Magnitude as unsigned so INT64_MIN does not overflow.
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(amount_minor) + 1 : static_cast<uint64_t>(amount_minor);
  const int exponent = CurrencyExponent(currency);
  uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;

  std::string number = GroupThousands(magnitude / scale);
  if (exponent > 0) {
    std::string fraction = absl::StrCat(magnitude % scale);
    fraction.insert(0, static_cast<size_t>(exponent) - fraction.size(), '0');
    absl::StrAppend(&number, ".", fraction);
  }

  absl::string_view sign = negative ? "-" : "";
  for (const CurrencySymbol& entry : kSymbols) {
    if (entry.code == currency) return absl::StrCat(sign, entry.symbol, number);
  }
  return absl::StrCat(sign, absl::AsciiStrToUpper(currency), " ", number);
}

}  // namespace payvox
