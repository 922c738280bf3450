// webhook_signing.h: how the sandbox signs and addresses a webhook
// delivery, as Stripe does. Written here on purpose rather than borrowed
// from payvox's verifier (webhooks/signature.h): a mistake shared by the
// signer and the verifier would cancel out and go unseen; two
// implementations checked against each other and a known vector cannot.
//
//   StripeSignatureHeader("whsec_x", 1700000000, body)  // "t=1700000000,v1=<hex>"
#ifndef PAYVOX_SANDBOX_WEBHOOK_SIGNING_H_
#define PAYVOX_SANDBOX_WEBHOOK_SIGNING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace payvox::sandbox {

// StripeSignatureHeader: the Stripe-Signature value for `payload` sent at
// `timestamp` (Unix seconds): HMAC-SHA256 of "<timestamp>.<payload>" keyed
// with the endpoint's secret, in lower-case hex.
std::string StripeSignatureHeader(absl::string_view secret, int64_t timestamp,
                                  absl::string_view payload);

// EndpointUrl: where a delivery goes.
struct EndpointUrl {
  bool tls = true;
  std::string host;
  std::string port;
  // The request target: the URL's path and query, "/" when empty.
  std::string target;
};

// ParseEndpointUrl accepts http:// and https:// URLs with an optional port;
// INVALID_ARGUMENT naming what is wrong otherwise.
absl::StatusOr<EndpointUrl> ParseEndpointUrl(absl::string_view url);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_WEBHOOK_SIGNING_H_
