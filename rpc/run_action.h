// run_action.h: how a unary gRPC callback handler runs an action: the
// action is a coroutine started on its own strand of the Stripe I/O
// executor, with the call's deadline and a cancel signal fired by gRPC's
// OnCancel; its absl::Status result is mapped once by ToGrpcStatus.
//
//   return RunAction(context, response, executor_,
//                    [&](CallBounds bounds) { return actions_.X(*request, bounds); });
#ifndef PAYVOX_RPC_RUN_ACTION_H_
#define PAYVOX_RPC_RUN_ACTION_H_

#include <grpcpp/grpcpp.h>

#include <exception>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "common/cancellation.h"
#include "common/card_guard.h"
#include "rpc/grpc_status.h"

namespace payvox {

// DeadlineOf is the gRPC call's deadline; InfiniteFuture when it has none
// (the Stripe client then applies its default timeout).
inline absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// BearerToken reads the call's "authorization: Bearer <token>" metadata;
// empty when absent (TenantDirectory then refuses the call).
inline std::string BearerToken(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  const absl::string_view value(it->second.data(), it->second.size());
  if (!absl::StartsWith(value, "Bearer ")) return "";
  return std::string(value.substr(7));
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
inline CallBounds CallBoundsOf(const grpc::CallbackServerContext& context,
                               const ActionReactor& reactor) {
  return CallBounds(DeadlineOf(context), reactor.cancel());
}

// RunAction starts the coroutine `make_task(bounds)` on its own strand of
// `executor` and completes the call's reactor with its result. `request`
// first passes the card-number guard (common/card_guard.h): a card number in
// any of its fields is INVALID_ARGUMENT and nothing runs. The reactor is
// owned by gRPC until OnDone; `request` and `response` stay valid until
// Finish, which is called exactly once.
template <typename Response, typename MakeTask>
grpc::ServerUnaryReactor* RunAction(grpc::CallbackServerContext* context,
                                    const google::protobuf::Message& request, Response* response,
                                    const boost::asio::any_io_executor& executor,
                                    MakeTask make_task) {
  auto* reactor = new ActionReactor();
  if (absl::Status guarded = RejectCardNumbersIn(request); !guarded.ok()) {
    reactor->Finish(ToGrpcStatus(guarded));
    return reactor;
  }
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

}  // namespace payvox

#endif  // PAYVOX_RPC_RUN_ACTION_H_
