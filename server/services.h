// services.h: the gRPC callback services of payvoxd.
//
// ActionServiceImpl hands each implemented RPC to VoiceActions as a
// coroutine on the Stripe I/O executor and returns at once: no gRPC thread
// waits on Stripe. The coroutine completes the call's reactor, mapping its
// absl::Status with ToGrpcStatus. RPCs that later work implements answer
// UNIMPLEMENTED with a message naming the RPC.
#ifndef PAYVOX_SERVER_SERVICES_H_
#define PAYVOX_SERVER_SERVICES_H_

#include <boost/asio/any_io_executor.hpp>

#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "payvox/v1/events.grpc.pb.h"
#include "server/executor.h"
#include "server/voice_actions.h"

namespace payvox {

// PAYVOX_UNIMPLEMENTED_RPC declares a unary callback handler that answers
// UNIMPLEMENTED naming the RPC.
#define PAYVOX_UNIMPLEMENTED_RPC(Rpc)                                                          \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* context, const v1::Rpc##Request*, \
                                v1::Rpc##Response*) override {                                 \
    return Unimplemented(context, #Rpc);                                                       \
  }

// Unimplemented finishes a unary call with UNIMPLEMENTED naming `rpc`.
grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, const char* rpc);

class ActionServiceImpl final : public v1::ActionService::CallbackService {
 public:
  // `actions` and `catalog` must outlive the service; coroutines run on
  // `executor`.
  ActionServiceImpl(VoiceActions& actions, ActionExecutor& catalog,
                    boost::asio::any_io_executor executor)
      : actions_(actions), catalog_(catalog), executor_(std::move(executor)) {}

  grpc::ServerUnaryReactor* FindCustomer(grpc::CallbackServerContext* context,
                                         const v1::FindCustomerRequest* request,
                                         v1::FindCustomerResponse* response) override;
  grpc::ServerUnaryReactor* VerifyIdentity(grpc::CallbackServerContext* context,
                                           const v1::VerifyIdentityRequest* request,
                                           v1::VerifyIdentityResponse* response) override;
  grpc::ServerUnaryReactor* ListCharges(grpc::CallbackServerContext* context,
                                        const v1::ListChargesRequest* request,
                                        v1::ListChargesResponse* response) override;
  grpc::ServerUnaryReactor* CreateRefund(grpc::CallbackServerContext* context,
                                         const v1::CreateRefundRequest* request,
                                         v1::CreateRefundResponse* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context,
                                    const v1::ExecuteRequest* request,
                                    v1::ExecuteResponse* response) override;

  PAYVOX_UNIMPLEMENTED_RPC(BeginCall)
  PAYVOX_UNIMPLEMENTED_RPC(EndCall)
  PAYVOX_UNIMPLEMENTED_RPC(GetPayment)
  PAYVOX_UNIMPLEMENTED_RPC(FindDuplicateCharges)
  PAYVOX_UNIMPLEMENTED_RPC(GetRefund)
  PAYVOX_UNIMPLEMENTED_RPC(ListRefunds)
  PAYVOX_UNIMPLEMENTED_RPC(CreateCoupon)
  PAYVOX_UNIMPLEMENTED_RPC(ListSubscriptions)
  PAYVOX_UNIMPLEMENTED_RPC(GetSubscription)
  PAYVOX_UNIMPLEMENTED_RPC(CancelSubscription)
  PAYVOX_UNIMPLEMENTED_RPC(PauseSubscription)
  PAYVOX_UNIMPLEMENTED_RPC(ResumeSubscription)
  PAYVOX_UNIMPLEMENTED_RPC(ChangeSubscriptionPlan)
  PAYVOX_UNIMPLEMENTED_RPC(ListInvoices)
  PAYVOX_UNIMPLEMENTED_RPC(GetInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(GetUpcomingInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(SendInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(VoidInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(CreateInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(FinalizeInvoice)
  PAYVOX_UNIMPLEMENTED_RPC(CreatePaymentLink)
  PAYVOX_UNIMPLEMENTED_RPC(CreatePortalSession)
  PAYVOX_UNIMPLEMENTED_RPC(StartSecurePayment)

 private:
  VoiceActions& actions_;
  ActionExecutor& catalog_;
  boost::asio::any_io_executor executor_;
};

class EventServiceImpl final : public v1::EventService::CallbackService {
 public:
  grpc::ServerWriteReactor<v1::PaymentEvent>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;
};

}  // namespace payvox

#endif  // PAYVOX_SERVER_SERVICES_H_
