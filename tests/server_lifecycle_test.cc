// payvoxd as a server: health checking, reflection-free discovery of
// unimplemented RPCs, and graceful shutdown.
#include <sstream>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;

class ServerLifecycleTest : public PayvoxdTest {
 protected:
  // Health asks `channel` (payvoxd's gRPC port by default) for a service's
  // status; UNKNOWN when the call fails.
  grpc::health::v1::HealthCheckResponse::ServingStatus Health(
      const std::string& service, std::shared_ptr<grpc::Channel> channel = nullptr) {
    auto health = grpc::health::v1::Health::NewStub(channel ? channel : channel_);
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

// The plaintext health-only port (for probes that cannot do TLS) answers
// as the main port does, serves nothing else, and stops serving on
// shutdown.
class HealthPortTest : public ServerLifecycleTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "grpc_health_listen_address": "127.0.0.1:0"})";
  }
};

TEST_F(HealthPortTest, AnswersHealthOnlyAndStopsServingOnShutdown) {
  ASSERT_GT(app_->health_port(), 0);
  ASSERT_NE(app_->health_port(), app_->grpc_port());
  auto plain = grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->health_port()),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(Health("", plain), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health("payvox.v1.ActionService", plain),
            grpc::health::v1::HealthCheckResponse::SERVING);
  // The actions are not on it, even with a valid token.
  auto actions = v1::ActionService::NewStub(CreateAuthChannel(
      absl::StrCat("127.0.0.1:", app_->health_port()), grpc::InsecureChannelCredentials(),
      {.tenant = SandboxTenantToken("default"), .operator_token = kSandboxOperatorToken}));
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("jenny.rosen@example.com");
  v1::FindCustomerResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(actions->FindCustomer(&context, request, &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  app_->Shutdown();
  EXPECT_NE(Health("", plain), grpc::health::v1::HealthCheckResponse::SERVING);
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

// A real (not --sandbox) start, against the sandbox's HTTP face, as a new
// user makes it: no policy and no tenant token in the config.
TEST(RealStartTest, SaysWhichBoundsHoldAndThatNoTokenOpensIt) {
  SystemClock clock;
  sandbox::StripeEmulator emulator(clock, {.id_seed = 3});
  sandbox::SandboxServer server(emulator);
  ASSERT_OK(server.Start({.port = 0}));
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(absl::StrCat(
      R"({"grpc_listen_address": "127.0.0.1:0", "store_path": ":memory:",
          "stripe": {"api_base_url": ")",
      server.base_url(), R"("}})"));
  ASSERT_OK(config.status());
  std::ostringstream log;
  Logger logger(log, clock, LogLevel::kInfo);
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app =
      PayvoxApp::Start({.config = *config,
                        .stripe_api_key = "sk_test_payvoxrealstart",
                        .keyring = Keyring(*MasterKey::Generate()),
                        .logger = &logger},
                       clock);
  ASSERT_OK(app.status());
  (*app)->Shutdown();
  EXPECT_THAT(log.str(), HasSubstr("no tenant token is configured"));
  EXPECT_THAT(log.str(),
              HasSubstr("refunds above $100.00 wait for approval; at most $500.00 a day"));
  // The warning comes before "started", which still comes: the operator
  // token may create tenants.
  EXPECT_LT(log.str().find("no tenant token"), log.str().find("payvoxd started"));
}

}  // namespace
}  // namespace payvox::testing
