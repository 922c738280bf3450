#include "actions/sentences.h"

#include "absl/strings/str_cat.h"
#include "actions/stripe_to_proto.h"
#include "common/money.h"
#include "common/speech.h"

namespace payvox {
namespace {

std::string On(int64_t unix_seconds, const Speaking& speaking) {
  return DatePhrase(absl::FromUnixSeconds(unix_seconds), speaking.now, speaking.zone);
}

std::string Every(absl::string_view interval, int64_t count) {
  if (count <= 1) return absl::StrCat("a ", interval);
  return absl::StrCat("every ", count, " ", interval, "s");
}

}  // namespace

std::string ChargeOutcome(const v1::Charge& charge) {
  if (charge.status() == v1::CHARGE_STATUS_FAILED) {
    return absl::StrCat("it didn't go through: ", charge.failure_reason());
  }
  if (charge.refunded()) return "it was refunded";
  if (charge.status() == v1::CHARGE_STATUS_PENDING) return "it is still processing";
  return "it went through";
}

std::string PaymentSay(const v1::Charge& charge, const Speaking& speaking) {
  const std::string card =
      charge.has_card()
          ? absl::StrCat(" on your ", CardPhrase(charge.card().brand(), charge.card().last4()))
          : "";
  return absl::StrCat("That payment of ", charge.amount().display(), " on ",
                      On(charge.created(), speaking), card, ": ", ChargeOutcome(charge), ".");
}

std::string IntentSay(const stripe::PaymentIntent& intent, const Speaking& speaking) {
  const std::string amount = FormatMoney(intent.amount, intent.currency);
  const std::string when = On(intent.created, speaking);
  if (intent.status == "succeeded") {
    return absl::StrCat("The payment of ", amount, " from ", when, " went through.");
  }
  if (intent.status == "processing") {
    return absl::StrCat("The payment of ", amount, " from ", when, " is still processing.");
  }
  if (intent.status == "requires_capture") {
    return absl::StrCat("The payment of ", amount, " is authorized but not collected yet.");
  }
  if (intent.status == "canceled") {
    return absl::StrCat("The payment of ", amount, " from ", when, " was canceled.");
  }
  if (!intent.last_error_code.empty()) {
    return absl::StrCat("The payment of ", amount, " didn't go through: ",
                        DeclinePhrase(intent.last_decline_code.empty() ? intent.last_error_code
                                                                       : intent.last_decline_code),
                        ".");
  }
  return absl::StrCat("The payment of ", amount, " is waiting for a card.");
}

std::string RefundSay(const v1::Refund& refund, const Speaking& speaking) {
  const std::string amount = refund.amount().display();
  switch (refund.status()) {
    case v1::REFUND_STATUS_SUCCEEDED:
      return absl::StrCat("Your refund of ", amount, " was sent on ",
                          On(refund.created(), speaking),
                          "; it takes 5 to 10 business days to show on your statement.");
    case v1::REFUND_STATUS_PENDING:
      return absl::StrCat("Your refund of ", amount, " is on its way.");
    case v1::REFUND_STATUS_FAILED:
    case v1::REFUND_STATUS_CANCELED:
      return absl::StrCat("The refund of ", amount, " did not go through.");
    default:
      return absl::StrCat("The refund of ", amount, " needs attention from the team.");
  }
}

std::string SubscriptionSay(const v1::Subscription& subscription) {
  const std::string plan =
      absl::StrCat("Your ", subscription.plan_name(), " plan at ", subscription.price().display(),
                   " ", Every(subscription.interval(), subscription.interval_count()));
  if (subscription.status() == v1::SUBSCRIPTION_STATUS_CANCELED) {
    return absl::StrCat(plan, " is canceled.");
  }
  if (subscription.paused()) {
    return absl::StrCat(plan, " is paused; you won't be charged until it resumes.");
  }
  if (subscription.cancel_at_period_end()) {
    return absl::StrCat(plan, " ends on ", subscription.renewal_date_display(),
                        " and won't renew.");
  }
  if (subscription.status() == v1::SUBSCRIPTION_STATUS_PAST_DUE) {
    return absl::StrCat(plan, " has a payment due that didn't go through.");
  }
  return absl::StrCat(plan, " renews on ", subscription.renewal_date_display(), ".");
}

std::string InvoiceSay(const stripe::Invoice& invoice, const Speaking& speaking) {
  const std::string what = absl::StrCat(
      invoice.number.empty() ? "The invoice" : absl::StrCat("Invoice ", invoice.number), " for ",
      FormatMoney(invoice.total, invoice.currency));
  if (invoice.status == "paid") return absl::StrCat(what, " is paid.");
  if (invoice.status == "void") return absl::StrCat(what, " was voided; nothing is owed on it.");
  if (invoice.status == "draft") return absl::StrCat(what, " is a draft and hasn't been sent yet.");
  if (invoice.status == "uncollectible") {
    return absl::StrCat(what, " is marked uncollectible.");
  }
  if (invoice.due_date > 0) {
    return absl::StrCat(what, " is open; ", FormatMoney(invoice.amount_remaining, invoice.currency),
                        " is due on ", On(invoice.due_date, speaking), ".");
  }
  if (invoice.next_payment_attempt > 0) {
    return absl::StrCat(what, " is open; your card will be charged on ",
                        On(invoice.next_payment_attempt, speaking), ".");
  }
  return absl::StrCat(what, " is open.");
}

std::string CouponSay(const stripe::Coupon& coupon) {
  const std::string off =
      coupon.percent_off > 0
          ? absl::StrCat(coupon.percent_off, "% off")
          : absl::StrCat(FormatMoney(coupon.amount_off, coupon.currency), " off");
  if (coupon.duration == "forever") return absl::StrCat(off, " for as long as you subscribe");
  if (coupon.duration == "repeating") {
    return absl::StrCat(off, " for ", Plural(coupon.duration_in_months, "month"));
  }
  return absl::StrCat(off, " your next bill");
}

std::string PricePhrase(const stripe::Price& price) {
  const std::string amount = FormatMoney(price.unit_amount, price.currency);
  if (price.interval.empty()) return absl::StrCat(amount, " once");
  return absl::StrCat(amount, " ", Every(price.interval, price.interval_count));
}

std::string SpellOut(absl::string_view code) {
  std::string out;
  for (const char c : code) {
    if (!out.empty()) out += ", ";
    out.push_back(c);
  }
  return out;
}

}  // namespace payvox
