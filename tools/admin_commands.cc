#include "tools/admin_commands.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strict_json.h"
#include "tools/refund_report.h"

namespace payvox {
namespace {

std::string Json(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  return text;
}

absl::Status FromGrpc(absl::string_view rpc, const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(rpc, ": ", status.error_message()));
}

// Call runs one unary AdminService RPC with a 30 s deadline.
template <typename Request, typename Response, typename Method>
absl::Status Call(v1::AdminService::StubInterface& stub, absl::string_view rpc, Method method,
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return FromGrpc(rpc, (stub.*method)(&context, request, response));
}

absl::Status Usage(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("usage: ", what));
}

using Stub = v1::AdminService::StubInterface;

// The report reads the day's records in pages of QueryAudit's maximum.
constexpr int kAuditPage = 1000;
constexpr int kMaxAuditPages = 1000;

absl::Status Policy(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                    std::ostream& out) {
  if (args.size() == 2 && args[1] == "get") {
    v1::GetPolicyRequest request;
    request.set_tenant_id(flags.tenant);
    v1::GetPolicyResponse response;
    if (absl::Status s = Call(stub, "GetPolicy", &Stub::GetPolicy, request, &response); !s.ok()) {
      return s;
    }
    out << Json(response.policy()) << "\n";
    return absl::OkStatus();
  }
  if (args.size() == 2 && args[1] == "set") {
    if (flags.policy_file.empty()) return Usage("payvoxctl policy set --policy_file=FILE");
    std::ifstream file(flags.policy_file);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", flags.policy_file));
    std::ostringstream text;
    text << file.rdbuf();
    if (absl::Status strict = CheckStrictJson(text.str(), flags.policy_file); !strict.ok()) {
      return strict;
    }
    v1::SetPolicyRequest request;
    request.set_tenant_id(flags.tenant);
    const auto parsed =
        google::protobuf::util::JsonStringToMessage(text.str(), request.mutable_policy());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          flags.policy_file, " is not a TenantPolicy: ", std::string(parsed.message())));
    }
    v1::SetPolicyResponse response;
    if (absl::Status s = Call(stub, "SetPolicy", &Stub::SetPolicy, request, &response); !s.ok()) {
      return s;
    }
    out << Json(response.policy()) << "\n";
    return absl::OkStatus();
  }
  return Usage("payvoxctl policy get | policy set --policy_file=FILE");
}

absl::Status Approvals(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                       std::ostream& out) {
  if (args.size() == 2 && args[1] == "list") {
    v1::ListApprovalsRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_state(flags.state);
    v1::ListApprovalsResponse response;
    if (absl::Status s = Call(stub, "ListApprovals", &Stub::ListApprovals, request, &response);
        !s.ok()) {
      return s;
    }
    for (const v1::Approval& approval : response.approvals()) {
      out << approval.approval_id() << "  " << approval.state() << "  " << approval.action() << "  "
          << approval.amount().display() << "  " << approval.customer_id() << "  "
          << approval.target_id() << "  expires " << approval.expires_at() << "\n";
    }
    if (response.approvals().empty()) out << "no approvals\n";
    return absl::OkStatus();
  }
  if (args.size() == 3 && args[1] == "decide") {
    if (flags.approve == flags.reject || flags.by.empty()) {
      return Usage("payvoxctl approvals decide ID (--approve | --reject) --by=WHO [--note=...]");
    }
    v1::DecideApprovalRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_approval_id(args[2]);
    request.set_approve(flags.approve);
    request.set_decided_by(flags.by);
    request.set_note(flags.note);
    v1::DecideApprovalResponse response;
    if (absl::Status s = Call(stub, "DecideApproval", &Stub::DecideApproval, request, &response);
        !s.ok()) {
      return s;
    }
    out << response.approval().approval_id() << " " << response.approval().state();
    if (!response.result_object_id().empty()) out << ": " << response.result_object_id();
    out << "\n";
    return absl::OkStatus();
  }
  return Usage("payvoxctl approvals list [--state=S] | approvals decide ID ...");
}

absl::Status Audit(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                   std::ostream& out) {
  if (args.size() == 2 && args[1] == "query") {
    v1::QueryAuditRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_call_id(flags.call_id);
    request.set_customer_id(flags.customer_id);
    request.set_action(flags.action);
    request.set_result(flags.result);
    request.set_since_unix(flags.since);
    request.set_until_unix(flags.until);
    request.set_limit(flags.limit);
    request.set_after_sequence(flags.after);
    v1::QueryAuditResponse response;
    if (absl::Status s = Call(stub, "QueryAudit", &Stub::QueryAudit, request, &response); !s.ok()) {
      return s;
    }
    for (const v1::AuditRecord& record : response.records()) out << Json(record) << "\n";
    return absl::OkStatus();
  }
  if (args.size() == 2 && args[1] == "verify") {
    v1::VerifyAuditChainRequest request;
    request.set_tenant_id(flags.tenant);
    v1::VerifyAuditChainResponse response;
    if (absl::Status s =
            Call(stub, "VerifyAuditChain", &Stub::VerifyAuditChain, request, &response);
        !s.ok()) {
      return s;
    }
    if (!response.intact()) {
      return absl::DataLossError(
          absl::StrCat("the audit chain is broken at record ", response.first_bad_sequence(), " (",
                       response.records_checked(), " records before it check out)"));
    }
    out << "audit chain intact: " << response.records_checked() << " records\n";
    return absl::OkStatus();
  }
  return Usage("payvoxctl audit query [filters] | audit verify");
}

absl::Status Report(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                    std::ostream& out) {
  if (args.size() != 2 || args[1] != "refunds") {
    return Usage("payvoxctl report refunds [--day=YYYY-MM-DD]");
  }
  PAYVOX_ASSIGN_OR_RETURN(const absl::Time day, ParseReportDay(flags.day, flags.now));
  RefundReport report(day);
  v1::QueryAuditRequest request;
  request.set_tenant_id(flags.tenant);
  request.set_action("create_refund");
  request.set_since_unix(absl::ToUnixSeconds(report.day_start()));
  request.set_until_unix(absl::ToUnixSeconds(report.day_end()));
  request.set_limit(kAuditPage);
  // A page shorter than asked for is the last.
  for (int page = 0;; ++page) {
    if (page == kMaxAuditPages) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", kAuditPage * kMaxAuditPages,
                       " refund records in one day; use audit query"));
    }
    v1::QueryAuditResponse response;
    PAYVOX_RETURN_IF_ERROR(Call(stub, "QueryAudit", &Stub::QueryAudit, request, &response));
    for (const v1::AuditRecord& record : response.records()) report.Add(record);
    if (response.records_size() < kAuditPage) break;
    request.set_after_sequence(response.records().rbegin()->sequence());
  }
  report.Print(flags.tenant, out);
  return absl::OkStatus();
}

absl::Status Webhooks(v1::AdminService::StubInterface& stub, const std::vector<std::string>& args,
                      const AdminFlags& flags, std::ostream& out) {
  if (args.size() != 2 || args[1] != "configure" || flags.url.empty()) {
    return Usage("payvoxctl webhooks configure --url=https://.../v1/webhooks/stripe/<tenant>");
  }
  v1::ConfigureWebhooksRequest request;
  request.set_tenant_id(flags.tenant);
  request.set_url(flags.url);
  v1::ConfigureWebhooksResponse response;
  if (absl::Status s =
          Call(stub, "ConfigureWebhooks", &Stub::ConfigureWebhooks, request, &response);
      !s.ok()) {
    return s;
  }
  out << "registered " << response.endpoint_id() << " for " << response.enabled_events_size()
      << " event types; its signing secret is stored sealed\n";
  return absl::OkStatus();
}

absl::Status Tenants(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                     std::ostream& out) {
  if (args.size() == 2 && args[1] == "create") {
    v1::CreateTenantRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_display_name(flags.name);
    v1::CreateTenantResponse response;
    if (absl::Status s = Call(stub, "CreateTenant", &Stub::CreateTenant, request, &response);
        !s.ok()) {
      return s;
    }
    out << "tenant " << response.tenant_id() << " created; its token (shown once):\n"
        << response.token() << "\n";
    return absl::OkStatus();
  }
  if (args.size() == 2 && args[1] == "rotate-token") {
    v1::RotateTenantTokenRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_overlap_seconds(flags.overlap);
    v1::RotateTenantTokenResponse response;
    if (absl::Status s =
            Call(stub, "RotateTenantToken", &Stub::RotateTenantToken, request, &response);
        !s.ok()) {
      return s;
    }
    out << "new token (shown once):\n"
        << response.token() << "\nthe previous token works until " << response.previous_expires_at()
        << " (unix seconds)\n";
    return absl::OkStatus();
  }
  return Usage("payvoxctl tenants create [--name=NAME] | tenants rotate-token [--overlap=SECONDS]");
}

absl::Status Stripe(Stub& stub, const std::vector<std::string>& args, const AdminFlags& flags,
                    std::ostream& out) {
  if (args.size() == 2 && args[1] == "connect" && !flags.key_file.empty()) {
    std::ifstream file(flags.key_file);
    std::string key;
    if (!file || !std::getline(file, key)) {
      return absl::NotFoundError(absl::StrCat("cannot read ", flags.key_file));
    }
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    v1::ConnectStripeRequest request;
    request.set_tenant_id(flags.tenant);
    request.set_api_key(key);
    v1::ConnectStripeResponse response;
    if (absl::Status s = Call(stub, "ConnectStripe", &Stub::ConnectStripe, request, &response);
        !s.ok()) {
      return s;
    }
    out << "connected in " << response.mode() << " mode\n";
    for (const std::string& warning : response.warnings()) out << "warning: " << warning << "\n";
    return absl::OkStatus();
  }
  if (args.size() == 2 && args[1] == "disconnect") {
    v1::DisconnectStripeRequest request;
    request.set_tenant_id(flags.tenant);
    v1::DisconnectStripeResponse response;
    if (absl::Status s =
            Call(stub, "DisconnectStripe", &Stub::DisconnectStripe, request, &response);
        !s.ok()) {
      return s;
    }
    out << "disconnected; the key is forgotten\n";
    return absl::OkStatus();
  }
  return Usage("payvoxctl stripe connect --key_file=FILE | stripe disconnect");
}

}  // namespace

bool IsAdminCommand(const std::vector<std::string>& args) {
  return !args.empty() && (args[0] == "policy" || args[0] == "approvals" || args[0] == "audit" ||
                           args[0] == "report" || args[0] == "webhooks" || args[0] == "tenants" ||
                           args[0] == "stripe");
}

absl::Status RunAdminCommand(v1::AdminService::StubInterface& stub,
                             const std::vector<std::string>& args, const AdminFlags& flags,
                             std::ostream& out) {
  if (args.empty()) return Usage("payvoxctl policy|approvals|audit|webhooks ...");
  if (args[0] == "policy") return Policy(stub, args, flags, out);
  if (args[0] == "approvals") return Approvals(stub, args, flags, out);
  if (args[0] == "audit") return Audit(stub, args, flags, out);
  if (args[0] == "report") return Report(stub, args, flags, out);
  if (args[0] == "webhooks") return Webhooks(stub, args, flags, out);
  if (args[0] == "tenants") return Tenants(stub, args, flags, out);
  if (args[0] == "stripe") return Stripe(stub, args, flags, out);
  return Usage("payvoxctl policy|approvals|audit|webhooks|tenants|stripe ...");
}

}  // namespace payvox
