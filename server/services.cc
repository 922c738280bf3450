#include "server/services.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

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

// ActionReactor completes one unary call and turns gRPC's OnCancel (client
// gone, deadline passed, server shutting down) into the call's CancelSignal.
class ActionReactor final : public grpc::ServerUnaryReactor {
 public:
  ActionReactor() : cancel_(std::make_shared<CancelSignal>()) {}

  std::shared_ptr<const CancelSignal> cancel() const { return cancel_; }
  void OnCancel() override { cancel_->Cancel(); }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<CancelSignal> cancel_;
};

// CallBoundsOf is the call's deadline and a fresh cancel signal owned by
// `reactor`.
CallBounds CallBoundsOf(const grpc::CallbackServerContext& context, const ActionReactor& reactor) {
  return CallBounds(DeadlineOf(context), reactor.cancel());
}

// RunAction starts the coroutine `make_task(bounds)` on its own strand of
// `executor` and completes the call's reactor with its result. The reactor
// is owned by gRPC until OnDone; `response` stays valid until Finish, which
// is called exactly once.
template <typename Response, typename MakeTask>
grpc::ServerUnaryReactor* RunAction(grpc::CallbackServerContext* context, Response* response,
                                    const boost::asio::any_io_executor& executor,
                                    MakeTask make_task) {
  auto* reactor = new ActionReactor();
  boost::asio::co_spawn(
      boost::asio::make_strand(executor), make_task(CallBoundsOf(*context, *reactor)),
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
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return actions_.FindCustomer(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* ActionServiceImpl::VerifyIdentity(
    grpc::CallbackServerContext* context, const v1::VerifyIdentityRequest* request,
    v1::VerifyIdentityResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return actions_.VerifyIdentity(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* ActionServiceImpl::ListCharges(grpc::CallbackServerContext* context,
                                                         const v1::ListChargesRequest* request,
                                                         v1::ListChargesResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return actions_.ListCharges(*request, std::move(bounds));
  });
}

grpc::ServerUnaryReactor* ActionServiceImpl::CreateRefund(grpc::CallbackServerContext* context,
                                                          const v1::CreateRefundRequest* request,
                                                          v1::CreateRefundResponse* response) {
  return RunAction(context, response, executor_, [&](CallBounds bounds) {
    return actions_.CreateRefund(*request, std::move(bounds));
  });
}

grpc::ServerWriteReactor<v1::PaymentEvent>* EventServiceImpl::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest*) {
  return new FinishedWriter(ToGrpcStatus(
      absl::UnimplementedError("Subscribe is not implemented yet in this payvox version")));
}

}  // namespace payvox
