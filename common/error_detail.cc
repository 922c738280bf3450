#include "common/error_detail.h"

#include <string>

#include "absl/strings/cord.h"
#include "google/rpc/status.pb.h"

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

std::string RichErrorDetails(absl::StatusCode code, absl::string_view message,
                             const v1::ErrorDetail& detail) {
  google::rpc::Status rich;
  rich.set_code(static_cast<int32_t>(code));
  rich.set_message(std::string(message));
  rich.add_details()->PackFrom(detail);
  return rich.SerializeAsString();
}

std::optional<v1::ErrorDetail> ErrorDetailOfRich(absl::string_view error_details) {
  google::rpc::Status rich;
  if (!rich.ParseFromArray(error_details.data(), static_cast<int>(error_details.size()))) {
    return std::nullopt;
  }
  for (const google::protobuf::Any& any : rich.details()) {
    v1::ErrorDetail detail;
    if (any.Is<v1::ErrorDetail>() && any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

}  // namespace payvox
