// payvoxd_fixture.h: starts payvoxd's components in-process against the
// in-process sandbox (both on loopback port 0) and gives tests a generated
// gRPC client. Each test gets fresh state.
#ifndef PAYVOX_TESTS_PAYVOXD_FIXTURE_H_
#define PAYVOX_TESTS_PAYVOXD_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "common/error_detail.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "payvox/v1/types.pb.h"
#include "tools/auth_channel.h"

namespace payvox::testing {

class PayvoxdTest : public ::testing::Test {
 protected:
  // ConfigJson is the payvoxd config of the test; listen on port 0.
  virtual std::string ConfigJson() const {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2})";
  }

  // TestLogger: where payvoxd logs; null (the default): standard error, so
  // the test command's secret scan reads every line.
  virtual Logger* TestLogger() { return nullptr; }

  void SetUp() override {
    absl::StatusOr<v1::ServerConfig> config = ParseConfig(ConfigJson());
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<PayvoxApp>> app = PayvoxApp::Start(
        {.config = *config, .sandbox = true, .sandbox_seed = 11, .logger = TestLogger()}, clock_);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    // --sandbox accepts its own tokens when none are configured.
    channel_ = CreateAuthChannel(absl::StrCat("127.0.0.1:", app_->grpc_port()),
                                 grpc::InsecureChannelCredentials(),
                                 {.tenant = SandboxTenantToken(config->tenant_id()),
                                  .operator_token = kSandboxOperatorToken});
    actions_ = v1::ActionService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
  }

  void TearDown() override {
    if (app_) app_->Shutdown();
  }

  // Context is a CallContext for this test's call.
  static v1::CallContext Context(const std::string& request_id = "",
                                 const std::string& call_id = "call-1") {
    v1::CallContext context;
    context.set_call_id(call_id);
    context.set_request_id(request_id);
    context.set_agent_id("test-agent");
    return context;
  }

  // Invoke runs one unary ActionService RPC with a 10 s deadline.
  template <typename Request, typename Response, typename Method>
  grpc::Status Invoke(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*actions_).*method)(&context, request, response);
  }

  // Admin runs one unary AdminService RPC with a 10 s deadline.
  template <typename Request, typename Response, typename Method>
  grpc::Status Admin(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*admin_).*method)(&context, request, response);
  }

  grpc::Status Verify(const std::string& customer, const std::string& last4,
                      v1::VerifyIdentityResponse* response, const std::string& call = "call-1") {
    v1::VerifyIdentityRequest request;
    *request.mutable_context() = Context("", call);
    request.set_customer_id(customer);
    request.set_last4(last4);
    return Invoke(&v1::ActionService::Stub::VerifyIdentity, request, response);
  }

  grpc::Status Refund(const std::string& request_id, const std::string& charge, int64_t amount,
                      v1::CreateRefundResponse* response, const std::string& call = "call-1") {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context(request_id, call);
    request.set_charge_id(charge);
    request.set_amount_minor(amount);
    request.set_reason("requested_by_customer");
    return Invoke(&v1::ActionService::Stub::CreateRefund, request, response);
  }

  v1::ListChargesResponse Charges(const std::string& customer, int limit = 10) {
    v1::ListChargesRequest request;
    *request.mutable_context() = Context();
    request.set_customer_id(customer);
    request.set_limit(limit);
    v1::ListChargesResponse response;
    const grpc::Status status = Invoke(&v1::ActionService::Stub::ListCharges, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  void VerifyJenny(const std::string& call = "call-1") {
    v1::VerifyIdentityResponse verified;
    ASSERT_TRUE(Verify("cus_DemoJennyRosen", "4242", &verified, call).ok());
    ASSERT_TRUE(verified.verified());
  }

  static v1::ErrorDetail DetailOf(const grpc::Status& status) {
    std::optional<v1::ErrorDetail> detail = ErrorDetailOfRich(status.error_details());
    EXPECT_TRUE(detail.has_value()) << "no google.rpc.Status with a payvox.v1.ErrorDetail";
    return detail.value_or(v1::ErrorDetail());
  }

  SystemClock clock_;
  std::unique_ptr<PayvoxApp> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_PAYVOXD_FIXTURE_H_
