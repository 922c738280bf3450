#include "server/stripe_to_proto.h"

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

}  // namespace payvox
