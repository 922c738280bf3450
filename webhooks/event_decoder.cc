#include "webhooks/event_decoder.h"

#include <simdjson.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/stripe_decoders.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox::webhooks {
namespace {

v1::Money Money(int64_t amount, const std::string& currency) {
  v1::Money money;
  money.set_amount_minor(amount);
  money.set_currency(currency);
  money.set_display(FormatMoney(amount, currency));
  return money;
}

std::string MetadataValue(const stripe::Metadata& metadata, absl::string_view key) {
  for (const auto& [name, value] : metadata) {
    if (name == key) return value;
  }
  return "";
}

absl::Status FromCharge(const std::string& type, const std::string& json, DecodedEvent& out) {
  PAYVOX_ASSIGN_OR_RETURN(const stripe::Charge charge, stripe::DecodeCharge(json));
  v1::PaymentEvent& event = out.event;
  event.set_customer_id(charge.customer);
  event.set_object_id(charge.id);
  const std::string amount = FormatMoney(charge.amount, charge.currency);
  *event.mutable_amount() = Money(charge.amount, charge.currency);
  if (type == "charge.failed") {
    event.set_failure_reason(std::string(DeclinePhrase(
        charge.outcome_reason.empty() ? charge.failure_code : charge.outcome_reason)));
    event.set_say(
        absl::StrCat("A payment of ", amount, " didn't go through: ", event.failure_reason(), "."));
  } else if (type == "charge.refunded") {
    *event.mutable_amount() = Money(charge.amount_refunded, charge.currency);
    event.set_say(absl::StrCat("A refund of ", FormatMoney(charge.amount_refunded, charge.currency),
                               " was issued for a payment of ", amount, "."));
  } else {
    event.set_say(absl::StrCat("A payment of ", amount, " went through."));
  }
  return absl::OkStatus();
}

absl::Status FromRefund(const std::string& json, DecodedEvent& out) {
  PAYVOX_ASSIGN_OR_RETURN(const stripe::Refund refund, stripe::DecodeRefund(json));
  out.event.set_object_id(refund.id);
  *out.event.mutable_amount() = Money(refund.amount, refund.currency);
  out.event.set_say(absl::StrCat("The refund of ", FormatMoney(refund.amount, refund.currency),
                                 " is now ", refund.status.empty() ? "updated" : refund.status,
                                 "."));
  return absl::OkStatus();
}

// Disputes have no decoder of their own: amount, currency and charge are
// all the event needs.
absl::Status FromDispute(const std::string& json, DecodedEvent& out) {
  simdjson::dom::parser parser;
  simdjson::dom::object dispute;
  int64_t amount = 0;
  std::string_view currency;
  std::string_view id;
  if (parser.parse(json).get_object().get(dispute) != simdjson::SUCCESS ||
      dispute["amount"].get_int64().get(amount) != simdjson::SUCCESS ||
      dispute["currency"].get_string().get(currency) != simdjson::SUCCESS ||
      dispute["id"].get_string().get(id) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the dispute needs id, amount and currency");
  }
  const std::string code(currency);
  out.event.set_object_id(std::string(id));
  *out.event.mutable_amount() = Money(amount, code);
  out.event.set_say(absl::StrCat("The bank opened a dispute for ", FormatMoney(amount, code), "."));
  return absl::OkStatus();
}

absl::Status FromIntent(const std::string& type, const std::string& json, DecodedEvent& out) {
  PAYVOX_ASSIGN_OR_RETURN(const stripe::PaymentIntent intent, stripe::DecodePaymentIntent(json));
  v1::PaymentEvent& event = out.event;
  event.set_customer_id(intent.customer);
  event.set_object_id(intent.id);
  event.set_call_id(MetadataValue(intent.metadata, "payvox_call_id"));
  out.handoff_session_id = MetadataValue(intent.metadata, "payvox_handoff_session");
  *event.mutable_amount() = Money(intent.amount, intent.currency);
  const std::string amount = FormatMoney(intent.amount, intent.currency);
  if (type == "payment_intent.payment_failed") {
    event.set_failure_reason(std::string(DeclinePhrase(
        intent.last_decline_code.empty() ? intent.last_error_code : intent.last_decline_code)));
    event.set_say(absl::StrCat("The payment of ", amount,
                               " didn't go through: ", event.failure_reason(), "."));
  } else if (type == "payment_intent.canceled") {
    event.set_say(absl::StrCat("The payment of ", amount, " was canceled."));
  } else {
    event.set_say(absl::StrCat("The payment of ", amount, " went through."));
  }
  return absl::OkStatus();
}

absl::Status FromInvoice(const std::string& type, const std::string& json, DecodedEvent& out) {
  PAYVOX_ASSIGN_OR_RETURN(const stripe::Invoice invoice, stripe::DecodeInvoice(json));
  v1::PaymentEvent& event = out.event;
  event.set_customer_id(invoice.customer);
  event.set_object_id(invoice.id);
  *event.mutable_amount() = Money(invoice.amount_due, invoice.currency);
  const std::string what = absl::StrCat(
      invoice.number.empty() ? "the invoice" : absl::StrCat("invoice ", invoice.number), " (",
      FormatMoney(invoice.amount_due, invoice.currency), ")");
  if (type == "invoice.payment_failed") {
    event.set_failure_reason("the card was declined or could not be charged");
    event.set_say(absl::StrCat("The payment for ", what, " didn't go through."));
  } else {
    event.set_say(absl::StrCat("The payment for ", what, " went through."));
  }
  return absl::OkStatus();
}

absl::Status FromSubscription(const std::string& type, const std::string& json, DecodedEvent& out) {
  PAYVOX_ASSIGN_OR_RETURN(const stripe::Subscription subscription,
                          stripe::DecodeSubscription(json));
  v1::PaymentEvent& event = out.event;
  event.set_customer_id(subscription.customer);
  event.set_object_id(subscription.id);
  std::string plan = "The subscription";
  if (!subscription.items.empty()) {
    const stripe::Price& price = subscription.items.front().price;
    *event.mutable_amount() = Money(price.unit_amount, price.currency);
    if (!price.nickname.empty()) plan = absl::StrCat("The ", price.nickname, " subscription");
  }
  const absl::string_view what = absl::StripPrefix(type, "customer.subscription.");
  const std::string done = what == "created"   ? "started"
                           : what == "deleted" ? "canceled"
                                               : std::string(what);
  event.set_say(absl::StrCat(plan, " was ", done, "."));
  return absl::OkStatus();
}

// Generic events keep their object's id and customer.
void Generic(const stripe::Event& stripe_event, DecodedEvent& out) {
  out.event.set_object_id(stripe_event.object_id);
  simdjson::dom::parser parser;
  std::string_view customer;
  if (parser.parse(stripe_event.object_json)["customer"].get_string().get(customer) ==
      simdjson::SUCCESS) {
    out.event.set_customer_id(std::string(customer));
  }
}

}  // namespace

absl::StatusOr<DecodedEvent> DecodeEvent(const std::string& body) {
  absl::StatusOr<stripe::Event> decoded = stripe::DecodeEvent(body);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the webhook body is not a Stripe event: ", decoded.status().message()));
  }
  const stripe::Event& stripe_event = *decoded;
  if (!absl::StartsWith(stripe_event.id, "evt_") || stripe_event.type.empty()) {
    return absl::InvalidArgumentError("the event needs an evt_ id and a type");
  }
  DecodedEvent out;
  out.event.set_stripe_event_id(stripe_event.id);
  out.event.set_type(stripe_event.type);
  out.event.set_created(stripe_event.created);
  const std::string& type = stripe_event.type;
  const std::string& json = stripe_event.object_json;
  absl::Status typed = absl::OkStatus();
  out.typed = true;
  if (type == "charge.succeeded" || type == "charge.failed" || type == "charge.refunded") {
    typed = FromCharge(type, json, out);
  } else if (type == "charge.refund.updated") {
    typed = FromRefund(json, out);
  } else if (type == "charge.dispute.created") {
    typed = FromDispute(json, out);
  } else if (type == "payment_intent.succeeded" || type == "payment_intent.payment_failed" ||
             type == "payment_intent.canceled") {
    typed = FromIntent(type, json, out);
  } else if (type == "invoice.paid" || type == "invoice.payment_failed") {
    typed = FromInvoice(type, json, out);
  } else if (type == "customer.subscription.created" || type == "customer.subscription.updated" ||
             type == "customer.subscription.deleted" || type == "customer.subscription.paused" ||
             type == "customer.subscription.resumed") {
    typed = FromSubscription(type, json, out);
  } else {
    out.typed = false;
    Generic(stripe_event, out);
  }
  if (!typed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", type, " event's object is malformed: ", typed.message()));
  }
  return out;
}

}  // namespace payvox::webhooks
