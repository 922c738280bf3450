// stripe_errors.h: Stripe's HTTP errors as absl::Status, chosen by what the
// caller should do next (../shared/design/stripe.md, "error mapping").
//
//   400 invalid_request_error -> INVALID_ARGUMENT (param named), or
//       FAILED_PRECONDITION for state conflicts (charge_already_refunded...)
//   400/404 idempotency_error -> ABORTED (request_id reused for another request)
//   401 -> FAILED_PRECONDITION (the tenant's Stripe key, not the caller's fault)
//   402 card_error -> FAILED_PRECONDITION (decline explained in plain words)
//   403 -> PERMISSION_DENIED (restricted key lacks the resource)
//   404 naming what is missing (resource_missing...) -> NOT_FOUND
//   404/405 naming nothing (an unknown path) -> UNIMPLEMENTED, reason
//       stripe_operation_unavailable        409 -> ABORTED (retryable)
//   429 -> RESOURCE_EXHAUSTED (retryable)   5xx -> UNAVAILABLE (retryable)
//
// Every status carries a payvox.v1.ErrorDetail (common/error_detail.h) with
// Stripe's type, code, decline_code, param and request id. Messages are
// redacted (common/redact.h): no email or card-like number survives.
#ifndef PAYVOX_CLIENT_STRIPE_ERRORS_H_
#define PAYVOX_CLIENT_STRIPE_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace payvox::stripe {

// StripeErrorToStatus maps a non-2xx answer. `body` may be anything: a body
// that is not Stripe's error JSON still maps by HTTP status.
absl::Status StripeErrorToStatus(int http_status, const std::string& body,
                                 absl::string_view request_id);

// TransportError is UNAVAILABLE (retryable) for a connection that failed
// before a complete answer arrived, or DEADLINE_EXCEEDED when the deadline
// cut it short.
absl::Status TransportError(bool deadline_exceeded, absl::string_view what);

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_ERRORS_H_
