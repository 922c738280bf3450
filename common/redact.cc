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

}  // namespace

std::string MaskEmail(absl::string_view email) {
  const size_t at = email.rfind('@');
  if (at == absl::string_view::npos || at == 0) return "***";
  return absl::StrCat(email.substr(0, 1), "***", email.substr(at));
}

std::string MaskSecret(absl::string_view secret) {
  for (absl::string_view prefix :
       {"sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_", "whsec_"}) {
    if (absl::StartsWith(secret, prefix)) return absl::StrCat(prefix, "***");
  }
  return "***";
}

std::string RedactText(absl::string_view text) {
  auto is_word = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+' || c == '@' || c == '%';
  };
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!is_word(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_word(text[end])) ++end;
    const absl::string_view word = text.substr(i, end - i);
    if (word.find('@') != absl::string_view::npos) {
      out += MaskEmail(word);
    } else {
      size_t digits = 0;
      for (const char c : word) {
        digits = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? digits + 1 : 0;
        if (digits >= 13) break;
      }
      out += digits >= 13 ? "[number]" : std::string(word);
    }
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
    if (run.size() >= 13 && run.size() <= 19 && LuhnValid(run, 0, run.size())) return true;
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
