#include "server/services.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/grpc_status.h"
#include "server/event_stream.h"
#include "server/run_action.h"

namespace payvox {
namespace {


}  // namespace

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, const char* rpc) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(absl::UnimplementedError(
      absl::StrCat(rpc, " is not implemented yet in this payvox version"))));
  return reactor;
}

grpc::ServerUnaryReactor* ActionServiceImpl::ListActions(grpc::CallbackServerContext* context,
                                                         const v1::ListActionsRequest* request,
                                                         v1::ListActionsResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return catalog_.ListActions(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* ActionServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                     const v1::ExecuteRequest* request,
                                                     v1::ExecuteResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return catalog_.Execute(*request, std::move(bounds));
  });
}

grpc::ServerWriteReactor<v1::PaymentEvent>* EventServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  return EventStream::Start(context, *request, tenant_id_, store_, hub_, options_);
}

}  // namespace payvox
