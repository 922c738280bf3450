// payvoxctl: the operator's command line for payvoxd.
//
//   payvoxctl demo-call --target=127.0.0.1:50051 [--email=...] [--last4=...]
//
// Exits 0 on success, 1 on a failed call, 2 on bad usage.
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/demo_call.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "payvoxd's gRPC address");
ABSL_FLAG(std::string, email, "jenny.rosen@example.com", "demo-call: the caller's email");
ABSL_FLAG(std::string, last4, "4242", "demo-call: the last 4 digits the caller says");
ABSL_FLAG(std::string, call_id, "", "demo-call: call id (default: unique per run)");

namespace {

constexpr char kUsage[] =
    "usage: payvoxctl <command> [flags]\n"
    "commands:\n"
    "  demo-call   play the scripted refund conversation against payvoxd\n";

int DemoCall(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = payvox::v1::ActionService::NewStub(channel);
  std::string call_id = absl::GetFlag(FLAGS_call_id);
  if (call_id.empty()) {
    call_id = absl::StrCat("demo-", std::chrono::system_clock::now().time_since_epoch().count());
  }
  const absl::Status status = payvox::PlayDemoCall(*stub,
                                                   {.email = absl::GetFlag(FLAGS_email),
                                                    .last4 = absl::GetFlag(FLAGS_last4),
                                                    .call_id = call_id},
                                                   std::cout);
  if (!status.ok()) {
    std::cerr << "payvoxctl demo-call: " << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args[1];
  auto channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials());
  if (command == "demo-call") return DemoCall(channel);
  std::cerr << "payvoxctl: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
