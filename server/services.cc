#include "server/services.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/grpc_status.h"

namespace payvox {
namespace {

// DeadlineOf is the gRPC call's deadline; InfiniteFuture when it has none
// (the Stripe client then applies its default timeout).
absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// RunAction starts `task` on `executor` and completes the call's reactor
// with its result. The reactor is owned by gRPC; `response` stays valid
// until Finish, which is called exactly once.
template <typename Response, typename Task>
grpc::ServerUnaryReactor* RunAction(grpc::CallbackServerContext* context, Response* response,
                                    const boost::asio::any_io_executor& executor, Task task) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  boost::asio::co_spawn(
      executor, std::move(task),
      [reactor, response](std::exception_ptr error, absl::StatusOr<Response> result) {
        if (error) {
          reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                       "payvox failed while handling this call; retry with the "
                                       "same request_id"));
          return;
        }
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        *response = *std::move(result);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

// FinishedWriter ends a server stream at once with one status and deletes
// itself when gRPC is done with it.
class FinishedWriter final : public grpc::ServerWriteReactor<v1::PaymentEvent> {
 public:
  explicit FinishedWriter(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, const char* rpc) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(absl::UnimplementedError(
      absl::StrCat(rpc, " is not implemented yet in this payvox version"))));
  return reactor;
}

grpc::ServerUnaryReactor* ActionServiceImpl::FindCustomer(grpc::CallbackServerContext* context,
                                                          const v1::FindCustomerRequest* request,
                                                          v1::FindCustomerResponse* response) {
  return RunAction(context, response, executor_,
                   actions_.FindCustomer(*request, DeadlineOf(*context)));
}

grpc::ServerUnaryReactor* ActionServiceImpl::VerifyIdentity(
    grpc::CallbackServerContext* context, const v1::VerifyIdentityRequest* request,
    v1::VerifyIdentityResponse* response) {
  return RunAction(context, response, executor_,
                   actions_.VerifyIdentity(*request, DeadlineOf(*context)));
}

grpc::ServerUnaryReactor* ActionServiceImpl::ListCharges(grpc::CallbackServerContext* context,
                                                         const v1::ListChargesRequest* request,
                                                         v1::ListChargesResponse* response) {
  return RunAction(context, response, executor_,
                   actions_.ListCharges(*request, DeadlineOf(*context)));
}

grpc::ServerUnaryReactor* ActionServiceImpl::CreateRefund(grpc::CallbackServerContext* context,
                                                          const v1::CreateRefundRequest* request,
                                                          v1::CreateRefundResponse* response) {
  return RunAction(context, response, executor_,
                   actions_.CreateRefund(*request, DeadlineOf(*context)));
}

grpc::ServerWriteReactor<v1::PaymentEvent>* EventServiceImpl::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest*) {
  return new FinishedWriter(ToGrpcStatus(
      absl::UnimplementedError("Subscribe is not implemented yet in this payvox version")));
}

}  // namespace payvox
