#include "tools/actions_bench.h"

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "tools/auth_channel.h"
#include "tools/bench_support.h"

namespace payvox::bench {
namespace {

using Stub = v1::ActionService::Stub;

// Unary is one typed RPC as a Sender: `fill` sets request number i.
template <typename Request, typename Response>
SenderFactory Unary(const std::string& target,
                    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                    std::function<void(Request&, int)> fill) {
  return [target, rpc, fill](int) -> Sender {
    std::shared_ptr<Stub> stub = v1::ActionService::NewStub(CreateBenchChannel(target));
    return [stub, rpc, fill](int i) {
      Request request;
      request.mutable_context()->set_call_id("bench-call");
      fill(request, i);
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      Response response;
      const grpc::Status status = ((*stub).*rpc)(&context, request, &response);
      return status.ok() ? absl::OkStatus() : absl::UnknownError(status.error_message());
    };
  };
}

}  // namespace

int RunActionsBench(const LoadOptions& options, absl::Duration max_time) {
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app = StartSandboxPayvoxd(clock);
  if (!app.ok()) {
    std::cerr << "payvox-bench: " << app.status() << "\n";
    return 1;
  }
  const std::string target = absl::StrCat("127.0.0.1:", (*app)->grpc_port());
  const std::vector<std::pair<std::string, SenderFactory>> actions = {
      {"FindCustomer (email)",
       Unary<v1::FindCustomerRequest, v1::FindCustomerResponse>(
           target, &Stub::FindCustomer,
           [](v1::FindCustomerRequest& r, int) { r.set_email("jenny.rosen@example.com"); })},
      {"VerifyIdentity", Unary<v1::VerifyIdentityRequest, v1::VerifyIdentityResponse>(
                             target, &Stub::VerifyIdentity,
                             [](v1::VerifyIdentityRequest& r, int i) {
                               r.mutable_context()->set_call_id(absl::StrCat("bench-verify-", i));
                               r.set_customer_id("cus_DemoJennyRosen");
                               r.set_last4("4242");
                             })},
      {"ListCharges",
       Unary<v1::ListChargesRequest, v1::ListChargesResponse>(
           target, &Stub::ListCharges,
           [](v1::ListChargesRequest& r, int) { r.set_customer_id("cus_DemoJennyRosen"); })},
      {"GetPayment (pi_, its charge and invoice)",
       Unary<v1::GetPaymentRequest, v1::GetPaymentResponse>(
           target, &Stub::GetPayment,
           [](v1::GetPaymentRequest& r, int) { r.set_payment_id("pi_DemoJennyPlan"); })},
      {"ListSubscriptions",
       Unary<v1::ListSubscriptionsRequest, v1::ListSubscriptionsResponse>(
           target, &Stub::ListSubscriptions,
           [](v1::ListSubscriptionsRequest& r, int) { r.set_customer_id("cus_DemoJennyRosen"); })},
  };
  int exit_code = 0;
  std::cout << "per action via payvoxd -> sandbox, concurrency " << options.concurrency << "\n";
  for (const auto& [name, factory] : actions) {
    LoadOptions one = options;
    one.stop_at = absl::Now() + max_time;
    const LoadResult result = RunLoad(one, factory);
    std::cout << "  " << name << "\n    " << result.ToString() << "\n";
    if (result.failures > 0 || result.latency_us.count == 0) exit_code = 1;
  }
  (*app)->Shutdown();
  return exit_code;
}

}  // namespace payvox::bench
