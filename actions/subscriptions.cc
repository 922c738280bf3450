#include "actions/subscriptions.h"

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

namespace {

absl::Status StateError(absl::string_view message, absl::string_view reason,
                        absl::string_view say) {
  return FlowError(absl::StatusCode::kFailedPrecondition, message, reason, say);
}

absl::Status ValidateSubscriptionId(const std::string& id) {
  return stripe::ValidateStripeId("subscription_id", id, {"sub_"});
}

// The proration in an upcoming invoice: its proration lines' sum.
int64_t ProrationOf(const stripe::Invoice& upcoming) {
  int64_t total = 0;
  for (const stripe::InvoiceLine& line : upcoming.lines) {
    if (line.proration) total += line.amount;
  }
  return total;
}

}  // namespace

Action<v1::ListSubscriptionsResponse> SubscriptionActions::ListSubscriptions(
    v1::ListSubscriptionsRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("list_subscriptions");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "list_subscriptions");
  PAYVOX_CO_ASSIGN_OR_RETURN(const auto list,
                             co_await facts.ListSubscriptions(request.customer_id(), 20, read));
  const Speaking speaking = env_.speaking();
  v1::ListSubscriptionsResponse response;
  for (const stripe::Subscription& subscription : list.data) {
    *response.add_subscriptions() = ToProto(subscription, speaking.now, speaking.zone);
  }
  if (list.data.empty()) {
    response.set_say("I don't see an active subscription on this account.");
  } else if (list.data.size() == 1) {
    response.set_say(SubscriptionSay(response.subscriptions(0)));
  } else {
    response.set_say(absl::StrCat("You have ",
                                  Plural(response.subscriptions_size(), "subscription"), ". ",
                                  SubscriptionSay(response.subscriptions(0))));
  }
  co_return response;
}

Action<v1::GetSubscriptionResponse> SubscriptionActions::GetSubscription(
    v1::GetSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("get_subscription");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "get_subscription");
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription subscription,
                             co_await facts.GetSubscription(request.subscription_id(), read));
  const Speaking speaking = env_.speaking();
  v1::GetSubscriptionResponse response;
  *response.mutable_subscription() = ToProto(subscription, speaking.now, speaking.zone);
  response.set_say(SubscriptionSay(response.subscription()));
  co_return response;
}

template <typename Response, typename Request, typename Load>
Action<Response> SubscriptionActions::Change(const Request& request, std::string action,
                                             CallBounds bounds, Load load) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  stripe::Subscription current;
  // The subscription as the call's session holds it; Stripe's answer to
  // the write replaces it there.
  CallFacts facts = env_.Facts(request.context(), action);
  auto plan = [&](const v1::TenantPolicy& policy)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<Response>>> {
    const stripe::CallOptions read{.bounds = bounds};
    PAYVOX_CO_ASSIGN_OR_RETURN(current,
                               co_await facts.GetSubscription(request.subscription_id(), read));
    PAYVOX_CO_ASSIGN_OR_RETURN(WritePlan<Response> write, co_await load(current, policy, facts));
    write.customer = current.customer;
    write.target = current.id;
    write.result_id = [](const Response& response) { return response.subscription().id(); };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<Response>(request, context, action, bounds, std::move(plan));
}

Action<v1::CancelSubscriptionResponse> SubscriptionActions::CancelSubscription(
    v1::CancelSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("reason", request.reason(), 500));
  auto load = [&](const stripe::Subscription& current, const v1::TenantPolicy&, CallFacts& facts)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CancelSubscriptionResponse>>> {
    if (current.status == "canceled") {
      co_return StateError("This subscription is already canceled; nothing to do.",
                           "subscription_already_canceled",
                           "That subscription is already canceled.");
    }
    WritePlan<v1::CancelSubscriptionResponse> write;
    write.facts.subscription =
        policy::SubscriptionFacts{.cancel_immediately = request.immediately()};
    const std::string plan =
        current.items.empty() || current.items.front().price.nickname.empty()
            ? std::string("your subscription")
            : absl::StrCat("your ", current.items.front().price.nickname, " subscription");
    write.facts.summary = absl::StrCat(
        "cancel ", plan, request.immediately() ? " today" : " at the end of this billing period");
    write.send = [&](const std::string& key) -> Action<v1::CancelSubscriptionResponse> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      absl::StatusOr<stripe::Subscription> canceled;
      if (request.immediately()) {
        canceled =
            co_await env_.stripe.CancelSubscriptionNow(current.id, request.reason(), options);
      } else {
        stripe::SubscriptionChange change{.cancel_at_period_end = true,
                                          .cancellation_comment = request.reason()};
        canceled = co_await env_.stripe.UpdateSubscription(current.id, std::move(change), options);
      }
      PAYVOX_CO_RETURN_IF_ERROR(canceled.status());
      facts.SubscriptionIs(*canceled);
      const Speaking speaking = env_.speaking();
      v1::CancelSubscriptionResponse response;
      *response.mutable_subscription() = ToProto(*canceled, speaking.now, speaking.zone);
      response.set_say(
          request.immediately()
              ? std::string("Your subscription is canceled as of today, and you won't be charged "
                            "again.")
              : absl::StrCat("Your subscription is canceled. You keep access until ",
                             response.subscription().renewal_date_display(),
                             ", and you won't be charged again."));
      co_return response;
    };
    co_return write;
  };
  co_return co_await Change<v1::CancelSubscriptionResponse>(request, "cancel_subscription", bounds,
                                                            std::move(load));
}

Action<v1::PauseSubscriptionResponse> SubscriptionActions::PauseSubscription(
    v1::PauseSubscriptionRequest request, CallBounds bounds) {
  if (request.resumes_at() != 0 && request.resumes_at() <= absl::ToUnixSeconds(env_.clock.Now())) {
    co_return absl::InvalidArgumentError("resumes_at must be in the future (Unix seconds) or 0");
  }
  auto load = [&](const stripe::Subscription& current, const v1::TenantPolicy&, CallFacts& facts)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::PauseSubscriptionResponse>>> {
    if (current.status == "canceled") {
      co_return StateError("A canceled subscription cannot be paused.", "subscription_canceled",
                           "That subscription is canceled, so there's nothing to pause.");
    }
    if (!current.pause_behavior.empty() || current.status == "paused") {
      co_return StateError("This subscription is already paused.", "subscription_already_paused",
                           "Billing on that subscription is already paused.");
    }
    WritePlan<v1::PauseSubscriptionResponse> write;
    write.send = [&](const std::string& key) -> Action<v1::PauseSubscriptionResponse> {
      stripe::SubscriptionChange change{.pause_collection = true,
                                        .pause_resumes_at = request.resumes_at()};
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::Subscription paused,
          co_await env_.stripe.UpdateSubscription(current.id, std::move(change), options));
      facts.SubscriptionIs(paused);
      const Speaking speaking = env_.speaking();
      v1::PauseSubscriptionResponse response;
      *response.mutable_subscription() = ToProto(paused, speaking.now, speaking.zone);
      response.set_say(
          request.resumes_at() > 0
              ? absl::StrCat("I've paused billing until ",
                             DatePhrase(absl::FromUnixSeconds(request.resumes_at()), speaking.now,
                                        speaking.zone),
                             ". You won't be charged until then.")
              : std::string("I've paused billing on your subscription. You won't be charged "
                            "until it's resumed."));
      co_return response;
    };
    co_return write;
  };
  co_return co_await Change<v1::PauseSubscriptionResponse>(request, "pause_subscription", bounds,
                                                           std::move(load));
}

Action<v1::ResumeSubscriptionResponse> SubscriptionActions::ResumeSubscription(
    v1::ResumeSubscriptionRequest request, CallBounds bounds) {
  auto load = [&](const stripe::Subscription& current, const v1::TenantPolicy&, CallFacts& facts)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::ResumeSubscriptionResponse>>> {
    if (current.status == "canceled") {
      co_return StateError("A canceled subscription cannot be resumed; start a new one instead.",
                           "subscription_canceled",
                           "That subscription is canceled, so I can't resume it.");
    }
    if (current.pause_behavior.empty() && current.status != "paused") {
      co_return StateError("This subscription is not paused.", "subscription_not_paused",
                           "Billing on that subscription isn't paused.");
    }
    WritePlan<v1::ResumeSubscriptionResponse> write;
    write.send = [&](const std::string& key) -> Action<v1::ResumeSubscriptionResponse> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      // A subscription whose status is paused (a trial that ended without a
      // card) resumes through /resume; paused collection is unset.
      absl::StatusOr<stripe::Subscription> resumed;
      if (current.status == "paused") {
        resumed = co_await env_.stripe.ResumeSubscription(current.id, options);
      } else {
        stripe::SubscriptionChange change{.resume_collection = true};
        resumed = co_await env_.stripe.UpdateSubscription(current.id, std::move(change), options);
      }
      PAYVOX_CO_RETURN_IF_ERROR(resumed.status());
      facts.SubscriptionIs(*resumed);
      const Speaking speaking = env_.speaking();
      v1::ResumeSubscriptionResponse response;
      *response.mutable_subscription() = ToProto(*resumed, speaking.now, speaking.zone);
      response.set_say(
          absl::StrCat("Billing on your subscription is back on; the next charge is on ",
                       response.subscription().renewal_date_display(), "."));
      co_return response;
    };
    co_return write;
  };
  co_return co_await Change<v1::ResumeSubscriptionResponse>(request, "resume_subscription", bounds,
                                                            std::move(load));
}

Action<v1::ChangeSubscriptionPlanResponse> SubscriptionActions::ChangeSubscriptionPlan(
    v1::ChangeSubscriptionPlanRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("new_price_id", request.new_price_id(), {"price_"}));
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await env_.guard.Policy());
  PAYVOX_CO_ASSIGN_OR_RETURN(const Confirmation confirmation,
                             env_.Confirm(request, request.context(), "change_subscription_plan"));
  if (!ActionEnv::Confirmed(policy, request.context(), confirmation)) {
    co_return co_await PreviewPlanChange(std::move(request), bounds);
  }
  // The change uses one proration date for its preview and itself.
  const int64_t proration_date = absl::ToUnixSeconds(env_.clock.Now());
  auto load = [&](const stripe::Subscription& current, const v1::TenantPolicy& policy,
                  CallFacts& facts)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::ChangeSubscriptionPlanResponse>>> {
    PAYVOX_CO_ASSIGN_OR_RETURN(PlanChange change, co_await PricePlanChange(request, current, policy,
                                                                           proration_date, bounds));
    WritePlan<v1::ChangeSubscriptionPlanResponse> write;
    write.facts.subscription =
        policy::SubscriptionFacts{.proration_behavior = change.preview.proration_behavior};
    write.amount = change.proration;
    write.currency = change.currency;
    write.send = [&, change](const std::string& key) -> Action<v1::ChangeSubscriptionPlanResponse> {
      stripe::SubscriptionChange update{.item_id = change.preview.item_id,
                                        .price_id = change.preview.price_id,
                                        .proration_behavior = change.preview.proration_behavior,
                                        .proration_date = change.preview.proration_date};
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::Subscription changed,
          co_await env_.stripe.UpdateSubscription(current.id, std::move(update), options));
      facts.SubscriptionIs(changed);
      const Speaking speaking = env_.speaking();
      v1::ChangeSubscriptionPlanResponse response;
      *response.mutable_proration() = ToMoney(change.proration, change.currency);
      response.set_applied(true);
      *response.mutable_subscription() = ToProto(changed, speaking.now, speaking.zone);
      response.set_say(absl::StrCat("Done: you're on ", response.subscription().plan_name(),
                                    " now. The switch ", change.now_part, "."));
      co_return response;
    };
    co_return write;
  };
  co_return co_await Change<v1::ChangeSubscriptionPlanResponse>(request, "change_subscription_plan",
                                                                bounds, std::move(load));
}

Action<v1::ChangeSubscriptionPlanResponse> SubscriptionActions::PreviewPlanChange(
    v1::ChangeSubscriptionPlanRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  const stripe::CallOptions read{.bounds = bounds};
  // A preview changes nothing, but it still needs the action enabled.
  const absl::Status enabled = co_await env_.Enabled("change_subscription_plan");
  PAYVOX_CO_RETURN_IF_ERROR(enabled);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription current,
                             co_await env_.stripe.GetSubscription(request.subscription_id(), read));
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await env_.guard.Policy());
  const int64_t proration_date = absl::ToUnixSeconds(env_.clock.Now());
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const PlanChange change,
      co_await PricePlanChange(request, current, policy, proration_date, bounds));
  const Speaking speaking = env_.speaking();
  v1::ChangeSubscriptionPlanResponse response;
  *response.mutable_proration() = ToMoney(change.proration, change.currency);
  response.set_applied(false);
  *response.mutable_subscription() = ToProto(current, speaking.now, speaking.zone);
  response.set_say(absl::StrCat("Switching plans now ", change.now_part, ", then ", change.next,
                                " each period. Shall I go ahead?"));
  PAYVOX_CO_ASSIGN_OR_RETURN(
      *response.mutable_confirmation_token(),
      env_.ConfirmationTokenFor(request, request.context(), "change_subscription_plan"));
  co_return response;
}

Action<SubscriptionActions::PlanChange> SubscriptionActions::PricePlanChange(
    const v1::ChangeSubscriptionPlanRequest& request, const stripe::Subscription& current,
    const v1::TenantPolicy& policy, int64_t proration_date, CallBounds bounds) {
  if (current.status == "canceled") {
    co_return StateError("A canceled subscription cannot change plans.", "subscription_canceled",
                         "That subscription is canceled, so I can't change its plan.");
  }
  if (current.items.empty()) {
    co_return absl::FailedPreconditionError(
        "This subscription has no item whose price can change.");
  }
  const stripe::SubscriptionItem& item = current.items.front();
  if (item.price.id == request.new_price_id()) {
    co_return absl::InvalidArgumentError("The subscription is already on new_price_id.");
  }
  PlanChange change;
  change.preview = {.customer = current.customer,
                    .subscription = current.id,
                    .item_id = item.id,
                    .price_id = request.new_price_id(),
                    .proration_behavior = policy.subscriptions().proration_behavior().empty()
                                              ? "create_prorations"
                                              : policy.subscriptions().proration_behavior(),
                    .proration_date = proration_date};
  const stripe::CallOptions read{.bounds = std::move(bounds)};
  stripe::InvoicePreview preview = change.preview;
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice upcoming,
                             co_await env_.stripe.PreviewInvoice(std::move(preview), read));
  change.proration = ProrationOf(upcoming);
  change.currency = upcoming.currency;
  change.next =
      FormatMoney(upcoming.lines.empty() ? 0 : upcoming.lines.back().amount, upcoming.currency);
  change.now_part = change.proration >= 0
                        ? absl::StrCat("costs ", FormatMoney(change.proration, upcoming.currency),
                                       " for the rest of this billing period")
                        : absl::StrCat("gives you a credit of ",
                                       FormatMoney(-change.proration, upcoming.currency),
                                       " for the rest of this billing period");
  co_return change;
}

}  // namespace payvox
