// agent_commands.h: payvoxctl's commands over the agent's own services
// (ActionService, EventService), for trying actions by hand and watching
// events.
//
//   payvoxctl actions                               the tenant's catalog
//   payvoxctl execute NAME --args='{"customer_id":"cus_..."}'
//                     [--call_id=C] [--request_id=R] [--confirmed]
//   payvoxctl events tail [--resume_after=N] [--max_events=N]
//                     [--timeout_seconds=S]         stops by itself
#ifndef PAYVOX_TOOLS_AGENT_COMMANDS_H_
#define PAYVOX_TOOLS_AGENT_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/events.grpc.pb.h"

namespace payvox {

struct AgentFlags {
  // execute: the arguments as a JSON object.
  std::string args = "{}";
  // execute: empty makes one per run ("payvoxctl-<time>").
  std::string call_id;
  std::string request_id;
  bool confirmed = false;
  // events tail
  int64_t resume_after = 0;
  // Stop after this many events (heartbeats not counted); 0: no bound but
  // the timeout.
  int max_events = 0;
  absl::Duration timeout = absl::Seconds(60);
};

// IsAgentCommand: `args` (without the program name) start with actions,
// execute or events.
bool IsAgentCommand(const std::vector<std::string>& args);

// RunAgentCommand runs one command and prints to `out`. A gRPC error comes
// back with the RPC's name, payvox's reason and the sentence the agent
// would say; bad usage is INVALID_ARGUMENT.
absl::Status RunAgentCommand(v1::ActionService::StubInterface& actions,
                             v1::EventService::StubInterface& events,
                             const std::vector<std::string>& args, const AgentFlags& flags,
                             std::ostream& out);

}  // namespace payvox

#endif  // PAYVOX_TOOLS_AGENT_COMMANDS_H_
