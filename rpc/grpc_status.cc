#include "rpc/grpc_status.h"

#include <string>

#include "common/error_detail.h"

namespace payvox {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  v1::ErrorDetail detail = GetErrorDetail(status).value_or(v1::ErrorDetail());
  if (!GetErrorDetail(status).has_value()) {
    detail.set_retryable(status.code() == absl::StatusCode::kUnavailable ||
                         status.code() == absl::StatusCode::kDeadlineExceeded);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      RichErrorDetails(status.code(), status.message(), detail));
}

}  // namespace payvox
