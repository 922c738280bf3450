#include "rpc/grpc_status.h"

#include "common/error_detail.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(GrpcStatusTest, KeepsCodeMessageAndDetail) {
  const absl::Status status =
      FlowError(absl::StatusCode::kFailedPrecondition, "verify first", "needs_verification", "Say");
  const grpc::Status mapped = ToGrpcStatus(status);
  EXPECT_EQ(mapped.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(mapped.error_message(), "verify first");
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(mapped.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(rich.message(), "verify first");
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(), "type.googleapis.com/payvox.v1.ErrorDetail");
  std::optional<v1::ErrorDetail> detail = ErrorDetailOfRich(mapped.error_details());
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), "needs_verification");
  EXPECT_EQ(detail->say(), "Say");
  EXPECT_FALSE(ErrorDetailOfRich("not a status").has_value());
}

TEST(GrpcStatusTest, AddsADetailWithRetryableFromTheCode) {
  EXPECT_TRUE(ErrorDetailOfRich(ToGrpcStatus(absl::UnavailableError("down")).error_details())
                  .value()
                  .retryable());
  EXPECT_FALSE(ErrorDetailOfRich(ToGrpcStatus(absl::InvalidArgumentError("x")).error_details())
                   .value()
                   .retryable());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace payvox
