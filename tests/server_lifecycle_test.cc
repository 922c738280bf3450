// payvoxd as a server: health checking, reflection-free discovery of
// unimplemented RPCs, and graceful shutdown.
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;

class ServerLifecycleTest : public PayvoxdTest {
 protected:
  grpc::health::v1::HealthCheckResponse::ServingStatus Health(const std::string& service) {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    if (!status.ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    return response.status();
  }
};

TEST_F(ServerLifecycleTest, HealthIsServingPerService) {
  EXPECT_EQ(Health(""), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health("payvox.v1.ActionService"), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health("payvox.v1.AdminService"), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ServerLifecycleTest, BeginCallWithoutACallIdIsRefusedNamingIt) {
  v1::BeginCallRequest request;
  v1::BeginCallResponse response;
  grpc::Status status = Invoke(&v1::ActionService::Stub::BeginCall, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("call_id"));
}

TEST_F(ServerLifecycleTest, ShutdownStopsServingAndIsIdempotent) {
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("jenny.rosen@example.com");
  v1::FindCustomerResponse response;
  ASSERT_TRUE(Invoke(&v1::ActionService::Stub::FindCustomer, request, &response).ok());
  app_->Shutdown();
  app_->Shutdown();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  const grpc::Status after = actions_->FindCustomer(&context, request, &response);
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace payvox::testing
