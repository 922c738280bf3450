#include "rpc/grpc_status.h"

#include "common/error_detail.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(GrpcStatusTest, KeepsCodeMessageAndDetail) {
  const absl::Status status =
      FlowError(absl::StatusCode::kFailedPrecondition, "verify first", "needs_verification", "Say");
  const grpc::Status mapped = ToGrpcStatus(status);
  EXPECT_EQ(mapped.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(mapped.error_message(), "verify first");
  v1::ErrorDetail detail;
  ASSERT_TRUE(detail.ParseFromString(mapped.error_details()));
  EXPECT_EQ(detail.reason(), "needs_verification");
  EXPECT_EQ(detail.say(), "Say");
}

TEST(GrpcStatusTest, AddsADetailWithRetryableFromTheCode) {
  v1::ErrorDetail detail;
  ASSERT_TRUE(detail.ParseFromString(ToGrpcStatus(absl::UnavailableError("down")).error_details()));
  EXPECT_TRUE(detail.retryable());
  ASSERT_TRUE(
      detail.ParseFromString(ToGrpcStatus(absl::InvalidArgumentError("x")).error_details()));
  EXPECT_FALSE(detail.retryable());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace payvox
