// admin_commands.h: payvoxctl's operator commands over AdminService.
//
//   payvoxctl policy get                      the tenant's policy as JSON
//   payvoxctl policy set --policy_file=F      F: a TenantPolicy as JSON
//   payvoxctl approvals list [--state=S]      pending by default
//   payvoxctl approvals decide ID --approve|--reject --by=WHO [--note=...]
//   payvoxctl audit query [--call_id= --customer_id= --action= --result=ok|error
//                          --since=UNIX --until=UNIX --limit=N --after=SEQ]
//   payvoxctl audit verify                    exit 1 when the chain is broken
//   payvoxctl report refunds [--day=YYYY-MM-DD]  the day's refunds (UTC) by agent
//                                             and reason (tools/refund_report.h)
//   payvoxctl webhooks configure --url=URL    register payvox's endpoint in Stripe
//   payvoxctl tenants create [--name=NAME]    prints the tenant's first token, once
//   payvoxctl tenants rotate-token [--overlap=SECONDS]
//   payvoxctl stripe connect --key_file=F     F holds sk_/rk_ (never a flag: shell history)
//   payvoxctl stripe disconnect
#ifndef PAYVOX_TOOLS_ADMIN_COMMANDS_H_
#define PAYVOX_TOOLS_ADMIN_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "payvox/v1/admin.grpc.pb.h"

namespace payvox {

struct AdminFlags {
  std::string tenant = "default";
  std::string policy_file;
  std::string state;
  bool approve = false;
  bool reject = false;
  std::string by;
  std::string note;
  std::string call_id;
  std::string customer_id;
  std::string action;
  std::string result;
  int64_t since = 0;
  int64_t until = 0;
  int limit = 0;
  int64_t after = 0;
  std::string url;
  std::string name;
  int64_t overlap = 0;
  std::string key_file;
  // report refunds: the UTC day; empty is the day `now` falls in.
  std::string day;
  absl::Time now = absl::UnixEpoch();
};

// IsAdminCommand: `args` (without the program name) start with policy,
// approvals, audit, report, webhooks, tenants or stripe.
bool IsAdminCommand(const std::vector<std::string>& args);

// RunAdminCommand runs one command and prints its result to `out`. A gRPC
// error is returned with the RPC's name; a broken audit chain is
// DATA_LOSS; bad usage is INVALID_ARGUMENT.
absl::Status RunAdminCommand(v1::AdminService::StubInterface& stub,
                             const std::vector<std::string>& args, const AdminFlags& flags,
                             std::ostream& out);

}  // namespace payvox

#endif  // PAYVOX_TOOLS_ADMIN_COMMANDS_H_
