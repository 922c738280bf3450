// write_pipeline.h: the one path every write takes, refunds included.
//
//   1. a confirmation token the request carries is redeemed (the write then
//      runs under the token's key); concurrent calls of one request (same
//      call, request_id and action) become one run; the others wait for its
//      answer (SingleFlight);
//   2. a retry of a request that went through is answered from its saved
//      answer, without asking Stripe or the policy again;
//   3. the action loads its facts (`plan`: the objects it changes, their
//      state, the amount, the limit it counts toward) with the tenant's
//      policy at hand;
//   4. the caller's verification and today's usage are read in one store
//      call, and the policy decides (a refusal is audited; one that asks the
//      caller's confirmation carries a token for this request; an answer
//      that needs an operator files an approval when the plan allows one);
//   5. the limit reservation and the audit intent are written in one commit;
//   6. the plan's `send` asks Stripe;
//   7. the outcome is audited, the reservation settled and the answer saved.
//
// What differs between writes is data in the plan, never a branch here:
//
//   co_return co_await writes_.Run<v1::CreateCouponResponse>(
//       request, "create_coupon", bounds,
//       [&](const v1::TenantPolicy& policy) -> Async<WritePlan<v1::CreateCouponResponse>> {
//         WritePlan<v1::CreateCouponResponse> plan;
//         plan.facts = {.action = "create_coupon", .capability = "coupons", ...};
//         plan.limit = LimitUse{...};
//         plan.send = [&](const std::string& key) { ... };
//         co_return plan;
//       });
#ifndef PAYVOX_ACTIONS_WRITE_PIPELINE_H_
#define PAYVOX_ACTIONS_WRITE_PIPELINE_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "actions/action_env.h"
#include "actions/single_flight.h"
#include "common/status_macros.h"
#include "policy/policy.h"
#include "store/store.h"

namespace payvox {

// LimitUse: the daily limit a write counts toward, reserved with its audit
// intent and settled with its outcome.
struct LimitUse {
  // The usage row: ("refund", "usd"), ("coupon", "*").
  std::string kind;
  std::string currency = "*";
  // Per-customer limits count against this customer.
  std::string customer_id;
  int64_t amount = 0;
  // nullopt: no limit stops the write (it still counts).
  std::optional<int64_t> tenant_limit;
  std::optional<int64_t> customer_limit;
  // Where the policy sees today's totals.
  int64_t policy::Usage::*tenant_used = nullptr;
  int64_t policy::Usage::*customer_used = nullptr;
  // The refusal when concurrent writes took the room the decision saw; its
  // message (no final period) gets the store's detail and one.
  policy::Decision over_limit;
};

template <typename Response>
struct WritePlan {
  // What the policy decides on: the action's own facts (refund, coupon,
  // subscription). The pipeline fills in the rest: the action's name, class
  // and capability from its catalog entry (set `capability` only to choose
  // among the entry's, as a refund does between full and partial), the
  // caller's verification, the confirmation, the time and today's usage.
  policy::ActionFacts facts;
  // The customer whose verified identity (in this call) the write needs;
  // empty for writes that belong to no customer, unless `identity_required`
  // (a refund of a charge without a customer can never be verified).
  std::string customer;
  bool identity_required = false;
  // For the audit trail: what is changed, and the money moved.
  std::string target;
  int64_t amount = 0;
  std::string currency;
  std::optional<LimitUse> limit;
  // Set: an answer that needs an operator files an approval holding the
  // request, and this is the caller's answer. Unset: such a write is
  // refused (operators approve refunds only).
  std::function<Response(const std::string& approval_id, const std::string& say)> awaiting_approval;
  // Set by an operator's approval (AdminService.DecideApproval): the policy
  // already decided; no limit stops the write, it still counts, and the
  // audit names the operator.
  std::string approved_by;
  // Stripe, with the write's Idempotency-Key.
  std::function<boost::asio::awaitable<absl::StatusOr<Response>>(const std::string& key)> send;
  // Stripe's object id in the answer, for the audit trail.
  std::function<std::string(const Response&)> result_id;
};

class WritePipeline {
 public:
  // `env` must outlive the pipeline.
  explicit WritePipeline(ActionEnv& env) : env_(env) {}

  // Run takes `request` (already validated by the action) through the
  // pipeline under the key of (its context, `action`). `plan` runs after
  // the replay check, so a retry reads nothing from Stripe.
  template <typename Response, typename Plan>
  boost::asio::awaitable<absl::StatusOr<Response>> Run(const google::protobuf::Message& request,
                                                       const v1::CallContext& context,
                                                       std::string action, CallBounds bounds,
                                                       Plan plan);

 private:
  // What step 4 reads, in one store call.
  struct StoredFacts {
    bool verified = false;
    policy::Usage usage;
  };
  // Checked: steps 3 to 7 for one run.
  template <typename Response, typename Plan>
  boost::asio::awaitable<absl::StatusOr<Response>> Checked(const google::protobuf::Message& request,
                                                           const v1::CallContext& context,
                                                           const std::string& action,
                                                           const Confirmation& confirmation,
                                                           Plan& plan);
  // Describe fills in the facts the action's catalog entry declares.
  static absl::Status Describe(const std::string& action, policy::ActionFacts& facts);
  // ReadFacts: the caller's verification and today's usage, without the
  // reservation this request (`key`) already holds from an earlier attempt.
  boost::asio::awaitable<absl::StatusOr<StoredFacts>> ReadFacts(
      const v1::CallContext& context, const std::string& customer, bool identity_required,
      const std::optional<LimitUse>& limit, const std::string& own_key);
  std::optional<ReservationRequest> ReservationFor(const std::string& key,
                                                   const std::optional<LimitUse>& limit,
                                                   bool approved) const;
  // FileApproval stores the request for an operator; its id is derived from
  // the request, so a retry files nothing new.
  boost::asio::awaitable<absl::StatusOr<std::string>> FileApproval(
      const google::protobuf::Message& request, const v1::CallContext& context,
      const v1::AuditRecord& who, const policy::Decision& decision);
  // Finished settles step 7 and returns the write's answer.
  template <typename Response>
  boost::asio::awaitable<absl::StatusOr<Response>> Finished(
      v1::AuditRecord who, const StartedAction& started, const google::protobuf::Message& request,
      absl::StatusOr<Response> response, const std::function<std::string(const Response&)>& id);

  ActionEnv& env_;
  SingleFlight flights_;
};

template <typename Response, typename Plan>
boost::asio::awaitable<absl::StatusOr<Response>> WritePipeline::Run(
    const google::protobuf::Message& request, const v1::CallContext& context, std::string action,
    CallBounds bounds, Plan plan) {
  PAYVOX_CO_ASSIGN_OR_RETURN(const Confirmation confirmation,
                             env_.Confirm(request, context, action));
  const std::string& key = confirmation.key;
  if (context.request_id().empty()) {
    // Refused by the action's checks before it gets here; run as it is.
    co_return co_await Checked<Response>(request, context, action, confirmation, plan);
  }
  // A preview and its confirmed change are two requests.
  const std::string flight = context.confirmed() ? key + ":confirmed" : key;
  SingleFlight::Ticket ticket = flights_.Join(flight, RequestFingerprint(request));
  if (!ticket.leader()) {
    PAYVOX_CO_ASSIGN_OR_RETURN(const std::string answer, co_await ticket.Wait(bounds, env_.clock));
    Response response;
    if (!response.ParseFromString(answer)) {
      co_return absl::InternalError("payvox could not read the answer of this request's first run");
    }
    co_return response;
  }
  absl::StatusOr<Response> result =
      co_await Checked<Response>(request, context, action, confirmation, plan);
  if (result.ok()) {
    ticket.Publish(result->SerializeAsString());
  } else {
    ticket.Publish(result.status());
  }
  co_return result;
}

template <typename Response, typename Plan>
boost::asio::awaitable<absl::StatusOr<Response>> WritePipeline::Checked(
    const google::protobuf::Message& request, const v1::CallContext& context,
    const std::string& action, const Confirmation& confirmation, Plan& plan) {
  const std::string& key = confirmation.key;
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<Response> saved,
                             co_await env_.guard.Replay<Response>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await env_.guard.Policy());
  PAYVOX_CO_ASSIGN_OR_RETURN(WritePlan<Response> write, co_await plan(policy));
  PAYVOX_CO_RETURN_IF_ERROR(Describe(action, write.facts));
  const bool approved = !write.approved_by.empty();

  v1::AuditRecord who = env_.guard.Who(context, write.facts.action, write.customer, write.target,
                                       write.amount, write.currency);
  if (approved) {
    who.set_agent_id(absl::StrCat("approved by ", write.approved_by));
  } else {
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const StoredFacts stored,
        co_await ReadFacts(context, write.customer, write.identity_required, write.limit, key));
    write.facts.caller_verified = stored.verified;
    write.facts.confirmed = ActionEnv::Confirmed(policy, context, confirmation);
    write.facts.now = env_.clock.Now();
    write.facts.usage = stored.usage;
    const policy::Decision decision = policy::Decide(policy, write.facts);
    if (decision.verdict == policy::Verdict::kNeedsApproval && write.awaiting_approval) {
      PAYVOX_CO_ASSIGN_OR_RETURN(const std::string approval_id,
                                 co_await FileApproval(request, context, who, decision));
      co_return write.awaiting_approval(approval_id, decision.say);
    }
    if (!decision.allowed()) {
      absl::Status refused = co_await env_.guard.Refuse(std::move(who), decision);
      if (refused.ok()) {  // kNeedsApproval without an approval to file.
        refused = absl::PermissionDeniedError(absl::StrCat(
            write.facts.action, " needs an operator; payvox files approvals for refunds only"));
      }
      if (decision.verdict == policy::Verdict::kNeedsConfirmation) {
        co_return env_.AskConfirmation(std::move(refused), request, context, action);
      }
      co_return refused;
    }
  }

  std::optional<ReservationRequest> reservation = ReservationFor(key, write.limit, approved);
  absl::StatusOr<StartedAction> started =
      co_await env_.guard.Start(who, key, std::move(reservation));
  if (started.status().code() == absl::StatusCode::kResourceExhausted && write.limit.has_value()) {
    // Concurrent writes took the room the decision saw.
    policy::Decision over = write.limit->over_limit;
    over.message = absl::StrCat(over.message, " (", started.status().message(), ").");
    co_return co_await env_.guard.Refuse(std::move(who), over);
  }
  PAYVOX_CO_RETURN_IF_ERROR(started.status());
  absl::StatusOr<Response> response = co_await write.send(key);
  co_return co_await Finished<Response>(std::move(who), *started, request, std::move(response),
                                        write.result_id);
}

template <typename Response>
boost::asio::awaitable<absl::StatusOr<Response>> WritePipeline::Finished(
    v1::AuditRecord who, const StartedAction& started, const google::protobuf::Message& request,
    absl::StatusOr<Response> response, const std::function<std::string(const Response&)>& id) {
  const absl::StatusOr<std::string> result = response.ok()
                                                 ? absl::StatusOr<std::string>(id(*response))
                                                 : absl::StatusOr<std::string>(response.status());
  const absl::Status finished = co_await env_.guard.Finish(std::move(who), started, result, request,
                                                           response.ok() ? &*response : nullptr);
  PAYVOX_CO_RETURN_IF_ERROR(finished);
  co_return response;
}

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_WRITE_PIPELINE_H_
