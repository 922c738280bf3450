#include "common/confirmation_tokens.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/constant_time.h"
#include "common/error_detail.h"
#include "common/hmac.h"
#include "common/secure_random.h"

namespace payvox {
namespace {

constexpr absl::string_view kPrefix = "pvxc_";
constexpr absl::string_view kNul("\0", 1);

}  // namespace

absl::Status ConfirmationRefused(absl::string_view reason, absl::string_view message) {
  return FlowError(absl::StatusCode::kFailedPrecondition, message, reason,
                   "Sorry, I need to confirm that with you again. Shall I go ahead?");
}

std::string Joined(const Binding& binding) {
  return absl::StrCat(binding.tenant, kNul, binding.call_id, kNul, binding.action, kNul,
                      binding.arguments);
}

absl::StatusOr<std::unique_ptr<ConfirmationTokens>> ConfirmationTokens::Create(
    ConfirmationOptions options, const Clock& clock) {
  if (options.key.size() < 32) {
    return absl::InvalidArgumentError("the confirmation key must be at least 32 bytes");
  }
  if (options.ttl < absl::Seconds(10) || options.ttl > absl::Hours(1)) {
    return absl::InvalidArgumentError("the confirmation token lifetime must be 10 s to 1 h");
  }
  return std::unique_ptr<ConfirmationTokens>(new ConfirmationTokens(std::move(options), clock));
}

std::string ConfirmationTokens::Mac(const Binding& binding, absl::string_view expiry,
                                    absl::string_view nonce) const {
  return LettersOnly(
      HmacSha256Hex(options_.key, absl::StrCat(Joined(binding), kNul, expiry, kNul, nonce)));
}

absl::StatusOr<std::string> ConfirmationTokens::Mint(const Binding& binding) {
  absl::StatusOr<std::string> random = SecureRandomBytes(8);
  if (!random.ok()) return random.status();
  const std::string nonce = LettersOnly(absl::BytesToHexString(*random));
  const std::string expiry = absl::StrCat(absl::ToUnixSeconds(clock_.Now() + options_.ttl));
  return absl::StrCat(kPrefix, expiry, ".", nonce, ".", Mac(binding, expiry, nonce));
}

absl::StatusOr<std::string> ConfirmationTokens::Redeem(const Binding& binding,
                                                       absl::string_view token,
                                                       absl::string_view request_key) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripPrefix(token, kPrefix), '.');
  int64_t expiry = 0;
  if (!absl::StartsWith(token, kPrefix) || parts.size() != 3 ||
      !absl::SimpleAtoi(parts[0], &expiry) || parts[1].size() != 16 || parts[2].size() != 64 ||
      !ConstantTimeEquals(parts[2], Mac(binding, parts[0], parts[1]))) {
    return ConfirmationRefused(
        "confirmation_token_invalid",
        "the confirmation token is not one payvox gave for this action, call and "
        "arguments: send the action without it to get a new one");
  }
  const absl::Time now = clock_.Now();
  const absl::Time expires = absl::FromUnixSeconds(expiry);
  if (now >= expires) {
    return ConfirmationRefused(
        "confirmation_token_expired",
        "the confirmation token expired: confirm with the caller again (send the "
        "action without it to get a new one)");
  }
  const std::string nonce(parts[1]);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto used = used_.find(nonce);
    if (used != used_.end()) {
      if (used->second.request_key != request_key) {
        return ConfirmationRefused(
            "confirmation_token_used",
            "the confirmation token was used already: each one commits one action");
      }
    } else {
      PruneLocked(now);
      if (used_.size() >= options_.max_used) {
        return FlowError(absl::StatusCode::kUnavailable,
                         "payvox holds too many confirmations right now; retry shortly",
                         "confirmations_full", "One moment, please.", /*retryable=*/true);
      }
      used_.emplace(nonce, Used{std::string(request_key), expires});
    }
  }
  return absl::StrCat("cfm_", nonce);
}

void ConfirmationTokens::PruneLocked(absl::Time now) {
  absl::erase_if(used_, [now](const auto& entry) { return entry.second.expires <= now; });
}

std::string LettersOnly(absl::string_view hex) {
  std::string out(hex);
  for (char& c : out) {
    if (c >= '0' && c <= '9') {
      c = static_cast<char>('a' + (c - '0'));
    } else if (c >= 'a' && c <= 'f') {
      c = static_cast<char>('k' + (c - 'a'));
    }
  }
  return out;
}

}  // namespace payvox
