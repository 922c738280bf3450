#include "webhooks/signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/constant_time.h"
#include "common/hmac.h"

namespace payvox::webhooks {
namespace {

constexpr size_t kMaxHeaderBytes = 8192;
constexpr size_t kSignatureHexLength = 64;

}  // namespace

absl::StatusOr<SignatureHeader> ParseSignatureHeader(absl::string_view header) {
  if (header.empty()) return absl::InvalidArgumentError("the Stripe-Signature header is missing");
  if (header.size() > kMaxHeaderBytes) {
    return absl::InvalidArgumentError("the Stripe-Signature header is over 8 KiB");
  }
  SignatureHeader parsed;
  bool has_timestamp = false;
  for (const absl::string_view item : absl::StrSplit(header, ',')) {
    const size_t equals = item.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError("the Stripe-Signature header has an item without '='");
    }
    const absl::string_view scheme = item.substr(0, equals);
    const absl::string_view value = item.substr(equals + 1);
    if (scheme == "t") {
      if (has_timestamp) {
        return absl::InvalidArgumentError("the Stripe-Signature header repeats t=");
      }
      has_timestamp = true;
      if (!absl::SimpleAtoi(value, &parsed.timestamp) || parsed.timestamp <= 0 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
        return absl::InvalidArgumentError(
            "the Stripe-Signature header's t= is not a positive number of seconds");
      }
    } else if (scheme == "v1") {
      if (value.empty()) {
        return absl::InvalidArgumentError("the Stripe-Signature header has an empty v1=");
      }
      parsed.v1.emplace_back(value);
    }
    // Other schemes (v0, future ones) are ignored.
  }
  if (!has_timestamp) return absl::InvalidArgumentError("the Stripe-Signature header has no t=");
  if (parsed.v1.empty()) {
    return absl::InvalidArgumentError("the Stripe-Signature header has no v1 signature");
  }
  return parsed;
}

std::string SignPayload(absl::string_view secret, int64_t timestamp, absl::string_view payload) {
  return HmacSha256Hex(secret, absl::StrCat(timestamp, ".", payload));
}

absl::Status VerifySignature(absl::string_view header, absl::string_view payload,
                             std::span<const std::string> secrets, absl::Time now,
                             const VerifyOptions& options) {
  absl::StatusOr<SignatureHeader> parsed = ParseSignatureHeader(header);
  if (!parsed.ok()) return parsed.status();
  if (secrets.empty()) {
    return absl::UnauthenticatedError("no webhook signing secret is configured for this tenant");
  }
  // Every candidate is compared, so the time taken does not tell which
  // secret or signature came close.
  bool match = false;
  for (const std::string& secret : secrets) {
    const std::string expected = SignPayload(secret, parsed->timestamp, payload);
    for (const std::string& candidate : parsed->v1) {
      match |= candidate.size() == kSignatureHexLength && ConstantTimeEquals(candidate, expected);
    }
  }
  if (!match) {
    return absl::UnauthenticatedError(
        "no v1 signature matches the payload with this tenant's signing secrets");
  }
  const absl::Time signed_at = absl::FromUnixSeconds(parsed->timestamp);
  if (now - signed_at > options.tolerance) {
    return absl::UnauthenticatedError(
        absl::StrCat("the signature's timestamp is older than the tolerance of ",
                     absl::FormatDuration(options.tolerance)));
  }
  if (signed_at - now > options.max_future) {
    return absl::UnauthenticatedError(absl::StrCat("the signature's timestamp is more than ",
                                                   absl::FormatDuration(options.max_future),
                                                   " in the future"));
  }
  return absl::OkStatus();
}

}  // namespace payvox::webhooks
