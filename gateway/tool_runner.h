// tool_runner.h: one tool call from any HTTP face, run through the same
// core as gRPC's Execute (actions/dispatcher.h): the catalog's schema,
// policy, audit, idempotency, confirmation tokens and the card-number
// guard, plus what only untrusted transports need: the token is the only
// confirmation (context.confirmed is never set), and platforms that send no
// request id get the repeat window's (gateway/confirmation.h).
//
//   ToolOutcome outcome = co_await runner.Run(*tenant, {.face = "vapi", ...});
//   reply(outcome.Text());   // one line of JSON for the LLM
#ifndef PAYVOX_GATEWAY_TOOL_RUNNER_H_
#define PAYVOX_GATEWAY_TOOL_RUNNER_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actions/tenants.h"
#include "common/clock.h"
#include "common/log.h"
#include "gateway/confirmation.h"
#include "gateway/tool_list.h"

namespace payvox::gateway {

struct ToolRequest {
  // "mcp", "vapi", "retell", "rest": recorded as the audit trail's agent_id
  // ("vapi" or "vapi:<assistant id>").
  std::string face;
  // The platform's agent or assistant id; may be empty.
  std::string agent;
  // From the platform's envelope or header, never from the model.
  std::string call_id;
  // The platform's id of this tool call; empty: the repeat window's.
  std::string request_id;
  std::string action;
  // The model's arguments: a JSON object (or empty).
  std::string arguments_json;
  // MCP without an X-Call-Id header: the call may come from a `call_id`
  // argument. Elsewhere such an argument is ignored.
  bool call_id_from_arguments = false;
};

struct ToolOutcome {
  // OK, or the error (with its ErrorDetail) the face reports.
  absl::Status status;
  // The action's result as JSON (OK only).
  std::string result_json;
  // The sentence the agent can say.
  std::string say;
  // Set when the action waits for the caller's confirmation.
  std::string confirmation_token;
  // The name is no action of the catalog (MCP: a JSON-RPC error).
  bool unknown_tool = false;
  // The arguments are not a JSON object, or do not fit the schema.
  bool bad_arguments = false;

  // Text is one line of JSON for the LLM: the result; or {"say",
  // "needs_confirmation", "confirmation_token"}; or {"error", "reason",
  // "retryable", "say"}.
  std::string Text() const;
};

struct ToolRunnerOptions {
  // Bound on one tool call, Stripe's retries included.
  absl::Duration timeout = absl::Seconds(15);
  // Logs each tool call ("tool call": face, action, tenant, call and
  // request ids, code, latency) at common/log.h OutcomeLevel; null: no
  // lines.
  Logger* log = nullptr;
};

class ToolRunner {
 public:
  // Everything must outlive the runner; actions run on strands of
  // `executor` (the Stripe I/O executor, as for gRPC).
  ToolRunner(RepeatWindow& repeats, const Clock& clock, boost::asio::any_io_executor executor,
             ToolRunnerOptions options)
      : repeats_(repeats), clock_(clock), executor_(std::move(executor)), options_(options) {}

  boost::asio::awaitable<ToolOutcome> Run(std::shared_ptr<TenantRuntime> tenant,
                                          ToolRequest request);

  // BeginCall / EndCall of `tenant` for a platform's call-start and
  // call-end messages, with the same bound.
  boost::asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> BeginCall(
      std::shared_ptr<TenantRuntime> tenant, v1::BeginCallRequest request, absl::Duration budget);
  boost::asio::awaitable<absl::Status> EndCall(std::shared_ptr<TenantRuntime> tenant,
                                               std::string call_id);
  // Tools: the tenant's enabled catalog (ListActions, actions/dispatcher.h)
  // as a JSON array in `format` (gateway/tool_list.h), rendered once per
  // catalog the dispatcher describes (so once per policy) and shared.
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const std::string>>> Tools(
      std::shared_ptr<TenantRuntime> tenant, ToolFormat format);

 private:
  // What a tool call is once its envelope was read and checked.
  struct Prepared {
    std::shared_ptr<v1::ExecuteRequest> execute = std::make_shared<v1::ExecuteRequest>();
  };
  // Prepare does everything before the action runs (plain code, not a
  // coroutine): the outcome when the call stops there.
  std::optional<ToolOutcome> Prepare(const TenantRuntime& tenant, const ToolRequest& request,
                                     Prepared& prepared);

  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>> Catalog(
      std::shared_ptr<TenantRuntime> tenant);

  RepeatWindow& repeats_;
  const Clock& clock_;
  boost::asio::any_io_executor executor_;
  const ToolRunnerOptions options_;
  // The last tool list rendered for each (tenant, format), with the catalog
  // it was rendered from: a new catalog (the policy changed) is rendered
  // again in its place.
  struct Rendered {
    std::shared_ptr<const DescribedActions> catalog;
    std::shared_ptr<const std::string> tools;
  };
  std::mutex mu_;
  absl::flat_hash_map<std::pair<std::string, ToolFormat>, Rendered> rendered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_TOOL_RUNNER_H_
