#include "rpc/admin_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/http_connection_pool.h"
#include "client/stripe_api.h"
#include "client/stripe_decoders.h"
#include "common/idempotency_key.h"
#include "common/status_macros.h"
#include "policy/policy.h"
#include "rpc/run_action.h"
#include "webhooks/event_decoder.h"

namespace payvox {

AdminServiceImpl::AdminServiceImpl(TenantDirectory& tenants, StoreExecutor& store,
                                   const Clock& clock, Options options,
                                   boost::asio::any_io_executor executor)
    : tenants_(tenants),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      executor_(std::move(executor)) {}

absl::Status AdminServiceImpl::CheckTenant(const std::string& tenant_id) const {
  return tenants_.Find(tenant_id).status();
}

template <typename Response, typename Work>
grpc::ServerUnaryReactor* AdminServiceImpl::Admin(grpc::CallbackServerContext* context,
                                                  const google::protobuf::Message& request,
                                                  Response* response, Work work) {
  if (absl::Status allowed = tenants_.AuthenticateOperator(BearerToken(*context)); !allowed.ok()) {
    return Refuse(context, allowed);
  }
  return RunAction(context, request, response, executor_, std::move(work));
}

grpc::ServerUnaryReactor* AdminServiceImpl::CreateTenant(grpc::CallbackServerContext* context,
                                                         const v1::CreateTenantRequest* request,
                                                         v1::CreateTenantResponse* response) {
  return Admin(context, *request, response, [&](CallBounds) { return DoCreateTenant(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::RotateTenantToken(
    grpc::CallbackServerContext* context, const v1::RotateTenantTokenRequest* request,
    v1::RotateTenantTokenResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds) { return DoRotateTenantToken(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ConnectStripe(grpc::CallbackServerContext* context,
                                                          const v1::ConnectStripeRequest* request,
                                                          v1::ConnectStripeResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds bounds) { return DoConnectStripe(*request, std::move(bounds)); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::DisconnectStripe(
    grpc::CallbackServerContext* context, const v1::DisconnectStripeRequest* request,
    v1::DisconnectStripeResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds) { return DoDisconnectStripe(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetPolicy(grpc::CallbackServerContext* context,
                                                      const v1::GetPolicyRequest* request,
                                                      v1::GetPolicyResponse* response) {
  return Admin(context, *request, response, [&](CallBounds) { return DoGetPolicy(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ConfigureWebhooks(
    grpc::CallbackServerContext* context, const v1::ConfigureWebhooksRequest* request,
    v1::ConfigureWebhooksResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds bounds) { return DoConfigureWebhooks(*request, std::move(bounds)); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SetPolicy(grpc::CallbackServerContext* context,
                                                      const v1::SetPolicyRequest* request,
                                                      v1::SetPolicyResponse* response) {
  return Admin(context, *request, response, [&](CallBounds) { return DoSetPolicy(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListApprovals(grpc::CallbackServerContext* context,
                                                          const v1::ListApprovalsRequest* request,
                                                          v1::ListApprovalsResponse* response) {
  return Admin(context, *request, response, [&](CallBounds) { return DoListApprovals(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::DecideApproval(grpc::CallbackServerContext* context,
                                                           const v1::DecideApprovalRequest* request,
                                                           v1::DecideApprovalResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds bounds) { return DoDecideApproval(*request, std::move(bounds)); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::QueryAudit(grpc::CallbackServerContext* context,
                                                       const v1::QueryAuditRequest* request,
                                                       v1::QueryAuditResponse* response) {
  return Admin(context, *request, response, [&](CallBounds) { return DoQueryAudit(*request); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::VerifyAuditChain(
    grpc::CallbackServerContext* context, const v1::VerifyAuditChainRequest* request,
    v1::VerifyAuditChainResponse* response) {
  return Admin(context, *request, response,
               [&](CallBounds) { return DoVerifyAuditChain(*request); });
}

boost::asio::awaitable<absl::Status> AdminServiceImpl::AuditOperator(const std::string& tenant_id,
                                                                     const std::string& action,
                                                                     const std::string& result) {
  v1::AuditRecord record;
  record.set_tenant_id(tenant_id);
  record.set_agent_id("operator");
  record.set_action(action);
  record.set_kind("decision");
  record.set_decision("allow");
  record.set_result(result);
  record.set_ok(true);
  co_return co_await store_.Run([&](Store& store) { return store.AppendAudit(record).status(); });
}

AdminServiceImpl::Async<v1::CreateTenantResponse> AdminServiceImpl::DoCreateTenant(
    v1::CreateTenantRequest request) {
  PAYVOX_CO_ASSIGN_OR_RETURN(std::string token, co_await tenants_.CreateTenant(
                                                    request.tenant_id(), request.display_name()));
  const absl::Status audited =
      co_await AuditOperator(request.tenant_id(), "create_tenant", "created");
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  v1::CreateTenantResponse response;
  response.set_tenant_id(request.tenant_id());
  response.set_token(std::move(token));
  co_return response;
}

AdminServiceImpl::Async<v1::RotateTenantTokenResponse> AdminServiceImpl::DoRotateTenantToken(
    v1::RotateTenantTokenRequest request) {
  if (request.overlap_seconds() < 0 || request.overlap_seconds() > 7 * 86400) {
    co_return absl::InvalidArgumentError("overlap_seconds must be 0 (one hour) to 604800");
  }
  const absl::Duration overlap =
      request.overlap_seconds() == 0 ? absl::Hours(1) : absl::Seconds(request.overlap_seconds());
  PAYVOX_CO_ASSIGN_OR_RETURN(auto rotated,
                             co_await tenants_.RotateToken(request.tenant_id(), overlap));
  const absl::Status audited =
      co_await AuditOperator(request.tenant_id(), "rotate_tenant_token", "rotated");
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  v1::RotateTenantTokenResponse response;
  response.set_token(std::move(rotated.first));
  response.set_previous_expires_at(absl::ToUnixSeconds(rotated.second));
  co_return response;
}

namespace {

// The resources payvox's actions read, with the capabilities that need
// them ("" : every tenant).
struct ProbedResource {
  const char* resource;
  std::vector<std::string> needed_by;
};

const std::vector<ProbedResource>& ProbedResources() {
  static const auto* resources = new std::vector<ProbedResource>{
      {"customers", {}},
      {"charges", {}},
      {"refunds", {}},
      {"payment_intents", {"secure_payments", "manage_payments", "view_payments"}},
      {"subscriptions",
       {"view_subscriptions", "manage_subscriptions", "cancel_subscriptions", "pause_subscriptions",
        "change_subscription_plans"}},
      {"invoices", {"view_invoices", "manage_invoices"}},
      {"coupons", {"coupons"}},
      {"products", {"view_catalog", "manage_catalog", "change_subscription_plans"}},
      {"prices", {"view_catalog", "manage_catalog", "change_subscription_plans"}},
      {"payment_links", {"payment_links"}},
      {"events", {"view_events"}},
  };
  return *resources;
}

bool Needed(const ProbedResource& resource, const v1::TenantPolicy& policy) {
  if (resource.needed_by.empty()) return true;
  for (const std::string& enabled : policy.enabled_actions()) {
    if (enabled == "all") return true;
    for (const std::string& capability : resource.needed_by) {
      if (enabled == capability) return true;
    }
  }
  return false;
}

}  // namespace

AdminServiceImpl::Async<v1::ConnectStripeResponse> AdminServiceImpl::DoConnectStripe(
    v1::ConnectStripeRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(CheckTenant(request.tenant_id()));
  const std::string& key = request.api_key();
  if (absl::Status valid = stripe::ValidateApiKey(key); !valid.ok()) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "api_key: ", valid.message(),
        ". In the Stripe dashboard, Developers > API keys, copy the secret key (or create a "
        "restricted key) and paste that"));
  }
  if (options_.connect == nullptr) co_return absl::InternalError("no Stripe connector");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::shared_ptr<stripe::ResilientStripeClient> client,
                             options_.connect(key));
  stripe::StripeApi api(*client);
  // The key must work at all: the balance answers any valid key.
  const stripe::CallOptions probe{.bounds = bounds};
  absl::StatusOr<stripe::Balance> balance = co_await api.GetBalance(probe);
  if (!balance.ok() && balance.status().code() != absl::StatusCode::kPermissionDenied) {
    co_return absl::Status(
        balance.status().code() == absl::StatusCode::kUnauthenticated
            ? absl::StatusCode::kInvalidArgument
            : balance.status().code(),
        absl::StrCat("the key did not pass Stripe's check, so nothing was stored: ",
                     balance.status().message()));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::optional<v1::TenantPolicy> stored,
      co_await store_.Run([&](Store& store) { return store.GetPolicy(request.tenant_id()); }));
  const v1::TenantPolicy policy = stored.has_value() ? *std::move(stored) : options_.default_policy;
  v1::ConnectStripeResponse response;
  std::vector<std::string> needed_missing;
  if (!balance.ok()) response.add_missing_permissions("balance");
  for (const ProbedResource& resource : ProbedResources()) {
    absl::StatusOr<stripe::StripeResponse> listed =
        co_await api.ProbeList(resource.resource, probe);
    if (listed.ok()) continue;
    if (listed.status().code() != absl::StatusCode::kPermissionDenied) {
      co_return absl::Status(
          listed.status().code(),
          absl::StrCat("probing ", resource.resource,
                       " failed, so nothing was stored: ", listed.status().message()));
    }
    if (Needed(resource, policy)) {
      needed_missing.push_back(resource.resource);
    } else {
      response.add_missing_permissions(resource.resource);
    }
  }
  if (!needed_missing.empty()) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "the restricted key cannot read ", absl::StrJoin(needed_missing, ", "),
        ", which the tenant's enabled actions need; nothing was stored. Grant read (and write "
        "where actions change them) on those resources and connect again"));
  }
  const bool live = client->mode() == stripe::Mode::kLive;
  response.set_mode(live ? "live" : "test");
  if (live && absl::StartsWith(key, "sk_live_")) {
    response.add_warnings(
        "this is an unrestricted live secret key; a restricted key (rk_live_) limited to the "
        "resources payvox uses is safer");
  }
  if (response.missing_permissions_size() > 0) {
    response.add_warnings(absl::StrCat("actions not enabled now would fail: the key cannot read ",
                                       absl::StrJoin(response.missing_permissions(), ", ")));
  }
  const absl::Status connected =
      co_await tenants_.Connect(request.tenant_id(), key, std::move(client));
  PAYVOX_CO_RETURN_IF_ERROR(connected);
  const absl::Status audited =
      co_await AuditOperator(request.tenant_id(), "connect_stripe", response.mode());
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  co_return response;
}

AdminServiceImpl::Async<v1::DisconnectStripeResponse> AdminServiceImpl::DoDisconnectStripe(
    v1::DisconnectStripeRequest request) {
  const absl::Status disconnected = co_await tenants_.Disconnect(request.tenant_id());
  PAYVOX_CO_RETURN_IF_ERROR(disconnected);
  const absl::Status audited =
      co_await AuditOperator(request.tenant_id(), "disconnect_stripe", "disconnected");
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  co_return v1::DisconnectStripeResponse();
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
  PAYVOX_CO_ASSIGN_OR_RETURN(std::shared_ptr<TenantRuntime> tenant,
                             tenants_.Find(request.tenant_id()));
  if (tenant->stripe == nullptr) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "tenant ", request.tenant_id(), " has no Stripe key yet: ConnectStripe first"));
  }
  const std::string& url = request.url();
  const absl::StatusOr<stripe::ParsedUrl> parsed = stripe::ParseBaseUrl(url);
  if (url.empty() || url.size() > 2048 || !parsed.ok() ||
      std::any_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c == 0x7f; })) {
    co_return absl::InvalidArgumentError(
        "url must be the absolute http:// or https:// URL Stripe posts to, at most 2048 "
        "characters, e.g. https://payvox.example.com/v1/webhooks/stripe/<tenant_id>");
  }
  if (!parsed->tls && tenant->stripe->mode() == stripe::Mode::kLive) {
    co_return absl::InvalidArgumentError(
        "url: Stripe sends live-mode events to https:// URLs only");
  }
  if (options_.keyring == nullptr) {
    co_return absl::FailedPreconditionError(
        "payvoxd has no master key to seal the endpoint's signing secret: set "
        "secrets.master_key_file or the PAYVOX_MASTER_KEY environment variable");
  }
  stripe::WebhookEndpointParams params{
      .url = url,
      .description = absl::StrCat("payvox (tenant ", request.tenant_id(), ")"),
      .metadata = {{"payvox_tenant", request.tenant_id()}}};
  for (absl::string_view type : webhooks::kTypedEventTypes) {
    params.enabled_events.emplace_back(type);
  }
  // The same URL registered again within Stripe's idempotency window gets
  // the same endpoint back instead of a second one.
  const std::string key = DeriveIdempotencyKey({.tenant_id = request.tenant_id(),
                                                .call_id = "admin",
                                                .request_id = url,
                                                .action = "configure_webhooks"});
  stripe::StripeApi api(*tenant->stripe);
  stripe::CallOptions call{.bounds = bounds, .idempotency_key = key};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      stripe::WebhookEndpoint endpoint,
      co_await api.CreateWebhookEndpoint(std::move(params), std::move(call)));
  if (endpoint.secret.empty()) {
    co_return absl::InternalError(
        "Stripe created the endpoint without returning its signing secret; delete it in the "
        "Stripe dashboard and try again");
  }
  const absl::Time now = clock_.Now();
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::string sealed,
      options_.keyring->Seal(endpoint.secret,
                             WebhookSecretContext(request.tenant_id(), endpoint.id)));
  const WebhookEndpoint stored{.tenant_id = request.tenant_id(),
                               .endpoint_id = endpoint.id,
                               .url = url,
                               .secret_sealed = std::move(sealed),
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
  PAYVOX_CO_RETURN_IF_ERROR(policy::ValidatePolicy(request.policy(), ActionNames()));
  const absl::Status stored = co_await store_.Run(
      [&](Store& store) { return store.SetPolicy(request.tenant_id(), request.policy()); });
  PAYVOX_CO_RETURN_IF_ERROR(stored);
  // The tenant's actions serve their policy from memory.
  if (absl::StatusOr<std::shared_ptr<TenantRuntime>> runtime = tenants_.Find(request.tenant_id());
      runtime.ok() && (*runtime)->actions != nullptr) {
    (*runtime)->actions->PolicyChanged(request.policy());
  }
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
  PAYVOX_CO_ASSIGN_OR_RETURN(std::shared_ptr<TenantRuntime> tenant,
                             tenants_.Find(request.tenant_id()));
  if (tenant->actions == nullptr) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "tenant ", request.tenant_id(), " has no Stripe key: the approved refund cannot run"));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(
      v1::CreateRefundResponse refund,
      co_await tenant->actions->refunds.ExecuteApproved(std::move(decided), bounds));
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
