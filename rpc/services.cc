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

namespace {

grpc::ByteBuffer WireBytes(const DescribedActions& described) {
  grpc::Slice slice(described.serialized);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

grpc::ServerUnaryReactor* ActionServiceImpl::ListActions(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = tenants_.Connected(BearerToken(*context));
  if (!tenant.ok()) return Refuse(context, tenant.status());
  grpc::ByteBuffer copy(*request);  // shares the slices; Deserialize consumes it
  v1::ListActionsRequest parsed;
  if (!grpc::SerializationTraits<v1::ListActionsRequest>::Deserialize(&copy, &parsed).ok()) {
    return Refuse(context, absl::InvalidArgumentError("the request is not a ListActionsRequest"));
  }
  ActionDispatcher* catalog = (*tenant)->catalog.get();
  // Once the policy is held, the answer is memory only: sent from here, on
  // gRPC's thread, without a hop to the executor.
  if (std::shared_ptr<const DescribedActions> listed = catalog->Listed()) {
    *response = WireBytes(*listed);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Else the policy is read from the store, on the executor.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  boost::asio::co_spawn(
      boost::asio::make_strand(executor_), catalog->Describe(),
      [reactor, response](std::exception_ptr error,
                          absl::StatusOr<std::shared_ptr<const DescribedActions>> described) {
        if (error) {
          reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                       "payvox failed while listing its actions; retry"));
        } else if (!described.ok()) {
          reactor->Finish(ToGrpcStatus(described.status()));
        } else {
          *response = WireBytes(**described);
          reactor->Finish(grpc::Status::OK);
        }
      });
  return reactor;
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
