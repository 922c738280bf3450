#include "common/redact.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

bool LuhnValid(const std::vector<int>& digits, size_t begin, size_t length) {
  int sum = 0;
  bool double_it = false;
  for (size_t i = begin + length; i-- > begin;) {
    int d = digits[i];
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

// IssuedByANetwork: `digits` start with the issuer range of a card network
// that issues numbers of this length (Visa, Mastercard, American Express,
// Discover, JCB, Diners Club, UnionPay, Maestro, Mir, RuPay). Timestamps in
// milliseconds or nanoseconds (1...) and E.164 phone numbers of up to 15
// digits fall outside them, so ids and phone numbers that happen to pass the
// Luhn check are not taken for cards.
bool IssuedByANetwork(const std::vector<int>& digits) {
  const size_t n = digits.size();
  const int p2 = digits[0] * 10 + digits[1];
  const int p3 = p2 * 10 + digits[2];
  const int p4 = p3 * 10 + digits[3];
  const bool long_number = n >= 16 && n <= 19;
  switch (digits[0]) {
    case 2:  // Mir, Mastercard's 2-series
      return (p4 >= 2200 && p4 <= 2204 && long_number) || (p4 >= 2221 && p4 <= 2720 && n == 16);
    case 3:  // American Express, JCB, Diners Club
      return ((p2 == 34 || p2 == 37) && n == 15) || (p4 >= 3528 && p4 <= 3589 && long_number) ||
             ((p2 == 36 || p2 == 38 || p2 == 39 || (p3 >= 300 && p3 <= 305)) && n >= 14);
    case 4:  // Visa
      return n == 16 || n == 19;
    case 5:  // Mastercard, Maestro, RuPay
      return (p2 >= 51 && p2 <= 55) ? n == 16 : long_number;
    case 6:  // Discover, UnionPay, Maestro, RuPay
      return long_number;
    case 8:  // RuPay
      return (p2 == 81 || p2 == 82) && n == 16;
    default:
      return false;
  }
}

}  // namespace

std::string MaskEmail(absl::string_view email) {
  const size_t at = email.rfind('@');
  if (at == absl::string_view::npos || at == 0) return "***";
  return absl::StrCat(email.substr(0, 1), "***", email.substr(at));
}

namespace {

// Prefixes of keys and secrets payvox may see: Stripe keys, webhook signing
// secrets, payvox's own bearer tokens.
constexpr absl::string_view kSecretPrefixes[] = {"sk_live_", "sk_test_", "rk_live_",
                                                 "rk_test_", "pk_live_", "pk_test_",
                                                 "whsec_",   "pvxt_",    "pvxo_"};

bool IsSecret(absl::string_view word) {
  for (absl::string_view prefix : kSecretPrefixes) {
    if (absl::StartsWith(word, prefix)) return true;
  }
  return false;
}

}  // namespace

std::string MaskSecret(absl::string_view secret) {
  for (absl::string_view prefix : kSecretPrefixes) {
    if (absl::StartsWith(secret, prefix)) return absl::StrCat(prefix, "***");
  }
  return "***";
}

namespace {

// MaskSeparatedNumbers replaces runs of 13 or more digits written with
// single spaces or dashes between groups ("4242 4242 4242 4242").
std::string MaskSeparatedNumbers(absl::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    size_t digits = 0;
    size_t last_digit = i;
    while (end < text.size()) {
      const char c = text[end];
      if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        ++digits;
        last_digit = end;
      } else if (!((c == ' ' || c == '-') && end + 1 < text.size() &&
                   absl::ascii_isdigit(static_cast<unsigned char>(text[end + 1])))) {
        break;
      }
      ++end;
    }
    if (digits >= 13) {
      out += "[number]";
    } else {
      absl::StrAppend(&out, text.substr(i, last_digit + 1 - i));
    }
    i = last_digit + 1;
  }
  return out;
}

}  // namespace

std::string RedactText(absl::string_view text) {
  auto is_word = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+' || c == '@' || c == '%';
  };
  const std::string numbers_masked = MaskSeparatedNumbers(text);
  text = numbers_masked;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  bool after_bearer = false;
  while (i < text.size()) {
    if (!is_word(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_word(text[end])) ++end;
    const absl::string_view word = text.substr(i, end - i);
    if (after_bearer) {
      out += "***";
    } else if (IsSecret(word)) {
      out += MaskSecret(word);
    } else if (word.find('@') != absl::string_view::npos) {
      out += MaskEmail(word);
    } else {
      size_t digits = 0;
      for (const char c : word) {
        digits = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? digits + 1 : 0;
        if (digits >= 13) break;
      }
      out += digits >= 13 ? "[number]" : std::string(word);
    }
    after_bearer = absl::EqualsIgnoreCase(word, "bearer") || absl::EqualsIgnoreCase(word, "basic");
    i = end;
  }
  return out;
}

bool ContainsCardNumber(absl::string_view text) {
  std::vector<int> run;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '\0';
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      run.push_back(c - '0');
      continue;
    }
    const bool separator_inside_number =
        (c == ' ' || c == '-') && !run.empty() && i + 1 < text.size() &&
        absl::ascii_isdigit(static_cast<unsigned char>(text[i + 1]));
    if (separator_inside_number) continue;
    if (run.size() >= 13 && run.size() <= 19 && IssuedByANetwork(run) &&
        LuhnValid(run, 0, run.size())) {
      return true;
    }
    run.clear();
  }
  return false;
}

absl::Status RejectCardNumbers(absl::string_view field, absl::string_view text) {
  if (!ContainsCardNumber(text)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field,
                   " looks like it contains a card number; payvox never accepts card "
                   "numbers. Remove it, or use StartSecurePayment to take a card."));
}

}  // namespace payvox
