// error_detail.h: machine-readable details carried inside absl::Status.
//
// Inside payvox an error is an absl::Status whose payload (under
// kErrorDetailTypeUrl) is a serialized payvox.v1.ErrorDetail. The gRPC
// boundary (rpc/grpc_status.h) copies it into grpc::Status::error_details.
#ifndef PAYVOX_COMMON_ERROR_DETAIL_H_
#define PAYVOX_COMMON_ERROR_DETAIL_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "payvox/v1/types.pb.h"

namespace payvox {

inline constexpr absl::string_view kErrorDetailTypeUrl =
    "type.googleapis.com/payvox.v1.ErrorDetail";

// WithErrorDetail returns `status` carrying `detail`. An OK status is
// returned unchanged.
absl::Status WithErrorDetail(absl::Status status, const v1::ErrorDetail& detail);

// GetErrorDetail returns the detail attached to `status`, if any.
std::optional<v1::ErrorDetail> GetErrorDetail(const absl::Status& status);

// FlowError builds a status for a payvox decision (not a Stripe error):
// `reason` is a snake_case code, `say` a sentence for the caller;
// `retryable` tells the orchestrator that the same request may succeed later.
absl::Status FlowError(absl::StatusCode code, absl::string_view message, absl::string_view reason,
                       absl::string_view say, bool retryable = false);

// RichErrorDetails is what a transport sends as its error details: a
// serialized google.rpc.Status with `code`, `message` and `detail` packed
// as Any (type.googleapis.com/payvox.v1.ErrorDetail), the standard rich
// error model every gRPC helper reads.
std::string RichErrorDetails(absl::StatusCode code, absl::string_view message,
                             const v1::ErrorDetail& detail);
// ErrorDetailOfRich reads the payvox.v1.ErrorDetail back from such bytes
// (a client's grpc::Status::error_details()); nullopt when there is none.
std::optional<v1::ErrorDetail> ErrorDetailOfRich(absl::string_view error_details);

}  // namespace payvox

#endif  // PAYVOX_COMMON_ERROR_DETAIL_H_
