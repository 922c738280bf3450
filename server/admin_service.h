// admin_service.h: AdminService, the operator's side: the tenant's policy,
// approvals, the audit trail and the registration of payvox's webhook
// endpoint in the tenant's Stripe account. Tenants and Stripe connections
// answer UNIMPLEMENTED naming the RPC until multi-tenancy.
//
// payvoxd serves one tenant (config tenant_id); a request naming another
// gets NOT_FOUND. Operator credentials are not checked yet: bind the gRPC
// port to loopback or a private network.
#ifndef PAYVOX_SERVER_ADMIN_SERVICE_H_
#define PAYVOX_SERVER_ADMIN_SERVICE_H_

#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "client/stripe_client.h"
#include "common/secret_box.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "server/services.h"
#include "server/voice_actions.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  struct Options {
    v1::TenantPolicy default_policy;
    std::string tenant_id;
    // Seals webhook signing secrets; null: ConfigureWebhooks answers
    // FAILED_PRECONDITION.
    const Keyring* keyring = nullptr;
    // How long a replaced endpoint's secret keeps verifying.
    absl::Duration secret_overlap = absl::Hours(24);
  };

  // Every reference (and options.keyring) must outlive the service.
  AdminServiceImpl(VoiceActions& actions, stripe::StripeClient& stripe, StoreExecutor& store,
                   const Clock& clock, Options options, boost::asio::any_io_executor executor);

  PAYVOX_UNIMPLEMENTED_RPC(CreateTenant)
  PAYVOX_UNIMPLEMENTED_RPC(RotateTenantToken)
  PAYVOX_UNIMPLEMENTED_RPC(ConnectStripe)
  PAYVOX_UNIMPLEMENTED_RPC(DisconnectStripe)
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
  Async<v1::GetPolicyResponse> DoGetPolicy(v1::GetPolicyRequest request);
  Async<v1::ConfigureWebhooksResponse> DoConfigureWebhooks(v1::ConfigureWebhooksRequest request,
                                                           CallBounds bounds);
  Async<v1::SetPolicyResponse> DoSetPolicy(v1::SetPolicyRequest request);
  Async<v1::ListApprovalsResponse> DoListApprovals(v1::ListApprovalsRequest request);
  Async<v1::DecideApprovalResponse> DoDecideApproval(v1::DecideApprovalRequest request,
                                                     CallBounds bounds);
  Async<v1::QueryAuditResponse> DoQueryAudit(v1::QueryAuditRequest request);
  Async<v1::VerifyAuditChainResponse> DoVerifyAuditChain(v1::VerifyAuditChainRequest request);

  VoiceActions& actions_;
  stripe::StripeClient& stripe_;
  StoreExecutor& store_;
  const Clock& clock_;
  const Options options_;
  boost::asio::any_io_executor executor_;
};

}  // namespace payvox

#endif  // PAYVOX_SERVER_ADMIN_SERVICE_H_
