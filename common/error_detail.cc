#include "common/error_detail.h"

#include <string>

#include "absl/strings/cord.h"

namespace payvox {

absl::Status WithErrorDetail(absl::Status status, const v1::ErrorDetail& detail) {
  if (status.ok()) return status;
  status.SetPayload(kErrorDetailTypeUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

std::optional<v1::ErrorDetail> GetErrorDetail(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorDetailTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  v1::ErrorDetail detail;
  if (!detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

absl::Status FlowError(absl::StatusCode code, absl::string_view message, absl::string_view reason,
                       absl::string_view say, bool retryable) {
  v1::ErrorDetail detail;
  detail.set_reason(std::string(reason));
  detail.set_say(std::string(say));
  detail.set_retryable(retryable);
  return WithErrorDetail(absl::Status(code, message), detail);
}

}  // namespace payvox
