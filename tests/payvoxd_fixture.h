// payvoxd_fixture.h: starts payvoxd's components in-process against the
// in-process sandbox (both on loopback port 0) and gives tests a generated
// gRPC client. Each test gets fresh state.
#ifndef PAYVOX_TESTS_PAYVOXD_FIXTURE_H_
#define PAYVOX_TESTS_PAYVOXD_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/types.pb.h"
#include "server/app.h"
#include "server/config.h"

namespace payvox::testing {

class PayvoxdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::ServerConfig> config =
        ParseConfig(R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2})");
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<PayvoxApp>> app =
        PayvoxApp::Start({.config = *config, .sandbox = true, .sandbox_seed = 11}, clock_);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    actions_ = v1::ActionService::NewStub(channel_);
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

  // Invoke runs one unary RPC with a 10 s deadline.
  template <typename Request, typename Response, typename Method>
  grpc::Status Invoke(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*actions_).*method)(&context, request, response);
  }

  static v1::ErrorDetail DetailOf(const grpc::Status& status) {
    v1::ErrorDetail detail;
    EXPECT_TRUE(detail.ParseFromString(status.error_details()));
    return detail;
  }

  SystemClock clock_;
  std::unique_ptr<PayvoxApp> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
};

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_PAYVOXD_FIXTURE_H_
