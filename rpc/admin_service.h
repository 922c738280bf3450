// admin_service.h: AdminService, the operator's side: tenants and their
// tokens, Stripe connections (probed before anything is stored), policies,
// approvals, the audit trail and the registration of payvox's webhook
// endpoint in a tenant's Stripe account.
//
// Every call needs the operator token (actions/tenants.h): UNAUTHENTICATED
// otherwise. A tenant id payvoxd does not serve is NOT_FOUND.
#ifndef PAYVOX_RPC_ADMIN_SERVICE_H_
#define PAYVOX_RPC_ADMIN_SERVICE_H_

#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "actions/tenant_actions.h"
#include "actions/tenants.h"
#include "client/stripe_client.h"
#include "common/secret_box.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "rpc/services.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  struct Options {
    v1::TenantPolicy default_policy;
    // Seals webhook signing secrets; null: ConfigureWebhooks answers
    // FAILED_PRECONDITION.
    const Keyring* keyring = nullptr;
    // How long a replaced endpoint's secret keeps verifying.
    absl::Duration secret_overlap = absl::Hours(24);
    // Makes a Stripe client for a key ConnectStripe probes.
    std::function<absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>>(std::string)>
        connect;
  };

  // Every reference (and options.keyring) must outlive the service.
  AdminServiceImpl(TenantDirectory& tenants, StoreExecutor& store, const Clock& clock,
                   Options options, boost::asio::any_io_executor executor);

  grpc::ServerUnaryReactor* CreateTenant(grpc::CallbackServerContext* context,
                                         const v1::CreateTenantRequest* request,
                                         v1::CreateTenantResponse* response) override;
  grpc::ServerUnaryReactor* RotateTenantToken(grpc::CallbackServerContext* context,
                                              const v1::RotateTenantTokenRequest* request,
                                              v1::RotateTenantTokenResponse* response) override;
  // ConnectStripe refuses publishable keys, probes the key (balance, then
  // every resource payvox's actions use) and stores it sealed only when the
  // probe passes and the resources the tenant's enabled actions need are
  // all readable; resources only other actions need are reported in
  // missing_permissions.
  grpc::ServerUnaryReactor* ConnectStripe(grpc::CallbackServerContext* context,
                                          const v1::ConnectStripeRequest* request,
                                          v1::ConnectStripeResponse* response) override;
  grpc::ServerUnaryReactor* DisconnectStripe(grpc::CallbackServerContext* context,
                                             const v1::DisconnectStripeRequest* request,
                                             v1::DisconnectStripeResponse* response) override;
  // ConfigureWebhooks registers the URL in Stripe for the event types of
  // webhooks/event_decoder.h and stores the endpoint's signing secret
  // sealed; the previous endpoint's secret keeps verifying for the overlap.
  grpc::ServerUnaryReactor* ConfigureWebhooks(grpc::CallbackServerContext* context,
                                              const v1::ConfigureWebhooksRequest* request,
                                              v1::ConfigureWebhooksResponse* response) override;

  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const v1::GetPolicyRequest* request,
                                      v1::GetPolicyResponse* response) override;
  grpc::ServerUnaryReactor* SetPolicy(grpc::CallbackServerContext* context,
                                      const v1::SetPolicyRequest* request,
                                      v1::SetPolicyResponse* response) override;
  grpc::ServerUnaryReactor* ListApprovals(grpc::CallbackServerContext* context,
                                          const v1::ListApprovalsRequest* request,
                                          v1::ListApprovalsResponse* response) override;
  grpc::ServerUnaryReactor* DecideApproval(grpc::CallbackServerContext* context,
                                           const v1::DecideApprovalRequest* request,
                                           v1::DecideApprovalResponse* response) override;
  grpc::ServerUnaryReactor* QueryAudit(grpc::CallbackServerContext* context,
                                       const v1::QueryAuditRequest* request,
                                       v1::QueryAuditResponse* response) override;
  grpc::ServerUnaryReactor* VerifyAuditChain(grpc::CallbackServerContext* context,
                                             const v1::VerifyAuditChainRequest* request,
                                             v1::VerifyAuditChainResponse* response) override;

 private:
  template <typename T>
  using Async = boost::asio::awaitable<absl::StatusOr<T>>;

  absl::Status CheckTenant(const std::string& tenant_id) const;
  // Admin runs `work` after checking the operator token and `request`
  // (rpc/run_action.h).
  template <typename Response, typename Work>
  grpc::ServerUnaryReactor* Admin(grpc::CallbackServerContext* context,
                                  const google::protobuf::Message& request, Response* response,
                                  Work work);
  Async<v1::ConnectStripeResponse> DoConnectStripe(v1::ConnectStripeRequest request,
                                                   CallBounds bounds);
  Async<v1::CreateTenantResponse> DoCreateTenant(v1::CreateTenantRequest request);
  Async<v1::RotateTenantTokenResponse> DoRotateTenantToken(v1::RotateTenantTokenRequest request);
  Async<v1::DisconnectStripeResponse> DoDisconnectStripe(v1::DisconnectStripeRequest request);
  // Operator audits an operator's change to a tenant.
  boost::asio::awaitable<absl::Status> AuditOperator(const std::string& tenant_id,
                                                     const std::string& action,
                                                     const std::string& result);
  Async<v1::GetPolicyResponse> DoGetPolicy(v1::GetPolicyRequest request);
  Async<v1::ConfigureWebhooksResponse> DoConfigureWebhooks(v1::ConfigureWebhooksRequest request,
                                                           CallBounds bounds);
  Async<v1::SetPolicyResponse> DoSetPolicy(v1::SetPolicyRequest request);
  Async<v1::ListApprovalsResponse> DoListApprovals(v1::ListApprovalsRequest request);
  Async<v1::DecideApprovalResponse> DoDecideApproval(v1::DecideApprovalRequest request,
                                                     CallBounds bounds);
  Async<v1::QueryAuditResponse> DoQueryAudit(v1::QueryAuditRequest request);
  Async<v1::VerifyAuditChainResponse> DoVerifyAuditChain(v1::VerifyAuditChainRequest request);

  TenantDirectory& tenants_;
  StoreExecutor& store_;
  const Clock& clock_;
  const Options options_;
  boost::asio::any_io_executor executor_;
};

}  // namespace payvox

#endif  // PAYVOX_RPC_ADMIN_SERVICE_H_
