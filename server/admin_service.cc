#include "server/admin_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/http_connection_pool.h"
#include "client/stripe_api.h"
#include "client/stripe_decoders.h"
#include "common/idempotency_key.h"
#include "common/status_macros.h"
#include "policy/policy.h"
#include "server/run_action.h"
#include "webhooks/event_decoder.h"

namespace payvox {

AdminServiceImpl::AdminServiceImpl(VoiceActions& actions, stripe::StripeClient& stripe,
                                   StoreExecutor& store, const Clock& clock, Options options,
                                   boost::asio::any_io_executor executor)
    : actions_(actions),
      stripe_(stripe),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      executor_(std::move(executor)) {}

absl::Status AdminServiceImpl::CheckTenant(const std::string& tenant_id) const {
  if (tenant_id.empty()) return absl::InvalidArgumentError("tenant_id is required");
  if (tenant_id != options_.tenant_id) return absl::NotFoundError(absl::StrCat("no tenant ", tenant_id));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetPolicy(grpc::CallbackServerContext* context,
                                                      const v1::GetPolicyRequest* request,
                                                      v1::GetPolicyResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds) { return DoGetPolicy(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ConfigureWebhooks(
    grpc::CallbackServerContext* context, const v1::ConfigureWebhooksRequest* request,
    v1::ConfigureWebhooksResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return DoConfigureWebhooks(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SetPolicy(grpc::CallbackServerContext* context,
                                                      const v1::SetPolicyRequest* request,
                                                      v1::SetPolicyResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds) { return DoSetPolicy(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListApprovals(grpc::CallbackServerContext* context,
                                                          const v1::ListApprovalsRequest* request,
                                                          v1::ListApprovalsResponse* response) {
  return RunAction(context, response, executor_,
                   [&](CallBounds) { return DoListApprovals(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::DecideApproval(grpc::CallbackServerContext* context,
                                                           const v1::DecideApprovalRequest* request,
                                                           v1::DecideApprovalResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return DoDecideApproval(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::QueryAudit(grpc::CallbackServerContext* context,
                                                       const v1::QueryAuditRequest* request,
                                                       v1::QueryAuditResponse* response) {
  return RunAction(context, response, executor_,
                   [&](CallBounds) { return DoQueryAudit(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::VerifyAuditChain(
    grpc::CallbackServerContext* context, const v1::VerifyAuditChainRequest* request,
    v1::VerifyAuditChainResponse* response) {
  return RunAction(context, response, executor_,
                   [&](CallBounds) { return DoVerifyAuditChain(*request); });
}

AdminServiceImpl::Async<v1::GetPolicyResponse> AdminServiceImpl::DoGetPolicy(
    v1::GetPolicyRequest request) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::optional<v1::TenantPolicy> stored,
      co_await store_.Run([&](Store& store) { return store.GetPolicy(request.tenant_id()); }));
  v1::GetPolicyResponse response;
  *response.mutable_policy() = stored.has_value() ? *std::move(stored) : options_.default_policy;
  co_return response;
}

AdminServiceImpl::Async<v1::ConfigureWebhooksResponse> AdminServiceImpl::DoConfigureWebhooks(
    v1::ConfigureWebhooksRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  const std::string& url = request.url();
  const absl::StatusOr<stripe::ParsedUrl> parsed = stripe::ParseBaseUrl(url);
  if (url.empty() || url.size() > 2048 || !parsed.ok() ||
      std::any_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c == 0x7f; })) {
    co_return absl::InvalidArgumentError(
        "url must be the absolute http:// or https:// URL Stripe posts to, at most 2048 "
        "characters, e.g. https://payvox.example.com/v1/webhooks/stripe/<tenant_id>");
  }
  if (!parsed->tls && stripe_.mode() == stripe::Mode::kLive) {
    co_return absl::InvalidArgumentError("url: Stripe sends live-mode events to https:// URLs only");
  }
  if (options_.keyring == nullptr) {
    co_return absl::FailedPreconditionError(
        "payvoxd has no master key to seal the endpoint's signing secret: set "
        "secrets.master_key_file or the PAYVOX_MASTER_KEY environment variable");
  }
  FormParams params;
  params.Add("url", url);
  for (absl::string_view type : webhooks::kTypedEventTypes) {
    params.Add("enabled_events[]", std::string(type));
  }
  params.Add("description", absl::StrCat("payvox (tenant ", request.tenant_id(), ")"));
  params.Add("metadata[payvox_tenant]", request.tenant_id());
  // The same URL registered again within Stripe's idempotency window gets
  // the same endpoint back instead of a second one.
  const std::string key = DeriveIdempotencyKey(
      {.tenant_id = request.tenant_id(), .call_id = "admin", .request_id = url,
       .action = "configure_webhooks"});
  stripe::StripeApi api(stripe_);
  stripe::CallOptions call{.bounds = bounds, .idempotency_key = key};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      stripe::WebhookEndpoint endpoint,
      co_await api.Call<stripe::WebhookEndpoint>(stripe::HttpMethod::kPost, "/v1/webhook_endpoints",
                                                 std::move(params), std::move(call),
                                                 stripe::DecodeWebhookEndpoint));
  if (endpoint.secret.empty()) {
    co_return absl::InternalError(
        "Stripe created the endpoint without returning its signing secret; delete it in the "
        "Stripe dashboard and try again");
  }
  const absl::Time now = clock_.Now();
  const WebhookEndpoint stored{
      .tenant_id = request.tenant_id(),
      .endpoint_id = endpoint.id,
      .url = url,
      .secret_sealed = options_.keyring->Seal(
          endpoint.secret, WebhookSecretContext(request.tenant_id(), endpoint.id)),
      .created = now};
  const absl::Time others_expire_at = now + options_.secret_overlap;
  const absl::Status saved = co_await store_.Run(
      [&](Store& store) { return store.AddWebhookEndpoint(stored, others_expire_at); });
  PAYVOX_CO_RETURN_IF_ERROR(saved);
  v1::AuditRecord record;
  record.set_tenant_id(request.tenant_id());
  record.set_agent_id("operator");
  record.set_action("configure_webhooks");
  record.set_target_id(endpoint.id);
  record.set_kind("decision");
  record.set_decision("allow");
  record.set_result(endpoint.id);
  record.set_ok(true);
  const absl::Status audited =
      co_await store_.Run([&](Store& store) { return store.AppendAudit(record).status(); });
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  v1::ConfigureWebhooksResponse response;
  response.set_endpoint_id(endpoint.id);
  for (const std::string& type : endpoint.enabled_events) response.add_enabled_events(type);
  co_return response;
}

AdminServiceImpl::Async<v1::SetPolicyResponse> AdminServiceImpl::DoSetPolicy(
    v1::SetPolicyRequest request) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  PAYVOX_CO_RETURN_IF_ERROR(policy::ValidatePolicy(request.policy(), VoiceActionNames()));
  const absl::Status stored = co_await store_.Run(
      [&](Store& store) { return store.SetPolicy(request.tenant_id(), request.policy()); });
  PAYVOX_CO_RETURN_IF_ERROR(stored);
  v1::SetPolicyResponse response;
  *response.mutable_policy() = request.policy();
  co_return response;
}

AdminServiceImpl::Async<v1::ListApprovalsResponse> AdminServiceImpl::DoListApprovals(
    v1::ListApprovalsRequest request) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  const std::string& state = request.state();
  if (!state.empty() && state != "pending" && state != "approved" && state != "rejected" &&
      state != "expired") {
    co_return absl::InvalidArgumentError(
        "state must be pending, approved, rejected, expired or empty (pending)");
  }
  const absl::Time now = clock_.Now();
  PAYVOX_CO_ASSIGN_OR_RETURN(std::vector<v1::Approval> approvals,
                             co_await store_.Run([&](Store& store) {
                               return store.ListApprovals(request.tenant_id(), state, now);
                             }));
  v1::ListApprovalsResponse response;
  for (v1::Approval& approval : approvals) *response.add_approvals() = std::move(approval);
  co_return response;
}

AdminServiceImpl::Async<v1::DecideApprovalResponse> AdminServiceImpl::DoDecideApproval(
    v1::DecideApprovalRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  if (request.approval_id().empty())
    co_return absl::InvalidArgumentError("approval_id is required");
  if (request.decided_by().empty()) {
    co_return absl::InvalidArgumentError(
        "decided_by is required: the audit trail names who decided");
  }
  if (request.note().size() > 500)
    co_return absl::InvalidArgumentError("note must be at most 500 characters");
  const absl::Time now = clock_.Now();
  PAYVOX_CO_ASSIGN_OR_RETURN(StoredApproval decided, co_await store_.Run([&](Store& store) {
    return store.DecideApproval(request.tenant_id(), request.approval_id(), request.approve(),
                                request.decided_by(), request.note(), now);
  }));
  v1::DecideApprovalResponse response;
  *response.mutable_approval() = decided.approval;
  if (!request.approve()) {
    v1::AuditRecord record;
    record.set_tenant_id(request.tenant_id());
    record.set_agent_id(absl::StrCat("rejected by ", request.decided_by()));
    record.set_call_id(decided.approval.context().call_id());
    record.set_request_id(decided.approval.context().request_id());
    record.set_action(decided.approval.action());
    record.set_customer_id(decided.approval.customer_id());
    record.set_target_id(decided.approval.target_id());
    *record.mutable_amount() = decided.approval.amount();
    record.set_kind("decision");
    record.set_decision("rejected");
    record.set_result(decided.approval.approval_id());
    const absl::Status audited =
        co_await store_.Run([&](Store& store) { return store.AppendAudit(record).status(); });
    PAYVOX_CO_RETURN_IF_ERROR(audited);
    co_return response;
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(v1::CreateRefundResponse refund,
                             co_await actions_.ExecuteApproved(std::move(decided), bounds));
  response.set_result_object_id(refund.refund().id());
  co_return response;
}

AdminServiceImpl::Async<v1::QueryAuditResponse> AdminServiceImpl::DoQueryAudit(
    v1::QueryAuditRequest request) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::vector<v1::AuditRecord> records,
      co_await store_.Run([&](Store& store) { return store.QueryAudit(request); }));
  v1::QueryAuditResponse response;
  for (v1::AuditRecord& record : records) *response.add_records() = std::move(record);
  co_return response;
}

AdminServiceImpl::Async<v1::VerifyAuditChainResponse> AdminServiceImpl::DoVerifyAuditChain(
    v1::VerifyAuditChainRequest request) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  co_return co_await store_.Run(
      [&](Store& store) { return store.VerifyAuditChain(request.tenant_id()); });
}

}  // namespace payvox
