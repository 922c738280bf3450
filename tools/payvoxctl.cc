// payvoxctl: the operator's command line for payvoxd.
//
//   payvoxctl demo-call --target=127.0.0.1:50051 [--email=...] [--last4=...]
//   payvoxctl policy|approvals|audit ... [--tenant=...]   (tools/admin_commands.h)
//   payvoxctl actions | execute NAME --args=JSON | events tail   (tools/agent_commands.h)
//
// Exits 0 on success, 1 on a failed call (or a broken audit chain), 2 on
// bad usage.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/program_flags.h"
#include "common/sandbox_tokens.h"
#include "tools/admin_commands.h"
#include "tools/agent_commands.h"
#include "tools/auth_channel.h"
#include "tools/demo_call.h"
#include "tools/secrets_command.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "payvoxd's gRPC address");
ABSL_FLAG(std::string, token, "",
          "the tenant's bearer token (pvxt_...) for ActionService calls; default: "
          "$PAYVOX_TENANT_TOKEN, else the --sandbox token of --tenant");
ABSL_FLAG(std::string, operator_token, "",
          "the operator token (pvxo_...) for AdminService calls; default: "
          "$PAYVOX_OPERATOR_TOKEN, else the --sandbox operator token");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle that signed payvoxd's certificate: connect with TLS");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate for mutual TLS (with --tls_ca)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, email, "jenny.rosen@example.com", "demo-call: the caller's email");
ABSL_FLAG(std::string, last4, "4242", "demo-call: the last 4 digits the caller says");
ABSL_FLAG(std::string, call_id, "",
          "demo-call: call id (default: unique per run); audit query: filter");
ABSL_FLAG(std::string, tenant, "default", "tenant id for policy, approvals and audit commands");
ABSL_FLAG(std::string, policy_file, "", "policy set: a TenantPolicy as JSON");
ABSL_FLAG(std::string, state, "", "approvals list: pending (default), approved, rejected, expired");
ABSL_FLAG(bool, approve, false, "approvals decide: approve");
ABSL_FLAG(bool, reject, false, "approvals decide: reject");
ABSL_FLAG(std::string, by, "", "approvals decide: who decides (recorded in the audit trail)");
ABSL_FLAG(std::string, note, "", "approvals decide: why");
ABSL_FLAG(std::string, url, "", "webhooks configure: the URL Stripe posts events to");
ABSL_FLAG(std::string, name, "", "tenants create: the business's display name");
ABSL_FLAG(int64_t, overlap, 0, "tenants rotate-token: seconds the previous token keeps working");
ABSL_FLAG(std::string, key_file, "", "stripe connect: file holding the sk_ or rk_ key");
ABSL_FLAG(std::string, store, "", "secrets re-encrypt: payvoxd's SQLite database");
ABSL_FLAG(std::string, master_key_file, "", "secrets re-encrypt: the new master key");
ABSL_FLAG(std::string, previous_master_key_file, "",
          "secrets re-encrypt: the master key the secrets are sealed under now");
ABSL_FLAG(std::string, customer_id, "", "audit query: filter");
ABSL_FLAG(std::string, action, "", "audit query: filter");
ABSL_FLAG(std::string, result, "", "audit query: ok or error");
ABSL_FLAG(int64_t, since, 0, "audit query: from this unix time");
ABSL_FLAG(int64_t, until, 0, "audit query: before this unix time");
ABSL_FLAG(int, limit, 0, "audit query: at most this many records (default 100, max 1000)");
ABSL_FLAG(int64_t, after, 0, "audit query: records after this sequence");
ABSL_FLAG(std::string, day, "", "report refunds: the UTC day as YYYY-MM-DD (default: today)");
ABSL_FLAG(std::string, args, "{}", "execute: the action's arguments as a JSON object");
ABSL_FLAG(std::string, request_id, "", "execute: the request id (default: unique per run)");
ABSL_FLAG(bool, confirmed, false, "execute: the caller confirmed this destructive action");
ABSL_FLAG(int64_t, resume_after, 0, "events tail: the last sequence already seen");
ABSL_FLAG(int, max_events, 0, "events tail: stop after this many events (0: at the timeout)");
ABSL_FLAG(int, timeout_seconds, 60, "events tail: stop after this long");

namespace {

constexpr char kUsage[] =
    "usage: payvoxctl <command> [flags]\n"
    "commands:\n"
    "  demo-call                 play the scripted refund conversation against payvoxd\n"
    "  policy get|set            the tenant's policy (set: --policy_file=JSON)\n"
    "  approvals list|decide ID  pending approvals; --approve|--reject --by=WHO\n"
    "  webhooks configure        register the endpoint in Stripe (--url=URL)\n"
    "  tenants create|rotate-token  a tenant and its token (--tenant, --name, --overlap)\n"
    "  stripe connect|disconnect  the tenant's Stripe key (--key_file=F)\n"
    "  secrets re-encrypt        reseal stored secrets under a new master key (offline:\n"
    "                            --store, --master_key_file, --previous_master_key_file)\n"
    "  audit query|verify        audit records (filters as flags); check the hash chain\n"
    "  report refunds            the day's refunds by agent and reason (--day=YYYY-MM-DD, UTC)\n"
    "  actions                   the tenant's action catalog\n"
    "  execute NAME              run an action (--args=JSON [--call_id --request_id --confirmed])\n"
    "  events tail               stream payment events (--resume_after=N --max_events=N\n"
    "                            --timeout_seconds=S)\n";

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
  std::vector<char*> parsed = payvox::ParseProgramFlags(argc, argv, "payvoxctl", kUsage);
  const std::vector<std::string> args(parsed.begin() + 1, parsed.end());
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  if (command == "secrets") {
    const absl::StatusOr<int> resealed = payvox::ReencryptSecrets(
        args, {.store = absl::GetFlag(FLAGS_store),
               .master_key_file = absl::GetFlag(FLAGS_master_key_file),
               .previous_master_key_file = absl::GetFlag(FLAGS_previous_master_key_file)});
    if (!resealed.ok()) {
      std::cerr << "payvoxctl: " << resealed.status().message() << "\n";
      return resealed.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
    }
    std::cout << "resealed " << *resealed << " secrets under the new master key\n";
    return 0;
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (const std::string ca = absl::GetFlag(FLAGS_tls_ca); !ca.empty()) {
    auto read = [](const std::string& path) {
      std::ifstream file(path);
      std::ostringstream content;
      content << file.rdbuf();
      return content.str();
    };
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = read(ca);
    if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
      tls.pem_cert_chain = read(absl::GetFlag(FLAGS_tls_cert));
      tls.pem_private_key = read(absl::GetFlag(FLAGS_tls_key));
    }
    credentials = grpc::SslCredentials(tls);
  }
  // Flags, then the environment, then the tokens --sandbox accepts.
  auto pick = [](std::string flag, const char* env, std::string sandbox) {
    if (!flag.empty()) return flag;
    if (const char* value = std::getenv(env); value != nullptr && *value != '\0')
      return std::string(value);
    return sandbox;
  };
  const payvox::ChannelTokens tokens{
      .tenant = pick(absl::GetFlag(FLAGS_token), "PAYVOX_TENANT_TOKEN",
                     payvox::SandboxTenantToken(absl::GetFlag(FLAGS_tenant))),
      .operator_token = pick(absl::GetFlag(FLAGS_operator_token), "PAYVOX_OPERATOR_TOKEN",
                             payvox::kSandboxOperatorToken)};
  auto channel = payvox::CreateAuthChannel(absl::GetFlag(FLAGS_target), credentials, tokens);
  if (command == "demo-call" && args.size() == 1) return DemoCall(channel);
  if (payvox::IsAgentCommand(args)) {
    auto actions = payvox::v1::ActionService::NewStub(channel);
    auto events = payvox::v1::EventService::NewStub(channel);
    const absl::Status status =
        payvox::RunAgentCommand(*actions, *events, args,
                                {.args = absl::GetFlag(FLAGS_args),
                                 .call_id = absl::GetFlag(FLAGS_call_id),
                                 .request_id = absl::GetFlag(FLAGS_request_id),
                                 .confirmed = absl::GetFlag(FLAGS_confirmed),
                                 .resume_after = absl::GetFlag(FLAGS_resume_after),
                                 .max_events = absl::GetFlag(FLAGS_max_events),
                                 .timeout = absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds))},
                                std::cout);
    if (status.ok()) return 0;
    std::cerr << "payvoxctl: " << status.message() << "\n";
    return status.code() == absl::StatusCode::kInvalidArgument && args.size() < 2 ? 2 : 1;
  }
  if (payvox::IsAdminCommand(args)) {
    const payvox::AdminFlags flags{.tenant = absl::GetFlag(FLAGS_tenant),
                                   .policy_file = absl::GetFlag(FLAGS_policy_file),
                                   .state = absl::GetFlag(FLAGS_state),
                                   .approve = absl::GetFlag(FLAGS_approve),
                                   .reject = absl::GetFlag(FLAGS_reject),
                                   .by = absl::GetFlag(FLAGS_by),
                                   .note = absl::GetFlag(FLAGS_note),
                                   .call_id = absl::GetFlag(FLAGS_call_id),
                                   .customer_id = absl::GetFlag(FLAGS_customer_id),
                                   .action = absl::GetFlag(FLAGS_action),
                                   .result = absl::GetFlag(FLAGS_result),
                                   .since = absl::GetFlag(FLAGS_since),
                                   .until = absl::GetFlag(FLAGS_until),
                                   .limit = absl::GetFlag(FLAGS_limit),
                                   .after = absl::GetFlag(FLAGS_after),
                                   .url = absl::GetFlag(FLAGS_url),
                                   .name = absl::GetFlag(FLAGS_name),
                                   .overlap = absl::GetFlag(FLAGS_overlap),
                                   .key_file = absl::GetFlag(FLAGS_key_file),
                                   .day = absl::GetFlag(FLAGS_day),
                                   .now = absl::Now()};
    auto stub = payvox::v1::AdminService::NewStub(channel);
    const absl::Status status = payvox::RunAdminCommand(*stub, args, flags, std::cout);
    if (status.ok()) return 0;
    std::cerr << "payvoxctl: " << status.message() << "\n";
    return status.code() == absl::StatusCode::kInvalidArgument &&
                   absl::StartsWith(status.message(), "usage:")
               ? 2
               : 1;
  }
  std::cerr << "payvoxctl: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
