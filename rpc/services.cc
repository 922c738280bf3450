#include "rpc/services.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rpc/event_stream.h"
#include "rpc/grpc_status.h"
#include "rpc/run_action.h"

namespace payvox {
namespace {

// RefusedStream ends a stream before it starts.
class RefusedStream final : public grpc::ServerWriteReactor<v1::PaymentEvent> {
 public:
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* ActionServiceImpl::ListActions(grpc::CallbackServerContext* context,
                                                         const v1::ListActionsRequest* request,
                                                         v1::ListActionsResponse* response) {
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = tenants_.Connected(BearerToken(*context));
  if (!tenant.ok()) return Refuse(context, tenant.status());
  return RunAction(context, *request, response, executor_,
                   [catalog = (*tenant)->catalog.get(), request](CallBounds bounds) {
                     return catalog->ListActions(*request, std::move(bounds));
                   });
}

grpc::ServerUnaryReactor* ActionServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                     const v1::ExecuteRequest* request,
                                                     v1::ExecuteResponse* response) {
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = tenants_.Connected(BearerToken(*context));
  if (!tenant.ok()) return Refuse(context, tenant.status());
  return RunAction(context, *request, response, executor_,
                   [catalog = (*tenant)->catalog.get(), request](CallBounds bounds) {
                     return catalog->Execute(*request, std::move(bounds));
                   });
}

grpc::ServerWriteReactor<v1::PaymentEvent>* EventServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant =
      tenants_.Authenticate(BearerToken(*context));
  if (!tenant.ok()) {
    auto* refused = new RefusedStream();
    refused->Finish(ToGrpcStatus(tenant.status()));
    return refused;
  }
  return EventStream::Start(context, *request, (*tenant)->tenant_id, store_, hub_, options_);
}

}  // namespace payvox
