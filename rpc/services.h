// services.h: the gRPC callback services of payvoxd.
//
// ActionServiceImpl authenticates each call's tenant token
// (actions/tenants.h) and hands the RPC to that tenant's TenantActions as a
// coroutine on the Stripe I/O executor, returning at once: no gRPC thread
// waits on Stripe. The coroutine completes the call's reactor, mapping its
// absl::Status with ToGrpcStatus.
#ifndef PAYVOX_RPC_SERVICES_H_
#define PAYVOX_RPC_SERVICES_H_

#include <boost/asio/any_io_executor.hpp>

#include "actions/dispatcher.h"
#include "actions/tenant_actions.h"
#include "actions/tenants.h"
#include "actions/typed_actions.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "payvox/v1/events.grpc.pb.h"
#include "rpc/event_stream.h"
#include "rpc/run_action.h"

namespace payvox {

// PAYVOX_ACTION_RPC declares a unary callback handler that runs the
// calling tenant's action `Rpc` of `family` (TenantActions) as a coroutine
// on the executor (rpc/run_action.h), once the request passed the catalog
// schema of `name`, the same check Execute makes.
#define PAYVOX_ACTION_RPC(Rpc, name, family)                                                  \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* context,                         \
                                const v1::Rpc##Request* request, v1::Rpc##Response* response) \
      override {                                                                              \
    absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant =                                   \
        tenants_.Connected(BearerToken(*context));                                            \
    if (!tenant.ok()) return Refuse(context, tenant.status());                                \
    if (absl::Status valid = CheckTypedRequest(name, *request); !valid.ok()) {                \
      return Refuse(context, valid);                                                          \
    }                                                                                         \
    return RunAction(context, *request, response, executor_,                                  \
                     [actions = (*tenant)->actions.get(), request](CallBounds bounds) {       \
                       return actions->family.Rpc(*request, std::move(bounds));               \
                     });                                                                      \
  }

// PAYVOX_CALL_RPC declares the handler of a call-session RPC (BeginCall,
// EndCall) of the calling tenant's TenantActions::calls.
#define PAYVOX_CALL_RPC(Rpc)                                                                  \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* context,                         \
                                const v1::Rpc##Request* request, v1::Rpc##Response* response) \
      override {                                                                              \
    absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant =                                   \
        tenants_.Connected(BearerToken(*context));                                            \
    if (!tenant.ok()) return Refuse(context, tenant.status());                                \
    return RunAction(context, *request, response, executor_,                                  \
                     [actions = (*tenant)->actions.get(), request](CallBounds bounds) {       \
                       return actions->calls.Rpc(*request, std::move(bounds));                \
                     });                                                                      \
  }

// Refuse finishes a unary call with `status` (not OK).
grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context, const absl::Status& status);

// ListActions is a raw method: its answer goes out as the bytes serialized
// once per policy (actions/dispatcher.h), never rebuilt or copied per call.
// Its messages are grpc::ByteBuffer, not protobuf: interceptors must not
// read them as messages (rpc/grpc_metrics.cc).
inline constexpr absl::string_view kRawMethods[] = {"/payvox.v1.ActionService/ListActions"};
class ActionServiceImpl final : public v1::ActionService::WithRawCallbackMethod_ListActions<
                                    v1::ActionService::CallbackService> {
 public:
  // `tenants` must outlive the service; coroutines run on `executor`.
  ActionServiceImpl(TenantDirectory& tenants, boost::asio::any_io_executor executor)
      : tenants_(tenants), executor_(std::move(executor)) {}

  // One handler per typed action (actions/typed_actions.h).
#define PAYVOX_TYPED_RPC(Rpc, name, family, ...) PAYVOX_ACTION_RPC(Rpc, name, family)
  PAYVOX_TYPED_ACTIONS(PAYVOX_TYPED_RPC)
#undef PAYVOX_TYPED_RPC
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context,
                                    const v1::ExecuteRequest* request,
                                    v1::ExecuteResponse* response) override;

  // The call's session (actions/calls.h): not catalog actions.
  PAYVOX_CALL_RPC(BeginCall)
  PAYVOX_CALL_RPC(EndCall)

 private:
  TenantDirectory& tenants_;
  boost::asio::any_io_executor executor_;
};

// EventServiceImpl streams the calling tenant's payment events
// (rpc/event_stream.h).
class EventServiceImpl final : public v1::EventService::CallbackService {
 public:
  // `store`, `hub` and `tenants` must outlive the service and every stream.
  EventServiceImpl(StoreExecutor& store, webhooks::EventHub& hub, const TenantDirectory& tenants,
                   EventStreamOptions options)
      : store_(store), hub_(hub), tenants_(tenants), options_(options) {}

  grpc::ServerWriteReactor<v1::PaymentEvent>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

 private:
  StoreExecutor& store_;
  webhooks::EventHub& hub_;
  const TenantDirectory& tenants_;
  const EventStreamOptions options_;
};

}  // namespace payvox

#endif  // PAYVOX_RPC_SERVICES_H_
