// stripe_api_requests.h: how StripeApi's calls build and send requests
// (client/stripe_api.cc, client/stripe_billing_api.cc); not for callers.
#ifndef PAYVOX_CLIENT_STRIPE_API_REQUESTS_H_
#define PAYVOX_CLIENT_STRIPE_API_REQUESTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/stripe_api.h"

namespace payvox::stripe::api_requests {

// Request is an unsent request bounded by `options` (its Idempotency-Key
// included, for writes).
StripeRequest Request(HttpMethod method, std::string path, FormParams params,
                      const CallOptions& options);
inline StripeRequest Get(std::string path, FormParams params, const CallOptions& options) {
  return Request(HttpMethod::kGet, std::move(path), std::move(params), options);
}
inline StripeRequest Post(std::string path, FormParams params, const CallOptions& options) {
  return Request(HttpMethod::kPost, std::move(path), std::move(params), options);
}

absl::Status ValidateLimit(int limit);
void AddMetadata(FormParams& params, const Metadata& metadata);

// Fetch sends `request` and decodes a 2xx body with `decode`.
template <typename T>
Async<T> Fetch(StripeClient& client, StripeRequest request,
               absl::StatusOr<T> (*decode)(const std::string&)) {
  absl::StatusOr<StripeResponse> response = co_await client.Send(std::move(request));
  if (!response.ok()) co_return response.status();
  co_return decode(response->body);
}

}  // namespace payvox::stripe::api_requests

#endif  // PAYVOX_CLIENT_STRIPE_API_REQUESTS_H_
