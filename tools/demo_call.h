// demo_call.h: the scripted refund conversation `payvoxctl demo-call` plays
// against a running payvoxd: find the caller by email, verify the last 4
// digits, list charges, refund the latest successful one, and retry that
// refund with the same request_id to show it happens once.
#ifndef PAYVOX_TOOLS_DEMO_CALL_H_
#define PAYVOX_TOOLS_DEMO_CALL_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "payvox/v1/actions.grpc.pb.h"

namespace payvox {

struct DemoCallOptions {
  std::string email = "jenny.rosen@example.com";
  std::string last4 = "4242";
  // Distinguishes this call's ids from other runs.
  std::string call_id = "demo-call";
};

// PlayDemoCall prints the conversation to `out` and returns the first error.
absl::Status PlayDemoCall(v1::ActionService::StubInterface& stub, const DemoCallOptions& options,
                          std::ostream& out);

}  // namespace payvox

#endif  // PAYVOX_TOOLS_DEMO_CALL_H_
