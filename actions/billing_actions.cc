// VoiceActions: coupons, subscriptions and invoices.
//
// Writes first answer a retry from its saved answer, then read the object
// they change (its customer decides whose verification counts, its state
// whether the change is possible at all, with a sentence for the caller),
// then run under Guarded (policy, audit, Stripe).
#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "actions/voice_actions.h"
#include "client/stripe_decoders.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

using stripe::HttpMethod;

// Letters and digits that cannot be misheard or misread for one another
// (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B).
constexpr absl::string_view kSpokenAlphabet = "ACDEFHJKMNPRTUVWXY3479";

// PromotionCodeFor derives a 6-character code from the write's key (hex
// SHA-256 after "pvx_"), so a retried request asks Stripe for the same code.
std::string PromotionCodeFor(const std::string& idempotency_key) {
  std::string code;
  for (size_t i = 0; i < 6; ++i) {
    const int byte = std::stoi(idempotency_key.substr(4 + i * 2, 2), nullptr, 16);
    code.push_back(kSpokenAlphabet[static_cast<size_t>(byte) % kSpokenAlphabet.size()]);
  }
  return code;
}

absl::Status StateError(absl::string_view message, absl::string_view reason,
                        absl::string_view say) {
  return FlowError(absl::StatusCode::kFailedPrecondition, message, reason, say);
}

absl::Status ValidateSubscriptionId(const std::string& id) {
  return stripe::ValidateStripeId("subscription_id", id, {"sub_"});
}

absl::Status ValidateInvoiceId(const std::string& id) {
  return stripe::ValidateStripeId("invoice_id", id, {"in_"});
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

boost::asio::awaitable<absl::StatusOr<stripe::Subscription>> VoiceActions::LoadSubscription(
    const std::string& subscription_id, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(subscription_id));
  const stripe::CallOptions read{.bounds = std::move(bounds)};
  co_return co_await stripe_.Call(HttpMethod::kGet,
                                  absl::StrCat("/v1/subscriptions/", subscription_id), {}, read,
                                  stripe::DecodeSubscription);
}

boost::asio::awaitable<absl::StatusOr<stripe::Invoice>> VoiceActions::LoadInvoice(
    const std::string& invoice_id, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(invoice_id));
  const stripe::CallOptions read{.bounds = std::move(bounds)};
  co_return co_await stripe_.Call(HttpMethod::kGet, absl::StrCat("/v1/invoices/", invoice_id), {},
                                  read, stripe::DecodeInvoice);
}

// --- Coupons ---

boost::asio::awaitable<absl::StatusOr<v1::CreateCouponResponse>> VoiceActions::RunCreateCoupon(
    v1::CreateCouponRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  const bool percent = request.percent_off() != 0;
  if (percent == request.has_amount_off()) {
    co_return absl::InvalidArgumentError("set exactly one of percent_off and amount_off");
  }
  if (percent && !(request.percent_off() > 0 && request.percent_off() <= 100)) {
    co_return absl::InvalidArgumentError("percent_off must be more than 0 and at most 100");
  }
  if (!percent) PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney("amount_off", request.amount_off()));
  const std::string duration = request.duration().empty() ? "once" : request.duration();
  if (duration != "once" && duration != "repeating" && duration != "forever") {
    co_return absl::InvalidArgumentError("duration must be once, repeating or forever");
  }
  if ((duration == "repeating") !=
      (request.duration_in_months() > 0 && request.duration_in_months() <= 36)) {
    co_return absl::InvalidArgumentError(
        "duration_in_months must be 1 to 36 for a repeating coupon, and unset otherwise");
  }
  if (request.max_redemptions() < 0) {
    co_return absl::InvalidArgumentError("max_redemptions must be 0 (unlimited) or more");
  }
  if (request.redeem_by() != 0 && request.redeem_by() <= absl::ToUnixSeconds(clock_.Now())) {
    co_return absl::InvalidArgumentError("redeem_by must be in the future (Unix seconds) or 0");
  }
  if (!request.customer_id().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  }
  const std::string key = WriteKey(request.context(), "create_coupon");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::CreateCouponResponse> saved,
                             co_await guard_.Replay<v1::CreateCouponResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  WriteFacts facts{
      .action = "create_coupon",
      .capability = "coupons",
      .customer = request.customer_id(),
      .target = request.customer_id(),
      .amount = percent ? 0 : request.amount_off().amount_minor(),
      .currency = percent ? "" : request.amount_off().currency(),
      .coupon = policy::CouponFacts{.percent_off = request.percent_off(),
                                    .amount_off = percent ? 0 : request.amount_off().amount_minor(),
                                    .currency = percent ? "" : request.amount_off().currency()}};
  WriteBody<v1::CreateCouponResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::CreateCouponResponse>> {
    FormParams params;
    if (percent) {
      params.Add("percent_off", absl::StrCat(request.percent_off()));
    } else {
      params.Add("amount_off", absl::StrCat(request.amount_off().amount_minor()));
      params.Add("currency", request.amount_off().currency());
    }
    params.Add("duration", duration);
    if (duration == "repeating") {
      params.Add("duration_in_months", absl::StrCat(request.duration_in_months()));
    }
    if (request.max_redemptions() > 0) {
      params.Add("max_redemptions", absl::StrCat(request.max_redemptions()));
    }
    if (request.redeem_by() > 0) params.Add("redeem_by", absl::StrCat(request.redeem_by()));
    params.Add("metadata[payvox_call_id]", request.context().call_id());
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Coupon coupon,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/coupons", std::move(params), write,
                              stripe::DecodeCoupon));
    v1::CreateCouponResponse response;
    *response.mutable_coupon() = ToProto(coupon);
    if (request.customer_id().empty()) {
      response.set_say(absl::StrCat("Done: ", CouponSay(coupon), "."));
      co_return response;
    }
    // A one-time code only this customer can redeem.
    FormParams promotion;
    promotion.Add("coupon", coupon.id);
    promotion.Add("code", PromotionCodeFor(idempotency_key));
    promotion.Add("customer", request.customer_id());
    promotion.Add("max_redemptions", "1");
    const stripe::CallOptions second{.bounds = bounds,
                                     .idempotency_key = absl::StrCat(idempotency_key, "_promo")};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::PromotionCode code,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/promotion_codes", std::move(promotion),
                              second, stripe::DecodePromotionCode));
    response.mutable_coupon()->set_promotion_code_id(code.id);
    response.mutable_coupon()->set_code(code.code);
    response.mutable_coupon()->set_code_spoken(SpellOut(code.code));
    response.set_say(
        absl::StrCat("Done: ", CouponSay(coupon), ". Your code is ", SpellOut(code.code), "."));
    co_return response;
  };
  std::function<std::string(const v1::CreateCouponResponse&)> result_id =
      [](const v1::CreateCouponResponse& response) { return response.coupon().id(); };
  co_return co_await Guarded<v1::CreateCouponResponse>(request.context(), std::move(facts), request,
                                                       std::move(body), std::move(result_id));
}

// --- Subscriptions ---

boost::asio::awaitable<absl::StatusOr<v1::ListSubscriptionsResponse>>
VoiceActions::ListSubscriptions(v1::ListSubscriptionsRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("list_subscriptions");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  FormParams params;
  params.Add("customer", request.customer_id());
  params.Add("limit", "20");
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const auto list,
      co_await stripe_.Call(HttpMethod::kGet, "/v1/subscriptions", std::move(params), read,
                            stripe::DecodeSubscriptionList));
  v1::ListSubscriptionsResponse response;
  for (const stripe::Subscription& subscription : list.data) {
    *response.add_subscriptions() = ToProto(subscription, clock_.Now(), options_.time_zone);
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

boost::asio::awaitable<absl::StatusOr<v1::GetSubscriptionResponse>> VoiceActions::GetSubscription(
    v1::GetSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("get_subscription");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription subscription,
                             co_await LoadSubscription(request.subscription_id(), bounds));
  v1::GetSubscriptionResponse response;
  *response.mutable_subscription() = ToProto(subscription, clock_.Now(), options_.time_zone);
  response.set_say(SubscriptionSay(response.subscription()));
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::CancelSubscriptionResponse>>
VoiceActions::RunCancelSubscription(v1::CancelSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("reason", request.reason(), 500));
  const std::string key = WriteKey(request.context(), "cancel_subscription");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::CancelSubscriptionResponse> saved,
                             co_await guard_.Replay<v1::CancelSubscriptionResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription current,
                             co_await LoadSubscription(request.subscription_id(), bounds));
  if (current.status == "canceled") {
    co_return StateError("This subscription is already canceled; nothing to do.",
                         "subscription_already_canceled", "That subscription is already canceled.");
  }
  WriteFacts facts{
      .action = "cancel_subscription",
      .capability = "cancel_subscriptions",
      .action_class = policy::ActionClass::kDestructive,
      .customer = current.customer,
      .target = current.id,
      .subscription = policy::SubscriptionFacts{.cancel_immediately = request.immediately()}};
  WriteBody<v1::CancelSubscriptionResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::CancelSubscriptionResponse>> {
    FormParams params;
    if (!request.reason().empty()) params.Add("cancellation_details[comment]", request.reason());
    if (!request.immediately()) params.Add("cancel_at_period_end", "true");
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Subscription canceled,
        co_await stripe_.Call(request.immediately() ? HttpMethod::kDelete : HttpMethod::kPost,
                              absl::StrCat("/v1/subscriptions/", current.id), std::move(params),
                              write, stripe::DecodeSubscription));
    v1::CancelSubscriptionResponse response;
    *response.mutable_subscription() = ToProto(canceled, clock_.Now(), options_.time_zone);
    response.set_say(
        request.immediately()
            ? std::string("Your subscription is canceled as of today, and you won't be charged "
                          "again.")
            : absl::StrCat("Your subscription is canceled. You keep access until ",
                           response.subscription().renewal_date_display(),
                           ", and you won't be charged again."));
    co_return response;
  };
  std::function<std::string(const v1::CancelSubscriptionResponse&)> result_id =
      [](const v1::CancelSubscriptionResponse& response) { return response.subscription().id(); };
  co_return co_await Guarded<v1::CancelSubscriptionResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::PauseSubscriptionResponse>>
VoiceActions::RunPauseSubscription(v1::PauseSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  if (request.resumes_at() != 0 && request.resumes_at() <= absl::ToUnixSeconds(clock_.Now())) {
    co_return absl::InvalidArgumentError("resumes_at must be in the future (Unix seconds) or 0");
  }
  const std::string key = WriteKey(request.context(), "pause_subscription");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::PauseSubscriptionResponse> saved,
                             co_await guard_.Replay<v1::PauseSubscriptionResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription current,
                             co_await LoadSubscription(request.subscription_id(), bounds));
  if (current.status == "canceled") {
    co_return StateError("A canceled subscription cannot be paused.", "subscription_canceled",
                         "That subscription is canceled, so there's nothing to pause.");
  }
  if (!current.pause_behavior.empty() || current.status == "paused") {
    co_return StateError("This subscription is already paused.", "subscription_already_paused",
                         "Billing on that subscription is already paused.");
  }
  WriteFacts facts{.action = "pause_subscription",
                   .capability = "pause_subscriptions",
                   .customer = current.customer,
                   .target = current.id};
  WriteBody<v1::PauseSubscriptionResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::PauseSubscriptionResponse>> {
    FormParams params;
    params.Add("pause_collection[behavior]", "void");
    if (request.resumes_at() > 0) {
      params.Add("pause_collection[resumes_at]", absl::StrCat(request.resumes_at()));
    }
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Subscription paused,
        co_await stripe_.Call(HttpMethod::kPost, absl::StrCat("/v1/subscriptions/", current.id),
                              std::move(params), write, stripe::DecodeSubscription));
    v1::PauseSubscriptionResponse response;
    *response.mutable_subscription() = ToProto(paused, clock_.Now(), options_.time_zone);
    response.set_say(
        request.resumes_at() > 0
            ? absl::StrCat("I've paused billing until ",
                           DatePhrase(absl::FromUnixSeconds(request.resumes_at()), clock_.Now(),
                                      options_.time_zone),
                           ". You won't be charged until then.")
            : std::string("I've paused billing on your subscription. You won't be charged until "
                          "it's resumed."));
    co_return response;
  };
  std::function<std::string(const v1::PauseSubscriptionResponse&)> result_id =
      [](const v1::PauseSubscriptionResponse& response) { return response.subscription().id(); };
  co_return co_await Guarded<v1::PauseSubscriptionResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::ResumeSubscriptionResponse>>
VoiceActions::RunResumeSubscription(v1::ResumeSubscriptionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  const std::string key = WriteKey(request.context(), "resume_subscription");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::ResumeSubscriptionResponse> saved,
                             co_await guard_.Replay<v1::ResumeSubscriptionResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription current,
                             co_await LoadSubscription(request.subscription_id(), bounds));
  if (current.status == "canceled") {
    co_return StateError("A canceled subscription cannot be resumed; start a new one instead.",
                         "subscription_canceled",
                         "That subscription is canceled, so I can't resume it.");
  }
  if (current.pause_behavior.empty() && current.status != "paused") {
    co_return StateError("This subscription is not paused.", "subscription_not_paused",
                         "Billing on that subscription isn't paused.");
  }
  WriteFacts facts{.action = "resume_subscription",
                   .capability = "pause_subscriptions",
                   .customer = current.customer,
                   .target = current.id};
  WriteBody<v1::ResumeSubscriptionResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::ResumeSubscriptionResponse>> {
    // A subscription whose status is paused (a trial that ended without a
    // card) resumes through /resume; paused collection is unset.
    const bool status_paused = current.status == "paused";
    FormParams params;
    if (!status_paused) params.Add("pause_collection", "");
    const std::string path = status_paused
                                 ? absl::StrCat("/v1/subscriptions/", current.id, "/resume")
                                 : absl::StrCat("/v1/subscriptions/", current.id);
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription resumed,
                               co_await stripe_.Call(HttpMethod::kPost, path, std::move(params),
                                                     write, stripe::DecodeSubscription));
    v1::ResumeSubscriptionResponse response;
    *response.mutable_subscription() = ToProto(resumed, clock_.Now(), options_.time_zone);
    response.set_say(absl::StrCat("Billing on your subscription is back on; the next charge is on ",
                                  response.subscription().renewal_date_display(), "."));
    co_return response;
  };
  std::function<std::string(const v1::ResumeSubscriptionResponse&)> result_id =
      [](const v1::ResumeSubscriptionResponse& response) { return response.subscription().id(); };
  co_return co_await Guarded<v1::ResumeSubscriptionResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::ChangeSubscriptionPlanResponse>>
VoiceActions::RunChangeSubscriptionPlan(v1::ChangeSubscriptionPlanRequest request,
                                        CallBounds bounds) {
  const bool apply = request.context().confirmed();
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), apply));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("new_price_id", request.new_price_id(), {"price_"}));
  const std::string key = WriteKey(request.context(), "change_subscription_plan");
  if (apply) {
    PAYVOX_CO_ASSIGN_OR_RETURN(
        std::optional<v1::ChangeSubscriptionPlanResponse> saved,
        co_await guard_.Replay<v1::ChangeSubscriptionPlanResponse>(key, request));
    if (saved.has_value()) co_return *std::move(saved);
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Subscription current,
                             co_await LoadSubscription(request.subscription_id(), bounds));
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
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await guard_.Policy());
  const std::string proration_behavior = policy.subscriptions().proration_behavior().empty()
                                             ? "create_prorations"
                                             : policy.subscriptions().proration_behavior();
  // The preview and the change use one proration date, the preview's.
  const std::string proration_date = absl::StrCat(absl::ToUnixSeconds(clock_.Now()));
  FormParams preview;
  preview.Add("customer", current.customer);
  preview.Add("subscription", current.id);
  preview.Add("subscription_items[0][id]", item.id);
  preview.Add("subscription_items[0][price]", request.new_price_id());
  preview.Add("subscription_proration_behavior", proration_behavior);
  preview.Add("subscription_proration_date", proration_date);
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const stripe::Invoice upcoming,
      co_await stripe_.Call(HttpMethod::kGet, "/v1/invoices/upcoming", std::move(preview), read,
                            stripe::DecodeInvoice));
  const int64_t proration = ProrationOf(upcoming);
  const std::string next =
      FormatMoney(upcoming.lines.empty() ? 0 : upcoming.lines.back().amount, upcoming.currency);
  const std::string now_part =
      proration >= 0
          ? absl::StrCat("costs ", FormatMoney(proration, upcoming.currency),
                         " for the rest of this billing period")
          : absl::StrCat("gives you a credit of ", FormatMoney(-proration, upcoming.currency),
                         " for the rest of this billing period");
  if (!apply) {
    // A preview changes nothing, but it still needs the capability.
    if (!policy::IsEnabled(policy, "change_subscription_plan", "change_subscription_plans")) {
      co_return policy::Decide(
          policy, {.action = "change_subscription_plan", .capability = "change_subscription_plans"})
          .ToStatus();
    }
    v1::ChangeSubscriptionPlanResponse response;
    *response.mutable_proration() = ToMoney(proration, upcoming.currency);
    response.set_applied(false);
    *response.mutable_subscription() = ToProto(current, clock_.Now(), options_.time_zone);
    response.set_say(absl::StrCat("Switching plans now ", now_part, ", then ", next,
                                  " each period. Shall I go ahead?"));
    co_return response;
  }
  WriteFacts facts{
      .action = "change_subscription_plan",
      .capability = "change_subscription_plans",
      .customer = current.customer,
      .target = current.id,
      .amount = proration,
      .currency = upcoming.currency,
      .subscription = policy::SubscriptionFacts{.proration_behavior = proration_behavior}};
  WriteBody<v1::ChangeSubscriptionPlanResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::ChangeSubscriptionPlanResponse>> {
    FormParams params;
    params.Add("items[0][id]", item.id);
    params.Add("items[0][price]", request.new_price_id());
    params.Add("proration_behavior", proration_behavior);
    params.Add("proration_date", proration_date);
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Subscription changed,
        co_await stripe_.Call(HttpMethod::kPost, absl::StrCat("/v1/subscriptions/", current.id),
                              std::move(params), write, stripe::DecodeSubscription));
    v1::ChangeSubscriptionPlanResponse response;
    *response.mutable_proration() = ToMoney(proration, upcoming.currency);
    response.set_applied(true);
    *response.mutable_subscription() = ToProto(changed, clock_.Now(), options_.time_zone);
    response.set_say(absl::StrCat("Done: you're on ", response.subscription().plan_name(),
                                  " now. The switch ", now_part, "."));
    co_return response;
  };
  std::function<std::string(const v1::ChangeSubscriptionPlanResponse&)> result_id =
      [](const v1::ChangeSubscriptionPlanResponse& response) {
        return response.subscription().id();
      };
  co_return co_await Guarded<v1::ChangeSubscriptionPlanResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

// --- Invoices ---

boost::asio::awaitable<absl::StatusOr<v1::ListInvoicesResponse>> VoiceActions::ListInvoices(
    v1::ListInvoicesRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("list_invoices");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(request.limit()));
  static constexpr std::array<absl::string_view, 6> kStatuses = {"",     "draft",         "open",
                                                                 "paid", "uncollectible", "void"};
  if (std::find(kStatuses.begin(), kStatuses.end(), request.status()) == kStatuses.end()) {
    co_return absl::InvalidArgumentError(
        "status must be draft, open, paid, uncollectible or void (or empty for all)");
  }
  FormParams params;
  params.Add("customer", request.customer_id());
  if (!request.status().empty()) params.Add("status", request.status());
  params.Add("limit", absl::StrCat(request.limit() == 0 ? 10 : request.limit()));
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const auto list, co_await stripe_.Call(HttpMethod::kGet, "/v1/invoices", std::move(params),
                                             read, stripe::DecodeInvoiceList));
  v1::ListInvoicesResponse response;
  for (const stripe::Invoice& invoice : list.data) *response.add_invoices() = ToProto(invoice);
  if (list.data.empty()) {
    response.set_say("I don't see any invoices on this account.");
  } else {
    response.set_say(absl::StrCat(
        "I see ", Plural(response.invoices_size(), "invoice"),
        ". The latest: ", InvoiceSay(list.data.front(), {clock_.Now(), options_.time_zone})));
  }
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::GetInvoiceResponse>> VoiceActions::GetInvoice(
    v1::GetInvoiceRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("get_invoice");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice invoice,
                             co_await LoadInvoice(request.invoice_id(), bounds));
  v1::GetInvoiceResponse response;
  *response.mutable_invoice() = ToProto(invoice);
  response.set_say(InvoiceSay(invoice, {clock_.Now(), options_.time_zone}));
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::GetUpcomingInvoiceResponse>>
VoiceActions::GetUpcomingInvoice(v1::GetUpcomingInvoiceRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("get_upcoming_invoice");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  FormParams params;
  params.Add("customer", request.customer_id());
  if (!request.subscription_id().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
    params.Add("subscription", request.subscription_id());
  }
  const stripe::CallOptions read{.bounds = bounds};
  absl::StatusOr<stripe::Invoice> upcoming = co_await stripe_.Call(
      HttpMethod::kGet, "/v1/invoices/upcoming", std::move(params), read, stripe::DecodeInvoice);
  if (upcoming.status().code() == absl::StatusCode::kNotFound) {
    co_return FlowError(absl::StatusCode::kNotFound,
                        "This customer has no upcoming invoice: no subscription will renew.",
                        "no_upcoming_invoice", "You don't have any upcoming bills with us.");
  }
  PAYVOX_CO_RETURN_IF_ERROR(upcoming.status());
  v1::GetUpcomingInvoiceResponse response;
  *response.mutable_invoice() = ToProto(*upcoming);
  const int64_t when =
      upcoming->next_payment_attempt > 0 ? upcoming->next_payment_attempt : upcoming->period_end;
  response.set_say(absl::StrCat(
      "Your next bill is ", FormatMoney(upcoming->amount_due, upcoming->currency), " on ",
      DatePhrase(absl::FromUnixSeconds(when), clock_.Now(), options_.time_zone), "."));
  co_return response;
}

template <typename Request, typename Response>
boost::asio::awaitable<absl::StatusOr<Response>> VoiceActions::ChangeInvoice(
    Request request, CallBounds bounds, InvoiceChange change,
    std::function<std::string(const stripe::Invoice&)> say) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(request.invoice_id()));
  const std::string key = WriteKey(request.context(), change.action);
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<Response> saved,
                             co_await guard_.Replay<Response>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice current,
                             co_await LoadInvoice(request.invoice_id(), bounds));
  if (std::find(change.from.begin(), change.from.end(), current.status) == change.from.end()) {
    co_return StateError(
        absl::StrCat("Only ", change.from.front(), " invoices can be ", change.done,
                     "; this one is ", current.status, "."),
        change.refused_reason,
        absl::StrCat("That invoice can't be ", change.done, " in its current state."));
  }
  WriteFacts facts{.action = change.action,
                   .capability = "manage_invoices",
                   .action_class = change.action_class,
                   .customer = current.customer,
                   .target = current.id,
                   .amount = current.amount_due,
                   .currency = current.currency};
  WriteBody<Response> body =
      [&](const std::string& idempotency_key) -> boost::asio::awaitable<absl::StatusOr<Response>> {
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Invoice changed,
        co_await stripe_.Call(HttpMethod::kPost,
                              absl::StrCat("/v1/invoices/", current.id, "/", change.verb), {},
                              write, stripe::DecodeInvoice));
    Response response;
    *response.mutable_invoice() = ToProto(changed);
    response.set_say(say(changed));
    co_return response;
  };
  std::function<std::string(const Response&)> result_id = [](const Response& response) {
    return response.invoice().id();
  };
  co_return co_await Guarded<Response>(request.context(), std::move(facts), request,
                                       std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::SendInvoiceResponse>> VoiceActions::RunSendInvoice(
    v1::SendInvoiceRequest request, CallBounds bounds) {
  // Stripe sends invoices collected by email only; it refuses the others.
  InvoiceChange change{.action = "send_invoice",
                       .verb = "send",
                       .done = "sent",
                       .from = {"open"},
                       .refused_reason = "invoice_not_open"};
  std::function<std::string(const stripe::Invoice&)> say = [](const stripe::Invoice&) {
    return std::string("I've emailed the invoice to the address on your account.");
  };
  co_return co_await ChangeInvoice<v1::SendInvoiceRequest, v1::SendInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

boost::asio::awaitable<absl::StatusOr<v1::VoidInvoiceResponse>> VoiceActions::RunVoidInvoice(
    v1::VoidInvoiceRequest request, CallBounds bounds) {
  InvoiceChange change{.action = "void_invoice",
                       .verb = "void",
                       .done = "voided",
                       .action_class = policy::ActionClass::kDestructive,
                       .from = {"open", "uncollectible"},
                       .refused_reason = "invoice_not_open"};
  std::function<std::string(const stripe::Invoice&)> say = [](const stripe::Invoice& voided) {
    return absl::StrCat("That invoice for ", FormatMoney(voided.total, voided.currency),
                        " is voided; you won't be asked to pay it.");
  };
  co_return co_await ChangeInvoice<v1::VoidInvoiceRequest, v1::VoidInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

boost::asio::awaitable<absl::StatusOr<v1::FinalizeInvoiceResponse>>
VoiceActions::RunFinalizeInvoice(v1::FinalizeInvoiceRequest request, CallBounds bounds) {
  const Speaking speaking{clock_.Now(), options_.time_zone};
  InvoiceChange change{.action = "finalize_invoice",
                       .verb = "finalize",
                       .done = "finalized",
                       .from = {"draft"},
                       .refused_reason = "invoice_not_draft"};
  std::function<std::string(const stripe::Invoice&)> say =
      [speaking](const stripe::Invoice& finalized) { return InvoiceSay(finalized, speaking); };
  co_return co_await ChangeInvoice<v1::FinalizeInvoiceRequest, v1::FinalizeInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

boost::asio::awaitable<absl::StatusOr<v1::CreateInvoiceResponse>> VoiceActions::RunCreateInvoice(
    v1::CreateInvoiceRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("description", request.description(), 500));
  if (request.lines().empty() || request.lines_size() > 50) {
    co_return absl::InvalidArgumentError("lines must hold 1 to 50 lines");
  }
  if (request.days_until_due() < 0 || request.days_until_due() > 365) {
    co_return absl::InvalidArgumentError(
        "days_until_due must be 0 (charge the card on file) to 365");
  }
  const std::string currency = request.lines(0).amount().currency();
  int64_t total = 0;
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::InvoiceLine& line = request.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney(absl::StrCat(field, ".amount"), line.amount()));
    PAYVOX_CO_RETURN_IF_ERROR(
        ValidateFreeText(absl::StrCat(field, ".description"), line.description(), 500));
    if (line.description().empty()) {
      co_return absl::InvalidArgumentError(absl::StrCat(field, ".description is required"));
    }
    if (line.quantity() < 0 || line.quantity() > 10'000) {
      co_return absl::InvalidArgumentError(
          absl::StrCat(field, ".quantity must be 1 to 10000 (0 means 1)"));
    }
    if (line.amount().currency() != currency) {
      co_return absl::InvalidArgumentError(
          absl::StrCat(field, ".amount.currency must match the first line's (", currency, ")"));
    }
    total += line.amount().amount_minor() * std::max<int64_t>(1, line.quantity());
  }
  const std::string key = WriteKey(request.context(), "create_invoice");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::CreateInvoiceResponse> saved,
                             co_await guard_.Replay<v1::CreateInvoiceResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  WriteFacts facts{.action = "create_invoice",
                   .capability = "manage_invoices",
                   .customer = request.customer_id(),
                   .target = request.customer_id(),
                   .amount = total,
                   .currency = currency};
  WriteBody<v1::CreateInvoiceResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::CreateInvoiceResponse>> {
    FormParams params;
    params.Add("customer", request.customer_id());
    params.Add("currency", currency);
    if (request.days_until_due() > 0) {
      params.Add("collection_method", "send_invoice");
      params.Add("days_until_due", absl::StrCat(request.days_until_due()));
    }
    if (!request.description().empty()) params.Add("description", request.description());
    params.Add("metadata[payvox_call_id]", request.context().call_id());
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::Invoice draft,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/invoices", std::move(params), write,
                              stripe::DecodeInvoice));
    // Each line is an invoice item on the draft, with a key of its own.
    for (int i = 0; i < request.lines_size(); ++i) {
      const v1::InvoiceLine& line = request.lines(i);
      FormParams item;
      item.Add("customer", request.customer_id());
      item.Add("invoice", draft.id);
      item.Add("currency", currency);
      item.Add("unit_amount", absl::StrCat(line.amount().amount_minor()));
      item.Add("quantity", absl::StrCat(std::max<int64_t>(1, line.quantity())));
      item.Add("description", line.description());
      const stripe::CallOptions item_write{
          .bounds = bounds, .idempotency_key = absl::StrCat(idempotency_key, "_line", i)};
      absl::StatusOr<stripe::StripeResponse> added =
          co_await stripe_.Send(HttpMethod::kPost, "/v1/invoiceitems", std::move(item), item_write);
      PAYVOX_CO_RETURN_IF_ERROR(added.status());
    }
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice filled,
                               co_await LoadInvoice(draft.id, bounds));
    v1::CreateInvoiceResponse response;
    *response.mutable_invoice() = ToProto(filled);
    response.set_say(absl::StrCat("I've drafted an invoice for ",
                                  FormatMoney(filled.total, filled.currency),
                                  ". It isn't sent yet."));
    co_return response;
  };
  std::function<std::string(const v1::CreateInvoiceResponse&)> result_id =
      [](const v1::CreateInvoiceResponse& response) { return response.invoice().id(); };
  co_return co_await Guarded<v1::CreateInvoiceResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

}  // namespace payvox
