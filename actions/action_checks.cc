#include "actions/action_checks.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/money.h"
#include "common/redact.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

constexpr size_t kMaxIdLength = 128;

}  // namespace

absl::Status ValidateToken(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) {
    return required ? absl::InvalidArgumentError(absl::StrCat(field, " is required"))
                    : absl::OkStatus();
  }
  if (value.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be at most 128 characters"));
  }
  for (const char c : value) {
    if (c <= 0x20 || c >= 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " must be printable ASCII without spaces"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateContext(const v1::CallContext& context, bool needs_request_id) {
  PAYVOX_RETURN_IF_ERROR(ValidateToken("context.call_id", context.call_id(), true));
  PAYVOX_RETURN_IF_ERROR(
      ValidateToken("context.request_id", context.request_id(), needs_request_id));
  return ValidateToken("context.agent_id", context.agent_id(), false);
}

absl::Status ValidatePhone(absl::string_view phone) {
  const bool digits_only = phone.size() >= 8 && phone.size() <= 16 && phone[0] == '+' &&
                           absl::c_all_of(phone.substr(1), [](char c) {
                             return absl::ascii_isdigit(static_cast<unsigned char>(c));
                           });
  if (!digits_only) {
    return absl::InvalidArgumentError(
        "phone must be in E.164 form: '+' then 7 to 15 digits, e.g. +14155550123");
  }
  return absl::OkStatus();
}

absl::Status ValidateEmail(absl::string_view email) {
  const size_t at = email.find('@');
  if (email.size() > 512 || at == absl::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find_first_of(" \t\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError("email is not an email address");
  }
  return absl::OkStatus();
}

absl::Status ValidateFreeText(absl::string_view field, absl::string_view text, size_t max_size) {
  if (text.size() > max_size) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be at most ", max_size, " characters"));
  }
  return RejectCardNumbers(field, text);
}

absl::Status ValidateMoney(absl::string_view field, const v1::Money& money) {
  if (money.amount_minor() <= 0 || money.amount_minor() > kMaxAmountMinor) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".amount_minor must be a positive amount in the currency's minor unit, at most ",
        kMaxAmountMinor));
  }
  const absl::Status currency = ValidateCurrency(money.currency());
  if (!currency.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".currency must be a lower-case ISO 4217 code such as usd"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLimit(int limit) {
  if (limit < 0 || limit > 100) return absl::InvalidArgumentError("limit must be 1 to 100");
  return absl::OkStatus();
}

absl::Status ValidateUrl(absl::string_view field, absl::string_view url) {
  if (url.empty()) return absl::OkStatus();
  const bool scheme = absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://");
  if (!scheme || url.size() > 2048 || url.find_first_of(" \t\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be an https:// URL"));
  }
  return absl::OkStatus();
}

}  // namespace payvox
