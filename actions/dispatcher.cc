#include "actions/dispatcher.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "actions/catalog.h"
#include "actions/typed_actions.h"
#include "common/json_schema.h"
#include "common/redact.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

template <typename Family, typename Request, typename Response>
using TypedAction = boost::asio::awaitable<absl::StatusOr<Response>> (Family::*)(Request,
                                                                                 CallBounds);

// Typed wraps a family's typed action as a catalog handler: JSON arguments
// in, JSON result and `say` out.
template <typename Family, typename Request, typename Response>
auto Typed(Family& actions, TypedAction<Family, Request, Response> method) {
  return [&actions, method](
             v1::CallContext context, std::string arguments,
             CallBounds bounds) -> boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> {
    Request request;
    google::protobuf::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = false;
    if (!google::protobuf::util::JsonStringToMessage(arguments.empty() ? "{}" : arguments, &request,
                                                     parse)
             .ok()) {
      co_return absl::InvalidArgumentError(
          "the arguments do not fit the action's parameters; see its schema in ListActions");
    }
    *request.mutable_context() = std::move(context);
    absl::StatusOr<Response> response = co_await (actions.*method)(std::move(request), bounds);
    if (!response.ok()) co_return response.status();
    v1::ExecuteResponse out;
    out.set_say(response->say());
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(*response, out.mutable_result_json(), print)
             .ok()) {
      co_return absl::InternalError("payvox could not write the result as JSON");
    }
    co_return out;
  };
}

}  // namespace

ActionDispatcher::ActionDispatcher(TenantActions& actions) : actions_(actions) {
#define PAYVOX_TYPED_HANDLER(Rpc, name, family, ...) \
  handlers_[name] = Typed(actions.family, &decltype(actions.family)::Rpc);
  PAYVOX_TYPED_ACTIONS(PAYVOX_TYPED_HANDLER)
#undef PAYVOX_TYPED_HANDLER
  // The long tail runs straight from its catalog entry.
  for (const ActionSpec& spec : Catalog()) {
    if (spec.runner != Runner::kStripe) continue;
    handlers_[std::string(spec.name)] =
        [&actions, &spec](
            v1::CallContext context, std::string arguments,
            CallBounds bounds) -> boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> {
      v1::ExecuteRequest request;
      request.set_action(std::string(spec.name));
      request.set_arguments_json(std::move(arguments));
      *request.mutable_context() = std::move(context);
      co_return co_await actions.catalog.Run(spec, std::move(request), std::move(bounds));
    };
  }
}

boost::asio::awaitable<absl::StatusOr<v1::ListActionsResponse>> ActionDispatcher::ListActions(
    v1::ListActionsRequest, CallBounds) {
  PAYVOX_CO_ASSIGN_OR_RETURN(std::shared_ptr<const DescribedActions> described,
                             co_await Describe());
  co_return described->response;
}

boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>>
ActionDispatcher::Describe() {
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await actions_.Policy());
  co_return Described(policy);
}

std::shared_ptr<const DescribedActions> ActionDispatcher::Listed() {
  std::optional<v1::TenantPolicy> policy = actions_.HeldPolicy();
  if (!policy.has_value()) return nullptr;
  return Described(*policy);
}

std::shared_ptr<const DescribedActions> ActionDispatcher::Described(
    const v1::TenantPolicy& policy) {
  std::string key;
  {
    google::protobuf::io::StringOutputStream out(&key);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    policy.SerializeToCodedStream(&coded);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (described_ != nullptr && described_policy_ == key) return described_;
  }
  auto made = std::make_shared<DescribedActions>();
  made->response = DescribeActions(policy);
  made->serialized = made->response.SerializeAsString();
  std::shared_ptr<const DescribedActions> described = std::move(made);
  std::lock_guard<std::mutex> lock(mu_);
  described_policy_ = std::move(key);
  described_ = described;
  return described;
}

boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> ActionDispatcher::Execute(
    v1::ExecuteRequest request, CallBounds bounds) {
  const ActionSpec* spec = FindAction(request.action());
  const auto handler = handlers_.find(request.action());
  if (spec == nullptr || handler == handlers_.end()) {
    // The name is not echoed: it is caller text, not yet checked for card
    // numbers.
    co_return absl::InvalidArgumentError(
        "action must be a name from ListActions; this one is not in the catalog");
  }
  // Card numbers are refused before anything is parsed further, sent or
  // stored, wherever they hide in the arguments.
  PAYVOX_CO_RETURN_IF_ERROR(RejectCardNumbers("arguments_json", request.arguments_json()));
  const absl::string_view schema(spec->parameters.data(), spec->parameters.size());
  const absl::Status valid = ValidateArguments(schema, request.arguments_json());
  if (!valid.ok()) {
    co_return absl::InvalidArgumentError(absl::StrCat(request.action(), ": ", valid.message()));
  }
  co_return co_await handler->second(std::move(*request.mutable_context()),
                                     std::move(*request.mutable_arguments_json()),
                                     std::move(bounds));
}

}  // namespace payvox
