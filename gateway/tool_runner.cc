#include "gateway/tool_runner.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "actions/catalog.h"
#include "common/card_guard.h"
#include "common/error_detail.h"
#include "common/json_writer.h"
#include "gateway/envelopes.h"

namespace payvox::gateway {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxId = 128;

// OnStrand runs the coroutine lambda `task` on a strand of its own of
// `executor` and returns an awaitable of its result. Callers name the lambda
// and pass it by reference: GCC 12 destroys a temporary that lives across a
// co_await twice (ASan caught it), so no lambda or strand is a temporary of
// the caller's co_await expression.
template <typename Task>
auto OnStrand(const asio::any_io_executor& executor, Task&& task) {
  return asio::co_spawn(asio::make_strand(executor), std::forward<Task>(task), asio::use_awaitable);
}

ToolOutcome Failed(absl::Status status) {
  ToolOutcome outcome;
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  outcome.say = detail.has_value() && !detail->say().empty() ? detail->say()
                                                             : "Sorry, I can't do that right now.";
  outcome.status = std::move(status);
  return outcome;
}

ToolOutcome BadArguments(absl::string_view message) {
  ToolOutcome outcome = Failed(absl::InvalidArgumentError(message));
  outcome.bad_arguments = true;
  return outcome;
}

}  // namespace

std::string ToolOutcome::Text() const {
  if (status.ok()) return result_json;
  JsonWriter json;
  json.BeginObject();
  if (!confirmation_token.empty()) {
    json.Field("needs_confirmation", true)
        .Field("confirmation_token", confirmation_token)
        .Field("say", say)
        .Field("next",
               "Ask the caller; if they say yes, call the same tool again with the same arguments "
               "and this confirmation_token.");
    return json.EndObject().Take();
  }
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  json.Field("error", status.message());
  if (detail.has_value() && !detail->reason().empty()) json.Field("reason", detail->reason());
  json.Field("retryable", detail.has_value() && detail->retryable()).Field("say", say);
  return json.EndObject().Take();
}

std::optional<ToolOutcome> ToolRunner::Prepare(const TenantRuntime& tenant,
                                               const ToolRequest& request, Prepared& prepared) {
  if (FindAction(request.action) == nullptr) {
    ToolOutcome outcome = Failed(absl::NotFoundError(
        absl::StrCat("no tool is named \"", request.action.substr(0, 64), "\"")));
    outcome.unknown_tool = true;
    return outcome;
  }
  absl::StatusOr<Arguments> arguments = SplitArguments(request.arguments_json, "the arguments");
  if (!arguments.ok()) return BadArguments(arguments.status().message());
  std::string call_id = request.call_id;
  if (call_id.empty() && request.call_id_from_arguments) call_id = arguments->call_id;
  call_id = PlatformId(call_id);
  if (call_id.empty()) {
    return BadArguments(request.call_id_from_arguments
                            ? "the call is unknown: send the X-Call-Id header or a call_id argument"
                            : "the call is unknown: the platform sent no call id");
  }
  if (call_id.size() > kMaxId || request.request_id.size() > kMaxId) {
    return BadArguments("the call id and the request id are at most 128 characters");
  }
  const Binding binding{tenant.tenant_id, call_id, request.action, arguments->canonical};
  const std::string request_id = request.request_id.empty()
                                     ? repeats_.RequestId(binding, arguments->confirmation_token)
                                     : PlatformId(request.request_id);

  v1::CallContext& context = *prepared.execute->mutable_context();
  context.set_call_id(call_id);
  if (request.agent.empty()) {
    context.set_agent_id(request.face);
  } else {
    context.set_agent_id(absl::StrCat(request.face, ":", request.agent));
  }
  // Only the token confirms: the model writes the arguments, so nothing in
  // them sets context.confirmed.
  context.set_request_id(request_id);
  context.set_confirmation_token(arguments->confirmation_token);
  prepared.execute->set_action(request.action);
  prepared.execute->set_arguments_json(arguments->canonical);
  if (absl::Status clean = RejectCardNumbersIn(*prepared.execute); !clean.ok()) {
    return BadArguments(clean.message());
  }
  return std::nullopt;
}

asio::awaitable<ToolOutcome> ToolRunner::Run(std::shared_ptr<TenantRuntime> tenant,
                                             ToolRequest request) {
  Prepared call;
  std::optional<ToolOutcome> stopped = Prepare(*tenant, request, call);
  if (stopped.has_value()) co_return *std::move(stopped);
  ActionDispatcher* catalog = tenant->catalog.get();
  const absl::Time started = clock_.Now();
  const CallBounds bounds(started + options_.timeout);
  auto task = [catalog, execute = call.execute,
               bounds]() -> asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> {
    v1::ExecuteRequest request = *execute;
    co_return co_await catalog->Execute(std::move(request), bounds);
  };
  absl::StatusOr<v1::ExecuteResponse> response = co_await OnStrand(executor_, std::move(task));
  const absl::StatusCode code = response.status().code();
  if (options_.log != nullptr && options_.log->Enabled(OutcomeLevel(code))) {
    const v1::CallContext& context = call.execute->context();
    options_.log->Log(OutcomeLevel(code), "tool call",
                      {{"face", request.face},
                       {"action", request.action},
                       {"tenant", tenant->tenant_id},
                       {"call_id", context.call_id()},
                       {"request_id", context.request_id()},
                       {"code", absl::StatusCodeToString(code)},
                       {"ms", absl::StrCat(absl::ToInt64Milliseconds(clock_.Now() - started))}});
  }
  if (response.ok()) {
    ToolOutcome outcome;
    outcome.say = response->say();
    outcome.result_json = response->result_json();
    co_return outcome;
  }
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(response.status());
  ToolOutcome outcome = Failed(response.status());
  if (detail.has_value() && !detail->confirmation_token().empty()) {
    outcome.confirmation_token = detail->confirmation_token();
    co_return outcome;
  }
  outcome.bad_arguments = response.status().code() == absl::StatusCode::kInvalidArgument &&
                          (!detail.has_value() || detail->reason().empty());
  co_return outcome;
}

asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> ToolRunner::BeginCall(
    std::shared_ptr<TenantRuntime> tenant, v1::BeginCallRequest request, absl::Duration budget) {
  TenantActions* actions = tenant->actions.get();
  const CallBounds bounds(clock_.Now() + budget);
  auto shared = std::make_shared<const v1::BeginCallRequest>(std::move(request));
  auto task = [actions, shared,
               bounds]() -> asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> {
    v1::BeginCallRequest begin = *shared;
    co_return co_await actions->calls.BeginCall(std::move(begin), bounds);
  };
  co_return co_await OnStrand(executor_, std::move(task));
}

asio::awaitable<absl::Status> ToolRunner::EndCall(std::shared_ptr<TenantRuntime> tenant,
                                                  std::string call_id) {
  TenantActions* actions = tenant->actions.get();
  const CallBounds bounds(clock_.Now() + options_.timeout);
  auto call = std::make_shared<const std::string>(PlatformId(call_id));
  auto task = [actions, call, bounds]() -> asio::awaitable<absl::StatusOr<v1::EndCallResponse>> {
    v1::EndCallRequest end;
    end.mutable_context()->set_call_id(*call);
    co_return co_await actions->calls.EndCall(std::move(end), bounds);
  };
  absl::StatusOr<v1::EndCallResponse> ended = co_await OnStrand(executor_, std::move(task));
  co_return ended.status();
}

asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>> ToolRunner::Catalog(
    std::shared_ptr<TenantRuntime> tenant) {
  ActionDispatcher* catalog = tenant->catalog.get();
  if (std::shared_ptr<const DescribedActions> held = catalog->Listed()) co_return held;
  auto task =
      [catalog]() -> asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>> {
    co_return co_await catalog->Describe();
  };
  co_return co_await OnStrand(executor_, std::move(task));
}

asio::awaitable<absl::StatusOr<std::shared_ptr<const std::string>>> ToolRunner::Tools(
    std::shared_ptr<TenantRuntime> tenant, ToolFormat format) {
  absl::StatusOr<std::shared_ptr<const DescribedActions>> catalog = co_await Catalog(tenant);
  if (!catalog.ok()) co_return catalog.status();
  const std::pair<std::string, ToolFormat> key{tenant->tenant_id, format};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = rendered_.find(key);
    if (found != rendered_.end() && found->second.catalog == *catalog) {
      co_return found->second.tools;
    }
  }
  absl::StatusOr<std::string> tools = ToolList((*catalog)->response, format);
  if (!tools.ok()) co_return tools.status();
  auto shared = std::make_shared<const std::string>(*std::move(tools));
  std::lock_guard<std::mutex> lock(mu_);
  rendered_[key] = Rendered{*catalog, shared};
  co_return shared;
}

}  // namespace payvox::gateway
