// find_customer TARGET EMAIL: a tiny payvox client built with Bazel from
// @payvox//:payvox_cc_proto and @payvox//:auth_channel. Finds the customer
// with EMAIL through payvoxd at TARGET (plaintext), with the tenant token of
// $PAYVOX_TENANT_TOKEN (payvoxd --sandbox's own when unset), and prints
// what the agent would say and the customers' ids. Exits 1 when the call
// fails.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "common/sandbox_tokens.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "tools/auth_channel.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: find_customer HOST:PORT EMAIL\n";
    return 2;
  }
  const char* token = std::getenv("PAYVOX_TENANT_TOKEN");
  auto channel = payvox::CreateAuthChannel(
      argv[1], grpc::InsecureChannelCredentials(),
      {.tenant = token != nullptr ? token : payvox::SandboxTenantToken("default")});
  auto actions = payvox::v1::ActionService::NewStub(channel);
  payvox::v1::FindCustomerRequest request;
  request.mutable_context()->set_call_id("bazel-example");
  request.mutable_context()->set_agent_id("bazel-example");
  request.set_email(argv[2]);
  payvox::v1::FindCustomerResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = actions->FindCustomer(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "find_customer: " << status.error_message() << "\n";
    return 1;
  }
  std::cout << response.say() << "\n";
  for (const payvox::v1::Customer& customer : response.customers()) {
    std::cout << customer.id() << "\n";
  }
  return 0;
}
