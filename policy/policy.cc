#include "policy/policy.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "common/error_detail.h"
#include "common/money.h"

namespace payvox::policy {
namespace {

Decision Allow() { return Decision{}; }

Decision Make(Verdict verdict, std::string rule, std::string reason, std::string message,
              std::string say) {
  return Decision{verdict, std::move(rule), std::move(reason), std::move(message), std::move(say)};
}

// ConfirmationQuestion is what the agent asks before the action commits.
std::string ConfirmationQuestion(const ActionFacts& facts) {
  if (facts.summary.empty()) return "Just to confirm: do you want me to go ahead?";
  return absl::StrCat("Just to confirm: shall I ", facts.summary, "?");
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list,
              absl::string_view value) {
  return absl::c_any_of(list, [&](const std::string& item) { return item == value; });
}

bool CapabilityEnabled(const v1::TenantPolicy& policy, const ActionFacts& facts) {
  return IsEnabled(policy, facts.action, facts.capability);
}

bool NeedsVerifiedCaller(const v1::TenantPolicy& policy, const ActionFacts& facts) {
  if (policy.verified_actions().empty()) return facts.action_class != ActionClass::kRead;
  return Contains(policy.verified_actions(), facts.action);
}

Decision DecideRefund(const v1::RefundPolicy& rules, const ActionFacts& facts) {
  const RefundFacts& refund = *facts.refund;
  const std::string amount = FormatMoney(refund.amount, refund.currency);
  if (rules.require_reason() && refund.reason.empty()) {
    return Make(Verdict::kDeny, "refunds.require_reason", "refund_reason_required",
                "This business requires a reason for every refund; ask the caller why and send "
                "it in `reason`.",
                "Before I refund this, can you tell me why you'd like the refund?");
  }
  if (rules.max_charge_age_days() > 0 &&
      facts.now - refund.charge_created > absl::Hours(24) * rules.max_charge_age_days()) {
    return Make(Verdict::kDeny, "refunds.max_charge_age_days", "charge_too_old_to_refund",
                absl::StrCat("The charge is older than ", rules.max_charge_age_days(),
                             " days, the most this business lets the agent refund; a person on "
                             "the team must handle it."),
                "That charge is too old for me to refund, but I can pass this to the team.");
  }
  if (const std::optional<int64_t> limit = LimitFor(rules.daily_limit(), refund.currency);
      limit.has_value() && facts.usage.tenant_refunded_today + refund.amount > *limit) {
    return Make(Verdict::kDeny, "refunds.daily_limit", "refund_over_daily_limit",
                absl::StrCat("A refund of ", amount,
                             " would pass this business's daily refund "
                             "limit of ",
                             FormatMoney(*limit, refund.currency),
                             "; a person on the team must handle it."),
                "I can't issue that refund today, but I'll pass it to the team.");
  }
  if (const std::optional<int64_t> limit =
          LimitFor(rules.daily_limit_per_customer(), refund.currency);
      limit.has_value() && facts.usage.customer_refunded_today + refund.amount > *limit) {
    return Make(Verdict::kDeny, "refunds.daily_limit_per_customer",
                "refund_over_customer_daily_limit",
                absl::StrCat("A refund of ", amount, " would pass the daily refund limit of ",
                             FormatMoney(*limit, refund.currency),
                             " per customer; a person on the team must handle it."),
                "I can't issue that refund today, but I'll pass it to the team.");
  }
  const bool risky = refund.disputed || refund.fraudulent || refund.risk_level == "highest";
  if (risky) {
    const std::string why = refund.disputed ? "disputed" : "flagged as fraud risk";
    if (!rules.escalate_disputed()) {
      return Make(Verdict::kDeny, "refunds.escalate_disputed", "charge_disputed_or_risky",
                  absl::StrCat("The charge is ", why,
                               "; this business does not let the agent refund such charges."),
                  "I'm not able to refund that charge myself; the team will look into it.");
    }
    return Make(Verdict::kNeedsApproval, "refunds.escalate_disputed", "charge_disputed_or_risky",
                absl::StrCat("The charge is ", why, "; the refund waits for an operator."),
                "I've sent this refund for approval; you'll get an email once it's approved.");
  }
  if (const std::optional<int64_t> limit = LimitFor(rules.max_auto_refund(), refund.currency);
      limit.has_value() && refund.amount > *limit) {
    return Make(
        Verdict::kNeedsApproval, "refunds.max_auto_refund", "refund_needs_approval",
        absl::StrCat("Refunds above ", FormatMoney(*limit, refund.currency),
                     " need an operator's approval; this one (", amount, ") is waiting for it."),
        "I've sent this refund for approval; you'll get an email once it's approved.");
  }
  return Allow();
}

Decision DecideCoupon(const v1::CouponPolicy& rules, const ActionFacts& facts) {
  const CouponFacts& coupon = *facts.coupon;
  if (rules.daily_count() > 0 && facts.usage.coupons_today >= rules.daily_count()) {
    return Make(Verdict::kDeny, "coupons.daily_count", "coupon_daily_count_reached",
                absl::StrCat("This business allows ", rules.daily_count(),
                             " coupons a day and they are used up."),
                "I can't create another discount today, but I'll pass your request on.");
  }
  if (coupon.percent_off > 0 && coupon.percent_off > rules.max_percent_off()) {
    return Make(Verdict::kDeny, "coupons.max_percent_off", "coupon_over_limit",
                absl::StrCat("The most this business lets the agent grant is ",
                             rules.max_percent_off(), "% off."),
                "I can't offer a discount that large.");
  }
  if (coupon.amount_off > 0) {
    const std::optional<int64_t> limit = LimitFor(rules.max_amount_off(), coupon.currency);
    if (!limit.has_value() || coupon.amount_off > *limit) {
      return Make(Verdict::kDeny, "coupons.max_amount_off", "coupon_over_limit",
                  limit.has_value()
                      ? absl::StrCat("The most this business lets the agent grant is ",
                                     FormatMoney(*limit, coupon.currency), " off.")
                      : absl::StrCat("This business lets the agent grant no amount-off coupons "
                                     "in ",
                                     coupon.currency, "."),
                  "I can't offer a discount that large.");
    }
  }
  return Allow();
}

Decision DecideSubscription(const v1::SubscriptionPolicy& rules, const ActionFacts& facts) {
  const SubscriptionFacts& change = *facts.subscription;
  if (change.cancel_immediately && rules.cancel_at_period_end_only()) {
    return Make(Verdict::kDeny, "subscriptions.cancel_at_period_end_only",
                "cancel_at_period_end_only",
                "This business cancels subscriptions at the end of the paid period only; send "
                "the cancellation without `immediately`.",
                "I can cancel it so it ends at the end of your current billing period.");
  }
  return Allow();
}

}  // namespace

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kDeny:
      return "deny";
    case Verdict::kNeedsVerification:
      return "needs_verification";
    case Verdict::kNeedsConfirmation:
      return "needs_confirmation";
    case Verdict::kNeedsApproval:
      return "needs_approval";
  }
  return "deny";
}

absl::Status Decision::ToStatus() const {
  switch (verdict) {
    case Verdict::kAllow:
    case Verdict::kNeedsApproval:
      return absl::OkStatus();
    case Verdict::kDeny:
      return FlowError(absl::StatusCode::kPermissionDenied, message, reason, say);
    case Verdict::kNeedsVerification:
    case Verdict::kNeedsConfirmation:
      return FlowError(absl::StatusCode::kFailedPrecondition, message, reason, say);
  }
  return absl::OkStatus();
}

bool IsEnabled(const v1::TenantPolicy& policy, absl::string_view action,
               absl::string_view capability) {
  if (policy.enabled_actions().empty()) {
    return absl::c_linear_search(DefaultCapabilities(), capability);
  }
  return Contains(policy.enabled_actions(), "all") ||
         Contains(policy.enabled_actions(), capability) ||
         Contains(policy.enabled_actions(), action);
}

const std::vector<std::string>& Capabilities() {
  static const auto* const kCapabilities = new std::vector<std::string>{"view_payments",
                                                                        "view_refunds",
                                                                        "full_refunds",
                                                                        "partial_refunds",
                                                                        "coupons",
                                                                        "cancel_subscriptions",
                                                                        "pause_subscriptions",
                                                                        "change_subscription_plans",
                                                                        "update_customers",
                                                                        "view_invoices",
                                                                        "manage_invoices",
                                                                        "payment_links",
                                                                        "portal_links",
                                                                        "secure_payments",
                                                                        "view_subscriptions",
                                                                        "manage_subscriptions",
                                                                        "view_catalog",
                                                                        "manage_catalog",
                                                                        "manage_payments",
                                                                        "view_balance",
                                                                        "view_events",
                                                                        "all"};
  return *kCapabilities;
}

const std::vector<std::string>& DefaultCapabilities() {
  static const auto* const kDefaults =
      new std::vector<std::string>{"view_payments",   "view_refunds",       "full_refunds",
                                   "partial_refunds", "view_subscriptions", "view_invoices"};
  return *kDefaults;
}

std::optional<int64_t> LimitFor(
    const google::protobuf::RepeatedPtrField<v1::CurrencyAmount>& limits,
    absl::string_view currency) {
  for (const v1::CurrencyAmount& limit : limits) {
    if (limit.currency() == currency) return limit.amount_minor();
  }
  return std::nullopt;
}

v1::TenantPolicy ConservativePolicy() {
  v1::TenantPolicy policy;
  v1::RefundPolicy& refunds = *policy.mutable_refunds();
  auto bound = [](google::protobuf::RepeatedPtrField<v1::CurrencyAmount>& list,
                  const char* currency, int64_t amount) {
    v1::CurrencyAmount& entry = *list.Add();
    entry.set_currency(currency);
    entry.set_amount_minor(amount);
  };
  for (const char* currency : {"usd", "eur", "gbp", "cad", "aud", "chf"}) {
    bound(*refunds.mutable_max_auto_refund(), currency, 100'00);
    bound(*refunds.mutable_daily_limit(), currency, 500'00);
  }
  bound(*refunds.mutable_max_auto_refund(), "jpy", 15'000);
  bound(*refunds.mutable_daily_limit(), "jpy", 75'000);
  return policy;
}

std::string PolicySummary(const v1::TenantPolicy& policy) {
  const v1::RefundPolicy& refunds = policy.refunds();
  const std::optional<int64_t> automatic = LimitFor(refunds.max_auto_refund(), "usd");
  const std::optional<int64_t> daily = LimitFor(refunds.daily_limit(), "usd");
  std::string summary =
      automatic.has_value()
          ? absl::StrCat("refunds above ", FormatMoney(*automatic, "usd"), " wait for approval")
          : std::string("refunds need no approval for their amount");
  absl::StrAppend(&summary,
                  daily.has_value()
                      ? absl::StrCat("; at most ", FormatMoney(*daily, "usd"), " a day")
                      : std::string("; no daily refund limit"),
                  " (in USD)");
  return summary;
}

Decision Decide(const v1::TenantPolicy& policy, const ActionFacts& facts) {
  if (!CapabilityEnabled(policy, facts)) {
    return Make(Verdict::kDeny, "enabled_actions", "action_not_enabled",
                absl::StrCat("This business has not enabled ", facts.action, " (capability ",
                             facts.capability, ") for the agent."),
                "I'm not able to do that for you, but I can pass your request to the team.");
  }
  if (!facts.caller_verified && NeedsVerifiedCaller(policy, facts)) {
    return Make(Verdict::kNeedsVerification, "verified_actions", "needs_verification",
                absl::StrCat(facts.action,
                             " needs a caller verified in this call: use VerifyIdentity first."),
                "Before I do that, I need to verify your identity.");
  }
  const std::string how =
      policy.confirmation_token_required()
          ? "with the confirmation_token of this answer"
          : "with context.confirmed set or the confirmation_token of this answer";
  if (facts.action_class == ActionClass::kDestructive && !facts.confirmed) {
    return Make(Verdict::kNeedsConfirmation, "destructive_actions", "needs_confirmation",
                absl::StrCat(facts.action,
                             " cannot be undone: confirm it with the caller, then send it again ",
                             how, "."),
                absl::StrCat(ConfirmationQuestion(facts), " This can't be undone."));
  }
  if (!facts.confirmed && Contains(policy.confirmed_actions(), facts.action)) {
    return Make(Verdict::kNeedsConfirmation, "confirmed_actions", "needs_confirmation",
                absl::StrCat(facts.action,
                             " needs the caller's confirmation: confirm it with the caller, then "
                             "send it again ",
                             how, "."),
                ConfirmationQuestion(facts));
  }
  if (facts.refund.has_value()) return DecideRefund(policy.refunds(), facts);
  if (facts.coupon.has_value()) return DecideCoupon(policy.coupons(), facts);
  if (facts.subscription.has_value()) return DecideSubscription(policy.subscriptions(), facts);
  return Allow();
}

}  // namespace payvox::policy
