// tool_runner.h: one tool call from any HTTP face, run through the same
// core as gRPC's Execute (actions/dispatcher.h): the catalog's schema,
// policy, audit, idempotency and the card-number guard, plus what only
// untrusted transports need: confirmation tokens and request ids for
// platforms that send none (gateway/confirmation.h).
//
//   ToolOutcome outcome = co_await runner.Run(*tenant, {.face = "vapi", ...});
//   reply(outcome.Text());   // one line of JSON for the LLM
#ifndef PAYVOX_GATEWAY_TOOL_RUNNER_H_
#define PAYVOX_GATEWAY_TOOL_RUNNER_H_

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actions/tenants.h"
#include "common/clock.h"
#include "gateway/confirmation.h"

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
};

class ToolRunner {
 public:
  // Everything must outlive the runner; actions run on strands of
  // `executor` (the Stripe I/O executor, as for gRPC).
  ToolRunner(ConfirmationTokens& tokens, RepeatWindow& repeats, const Clock& clock,
             boost::asio::any_io_executor executor, ToolRunnerOptions options)
      : tokens_(tokens),
        repeats_(repeats),
        clock_(clock),
        executor_(std::move(executor)),
        options_(options) {}

  boost::asio::awaitable<ToolOutcome> Run(std::shared_ptr<TenantRuntime> tenant,
                                          ToolRequest request);

  // BeginCall / EndCall of `tenant` for a platform's call-start and
  // call-end messages, with the same bound.
  boost::asio::awaitable<absl::StatusOr<v1::BeginCallResponse>> BeginCall(
      std::shared_ptr<TenantRuntime> tenant, v1::BeginCallRequest request, absl::Duration budget);
  boost::asio::awaitable<absl::Status> EndCall(std::shared_ptr<TenantRuntime> tenant,
                                               std::string call_id);
  // Catalog: the tenant's ListActions answer (actions/dispatcher.h).
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>> Catalog(
      std::shared_ptr<TenantRuntime> tenant);

 private:
  // What a tool call is once its envelope was read and checked.
  struct Prepared {
    Binding binding;
    bool destructive = false;
    std::shared_ptr<v1::ExecuteRequest> execute = std::make_shared<v1::ExecuteRequest>();
  };
  // Prepare does everything before the action runs (plain code, not a
  // coroutine): the outcome when the call stops there.
  std::optional<ToolOutcome> Prepare(const TenantRuntime& tenant, const ToolRequest& request,
                                     Prepared& prepared);

  ConfirmationTokens& tokens_;
  RepeatWindow& repeats_;
  const Clock& clock_;
  boost::asio::any_io_executor executor_;
  const ToolRunnerOptions options_;
};

// ConfirmationSay is what the agent asks before `action` commits.
std::string ConfirmationSay(absl::string_view action, bool destructive);

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_TOOL_RUNNER_H_
