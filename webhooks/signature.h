// signature.h: Stripe's webhook signatures (Stripe-Signature header).
//
//   Stripe-Signature: t=1700000000,v1=<hex>,v1=<hex>,v0=<ignored>
//
// The signed content is "<t>.<raw body>", HMAC-SHA256 keyed with the whole
// whsec_... secret, in lower-case hex. A request is genuine when ANY v1
// value matches ANY of the tenant's active secrets (two during a rotation),
// compared in constant time, and its timestamp is neither older than the
// tolerance (300 s by default) nor further in the future than the allowed
// skew (60 s by default; stripe-node accepts any future time, payvox does
// not). Other schemes (v0) are ignored.
//
// The header is read strictly: items are separated by ',' with no spaces,
// each is scheme=value; a repeated t=, a t= that is not a positive integer,
// an empty v1 or a header over 8 KiB make it malformed. A v1 value that is
// not 64 hex characters can never match.
#ifndef PAYVOX_WEBHOOKS_SIGNATURE_H_
#define PAYVOX_WEBHOOKS_SIGNATURE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace payvox::webhooks {

struct SignatureHeader {
  int64_t timestamp = 0;
  std::vector<std::string> v1;
};

// ParseSignatureHeader: INVALID_ARGUMENT naming what is wrong (never
// echoing a signature).
absl::StatusOr<SignatureHeader> ParseSignatureHeader(absl::string_view header);

// SignPayload is the hex v1 signature of `payload` at `timestamp`.
std::string SignPayload(absl::string_view secret, int64_t timestamp, absl::string_view payload);

struct VerifyOptions {
  absl::Duration tolerance = absl::Seconds(300);
  absl::Duration max_future = absl::Seconds(60);
};

// VerifySignature returns OK when the header signs `payload` with one of
// `secrets` within the time bounds; otherwise UNAUTHENTICATED (no valid
// signature, stale or future timestamp) or INVALID_ARGUMENT (malformed
// header), with a message that names the reason and no secret.
absl::Status VerifySignature(absl::string_view header, absl::string_view payload,
                             std::span<const std::string> secrets, absl::Time now,
                             const VerifyOptions& options = {});

}  // namespace payvox::webhooks

#endif  // PAYVOX_WEBHOOKS_SIGNATURE_H_
