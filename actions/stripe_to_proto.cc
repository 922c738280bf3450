#include "actions/stripe_to_proto.h"

#include <algorithm>
#include <string>

#include "common/money.h"
#include "common/speech.h"

namespace payvox {

v1::Money ToMoney(int64_t amount_minor, absl::string_view currency) {
  v1::Money money;
  money.set_amount_minor(amount_minor);
  money.set_currency(std::string(currency));
  money.set_display(FormatMoney(amount_minor, currency));
  return money;
}

v1::Customer ToProto(const stripe::Customer& customer) {
  v1::Customer out;
  out.set_id(customer.id);
  out.set_name(customer.name);
  out.set_email(customer.email);
  out.set_phone(customer.phone);
  out.set_created(customer.created);
  return out;
}

v1::Card ToProto(const stripe::Card& card) {
  v1::Card out;
  out.set_brand(card.brand);
  out.set_last4(card.last4);
  out.set_exp_month(static_cast<int32_t>(card.exp_month));
  out.set_exp_year(static_cast<int32_t>(card.exp_year));
  return out;
}

v1::Charge ToProto(const stripe::Charge& charge) {
  v1::Charge out;
  out.set_id(charge.id);
  *out.mutable_amount() = ToMoney(charge.amount, charge.currency);
  if (charge.status == "succeeded") {
    out.set_status(v1::CHARGE_STATUS_SUCCEEDED);
  } else if (charge.status == "pending") {
    out.set_status(v1::CHARGE_STATUS_PENDING);
  } else if (charge.status == "failed") {
    out.set_status(v1::CHARGE_STATUS_FAILED);
  }
  out.set_created(charge.created);
  out.set_description(charge.description);
  if (!charge.card.last4.empty()) *out.mutable_card() = ToProto(charge.card);
  *out.mutable_amount_refunded() = ToMoney(charge.amount_refunded, charge.currency);
  const int64_t refundable = charge.status == "succeeded"
                                 ? std::max<int64_t>(0, charge.amount - charge.amount_refunded)
                                 : 0;
  *out.mutable_refundable() = ToMoney(refundable, charge.currency);
  out.set_refunded(charge.refunded);
  out.set_invoice_id(charge.invoice);
  out.set_payment_intent_id(charge.payment_intent);
  out.set_failure_code(charge.failure_code);
  if (charge.status == "failed") {
    out.set_failure_reason(std::string(DeclinePhrase(
        charge.outcome_reason.empty() ? charge.failure_code : charge.outcome_reason)));
  }
  out.set_disputed(charge.disputed);
  out.set_customer_id(charge.customer);
  return out;
}

v1::Refund ToProto(const stripe::Refund& refund) {
  v1::Refund out;
  out.set_id(refund.id);
  *out.mutable_amount() = ToMoney(refund.amount, refund.currency);
  if (refund.status == "pending") out.set_status(v1::REFUND_STATUS_PENDING);
  if (refund.status == "succeeded") out.set_status(v1::REFUND_STATUS_SUCCEEDED);
  if (refund.status == "failed") out.set_status(v1::REFUND_STATUS_FAILED);
  if (refund.status == "canceled") out.set_status(v1::REFUND_STATUS_CANCELED);
  if (refund.status == "requires_action") out.set_status(v1::REFUND_STATUS_REQUIRES_ACTION);
  out.set_charge_id(refund.charge);
  out.set_reason(refund.reason);
  out.set_created(refund.created);
  return out;
}

v1::PaymentIntent ToProto(const stripe::PaymentIntent& intent) {
  v1::PaymentIntent out;
  out.set_id(intent.id);
  *out.mutable_amount() = ToMoney(intent.amount, intent.currency);
  out.set_status(intent.status);
  out.set_customer_id(intent.customer);
  out.set_latest_charge_id(intent.latest_charge);
  if (!intent.last_error_code.empty()) {
    out.set_failure_reason(std::string(DeclinePhrase(
        intent.last_decline_code.empty() ? intent.last_error_code : intent.last_decline_code)));
  }
  out.set_created(intent.created);
  return out;
}

v1::Subscription ToProto(const stripe::Subscription& subscription, absl::Time now,
                         absl::TimeZone zone) {
  v1::Subscription out;
  out.set_id(subscription.id);
  out.set_customer_id(subscription.customer);
  static constexpr std::pair<absl::string_view, v1::SubscriptionStatus> kStatuses[] = {
      {"active", v1::SUBSCRIPTION_STATUS_ACTIVE},
      {"trialing", v1::SUBSCRIPTION_STATUS_TRIALING},
      {"past_due", v1::SUBSCRIPTION_STATUS_PAST_DUE},
      {"canceled", v1::SUBSCRIPTION_STATUS_CANCELED},
      {"unpaid", v1::SUBSCRIPTION_STATUS_UNPAID},
      {"incomplete", v1::SUBSCRIPTION_STATUS_INCOMPLETE},
      {"incomplete_expired", v1::SUBSCRIPTION_STATUS_INCOMPLETE_EXPIRED},
      {"paused", v1::SUBSCRIPTION_STATUS_PAUSED}};
  for (const auto& [name, status] : kStatuses) {
    if (subscription.status == name) out.set_status(status);
  }
  if (!subscription.items.empty()) {
    const stripe::Price& price = subscription.items.front().price;
    out.set_plan_name(price.nickname.empty() ? price.id : price.nickname);
    out.set_price_id(price.id);
    *out.mutable_price() =
        ToMoney(price.unit_amount * std::max<int64_t>(1, subscription.items.front().quantity),
                price.currency);
    out.set_interval(price.interval);
    out.set_interval_count(static_cast<int32_t>(price.interval_count));
  }
  out.set_current_period_end(subscription.current_period_end);
  out.set_cancel_at_period_end(subscription.cancel_at_period_end);
  out.set_paused(subscription.status == "paused" || !subscription.pause_behavior.empty());
  out.set_canceled_at(subscription.canceled_at);
  if (subscription.current_period_end > 0) {
    out.set_renewal_date_display(
        DatePhrase(absl::FromUnixSeconds(subscription.current_period_end), now, zone));
  }
  return out;
}

v1::Invoice ToProto(const stripe::Invoice& invoice) {
  v1::Invoice out;
  out.set_id(invoice.id);
  out.set_customer_id(invoice.customer);
  out.set_status(invoice.status);
  out.set_number(invoice.number);
  *out.mutable_total() = ToMoney(invoice.total, invoice.currency);
  *out.mutable_amount_due() = ToMoney(invoice.amount_due, invoice.currency);
  *out.mutable_amount_paid() = ToMoney(invoice.amount_paid, invoice.currency);
  out.set_due_date(invoice.due_date);
  out.set_created(invoice.created);
  out.set_hosted_invoice_url(invoice.hosted_invoice_url);
  out.set_subscription_id(invoice.subscription);
  for (const stripe::InvoiceLine& line : invoice.lines) {
    v1::InvoiceLine* added = out.add_lines();
    added->set_description(line.description);
    *added->mutable_amount() = ToMoney(line.amount, line.currency);
    added->set_quantity(line.quantity);
  }
  return out;
}

v1::Coupon ToProto(const stripe::Coupon& coupon) {
  v1::Coupon out;
  out.set_id(coupon.id);
  out.set_percent_off(coupon.percent_off);
  if (coupon.amount_off > 0)
    *out.mutable_amount_off() = ToMoney(coupon.amount_off, coupon.currency);
  out.set_duration(coupon.duration);
  out.set_duration_in_months(static_cast<int32_t>(coupon.duration_in_months));
  return out;
}

}  // namespace payvox
