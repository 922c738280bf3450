#include "actions/refunds.h"

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/redact.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

namespace {

// LoadCharge: the charge a refund names (from the call's session when it
// holds it); a payment intent's latest charge.
Action<stripe::Charge> LoadCharge(CallFacts& facts, std::string charge_id, CallBounds bounds) {
  const stripe::CallOptions read{.bounds = std::move(bounds)};
  if (!charge_id.starts_with("pi_")) co_return co_await facts.GetCharge(charge_id, read);
  stripe::ChargeFilter filter{.payment_intent = charge_id, .limit = 1};
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await facts.ListCharges(std::move(filter), read));
  if (charges.data.empty()) {
    co_return absl::NotFoundError(absl::StrCat("Payment ", charge_id, " has no charge to refund."));
  }
  co_return std::move(charges.data.front());
}

absl::Status ValidateRefund(const v1::CreateRefundRequest& request) {
  PAYVOX_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_RETURN_IF_ERROR(
      stripe::ValidateStripeId("charge_id", request.charge_id(), {"ch_", "py_", "pi_"}));
  if (request.amount_minor() < 0 || request.amount_minor() > kMaxAmountMinor) {
    return absl::InvalidArgumentError(
        "amount_minor must be 0 (everything refundable) or a positive amount up to 99999999");
  }
  const std::string& reason = request.reason();
  if (!reason.empty() && reason != "duplicate" && reason != "fraudulent" &&
      reason != "requested_by_customer") {
    return absl::InvalidArgumentError(
        "reason must be duplicate, fraudulent or requested_by_customer");
  }
  if (request.note().size() > 500) {
    return absl::InvalidArgumentError("note must be at most 500 characters");
  }
  return RejectCardNumbers("note", request.note());
}

// RefundAnswer is what the caller hears once Stripe answered.
v1::CreateRefundResponse RefundAnswer(const stripe::Refund& refund, const stripe::Charge& charge) {
  v1::CreateRefundResponse response;
  *response.mutable_refund() = ToProto(refund);
  const std::string card =
      charge.card.last4.empty() ? "card" : CardPhrase(charge.card.brand, charge.card.last4);
  const std::string refunded = response.refund().amount().display();
  if (refund.status == "failed" || refund.status == "canceled") {
    response.set_say(absl::StrCat("I'm sorry, the refund of ", refunded, " did not go through."));
  } else {
    response.set_say(absl::StrCat("Your refund of ", refunded,
                                  " is on its way; it usually takes 5 to 10 business days to "
                                  "show up on your ",
                                  card, "."));
  }
  return response;
}

}  // namespace

Action<v1::CreateRefundResponse> RefundActions::CreateRefund(v1::CreateRefundRequest request,
                                                             CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateRefund(request));
  co_return co_await Refund(std::move(request), "", std::move(bounds));
}

Action<v1::CreateRefundResponse> RefundActions::ExecuteApproved(StoredApproval approved,
                                                                CallBounds bounds) {
  v1::CreateRefundRequest request;
  if (approved.approval.action() != "create_refund" || !request.ParseFromString(approved.payload)) {
    co_return absl::DataLossError(absl::StrCat("approval ", approved.approval.approval_id(),
                                               " holds no refund payvox can run"));
  }
  std::string decided_by = approved.approval.decided_by();
  if (decided_by.empty()) decided_by = "an operator";
  co_return co_await Refund(std::move(request), std::move(decided_by), std::move(bounds));
}

Action<v1::CreateRefundResponse> RefundActions::Refund(v1::CreateRefundRequest request,
                                                       std::string approved_by, CallBounds bounds) {
  stripe::Charge charge;
  CallFacts facts = env_.Facts(request.context(), "create_refund");
  auto plan = [&](const v1::TenantPolicy& policy)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CreateRefundResponse>>> {
    // The charge tells whose identity this refund needs and what is left.
    // A held charge is as fresh as payvox's last write and last event for
    // it; Stripe still refuses a refund above what is refundable.
    PAYVOX_CO_ASSIGN_OR_RETURN(charge, co_await LoadCharge(facts, request.charge_id(), bounds));
    const int64_t refundable = charge.amount - charge.amount_refunded;
    // Zero asks Stripe for everything refundable; that amount is what counts
    // against limits. The request itself goes to Stripe unchanged, so a
    // retry (after which nothing is refundable any more) matches its first.
    const int64_t amount = request.amount_minor() == 0 ? refundable : request.amount_minor();
    const bool partial = amount < refundable;
    WritePlan<v1::CreateRefundResponse> write;
    write.facts.capability = partial ? "partial_refunds" : "full_refunds";
    write.facts.refund =
        policy::RefundFacts{.amount = amount,
                            .currency = charge.currency,
                            .partial = partial,
                            .reason = request.reason(),
                            .charge_created = absl::FromUnixSeconds(charge.created),
                            .disputed = charge.disputed,
                            .risk_level = charge.risk_level,
                            .fraudulent = charge.outcome_reason == "fraudulent"};
    write.facts.summary = absl::StrCat(
        "refund ", FormatMoney(amount, charge.currency), " to your ",
        charge.card.last4.empty() ? "card" : CardPhrase(charge.card.brand, charge.card.last4));
    write.customer = charge.customer;
    write.identity_required = true;
    write.target = charge.id;
    write.amount = amount;
    write.currency = charge.currency;
    write.limit = LimitUse{
        .kind = kRefundUsage,
        .currency = charge.currency,
        .customer_id = charge.customer,
        .amount = amount,
        .tenant_limit = policy::LimitFor(policy.refunds().daily_limit(), charge.currency),
        .customer_limit =
            policy::LimitFor(policy.refunds().daily_limit_per_customer(), charge.currency),
        .tenant_used = &policy::Usage::tenant_refunded_today,
        .customer_used = &policy::Usage::customer_refunded_today,
        .over_limit = {policy::Verdict::kDeny, "refunds.daily_limit", "refund_over_daily_limit",
                       "This refund would pass a daily refund limit, so a person on the team "
                       "must handle it",
                       "I can't issue that refund today, but I'll pass it to the team."}};
    write.awaiting_approval = [](const std::string& approval_id, const std::string& say) {
      v1::CreateRefundResponse response;
      response.set_approval_id(approval_id);
      response.set_say(say);
      return response;
    };
    write.approved_by = approved_by;
    write.send = [&](const std::string& key) -> Action<v1::CreateRefundResponse> {
      stripe::RefundParams params{.amount = request.amount_minor(), .reason = request.reason()};
      (request.charge_id().starts_with("pi_") ? params.payment_intent : params.charge) =
          request.charge_id();
      params.metadata = {{"payvox_call_id", request.context().call_id()},
                         {"payvox_request_id", request.context().request_id()}};
      if (!request.context().agent_id().empty()) {
        params.metadata.emplace_back("payvox_agent_id", request.context().agent_id());
      }
      if (!request.note().empty()) params.metadata.emplace_back("payvox_note", request.note());
      stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::Refund refund,
          co_await env_.stripe.CreateRefund(std::move(params), std::move(options)));
      facts.Refunded(refund);
      co_return RefundAnswer(refund, charge);
    };
    write.result_id = [](const v1::CreateRefundResponse& response) {
      return response.refund().id();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::CreateRefundResponse>(request, context, "create_refund",
                                                           bounds, std::move(plan));
}

Action<v1::GetRefundResponse> RefundActions::GetRefund(v1::GetRefundRequest request,
                                                       CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("get_refund");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("refund_id", request.refund_id(), {"re_", "pyr_"}));
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Refund refund,
                             co_await env_.stripe.GetRefund(request.refund_id(), read));
  v1::GetRefundResponse response;
  *response.mutable_refund() = ToProto(refund);
  response.set_say(RefundSay(response.refund(), {env_.clock.Now(), env_.options.time_zone}));
  co_return response;
}

Action<v1::ListRefundsResponse> RefundActions::ListRefunds(v1::ListRefundsRequest request,
                                                           CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("list_refunds");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(request.limit()));
  if (request.charge_id().empty() == request.customer_id().empty()) {
    co_return absl::InvalidArgumentError("set exactly one of charge_id and customer_id");
  }
  const int limit = request.limit() == 0 ? 10 : request.limit();
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "list_refunds");
  std::vector<stripe::Refund> refunds;
  if (!request.charge_id().empty()) {
    PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                               co_await facts.ListRefunds(request.charge_id(), limit, read));
    refunds = std::move(list.data);
  } else {
    // Stripe lists refunds by charge only: read the customer's refunded
    // charges, newest first, until `limit` refunds are found.
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
    stripe::ChargeFilter filter{.customer = request.customer_id(), .limit = 100};
    PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await facts.ListCharges(std::move(filter), read));
    for (const stripe::Charge& charge : charges.data) {
      if (charge.amount_refunded == 0 || static_cast<int>(refunds.size()) >= limit) continue;
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list, co_await facts.ListRefunds(charge.id, limit, read));
      for (stripe::Refund& refund : list.data) refunds.push_back(std::move(refund));
    }
    if (static_cast<int>(refunds.size()) > limit) refunds.resize(static_cast<size_t>(limit));
  }
  v1::ListRefundsResponse response;
  for (const stripe::Refund& refund : refunds) *response.add_refunds() = ToProto(refund);
  if (refunds.empty()) {
    response.set_say("I don't see any refunds.");
  } else {
    response.set_say(
        absl::StrCat("I see ", Plural(response.refunds_size(), "refund"), ". The latest: ",
                     RefundSay(response.refunds(0), {env_.clock.Now(), env_.options.time_zone})));
  }
  co_return response;
}

}  // namespace payvox
