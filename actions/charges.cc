#include "actions/charges.h"

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

Action<v1::ListChargesResponse> ChargeActions::ListCharges(v1::ListChargesRequest request,
                                                           CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("list_charges");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  const int limit = request.limit() == 0 ? 10 : request.limit();
  if (limit < 1 || limit > 100) co_return absl::InvalidArgumentError("limit must be 1 to 100");
  stripe::ChargeFilter filter{.customer = request.customer_id(),
                              .limit = limit,
                              .starting_after = request.starting_after()};
  const stripe::CallOptions call{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "list_charges");
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await facts.ListCharges(std::move(filter), call));
  v1::ListChargesResponse response;
  for (const stripe::Charge& charge : charges.data) *response.add_charges() = ToProto(charge);
  response.set_has_more(charges.has_more);
  if (charges.data.empty()) {
    response.set_say("I don't see any charges on this account.");
    co_return response;
  }
  const v1::Charge& latest = response.charges(0);
  std::string outcome = "and it went through";
  if (latest.status() == v1::CHARGE_STATUS_FAILED) {
    outcome = absl::StrCat("and it didn't go through: ", latest.failure_reason());
  } else if (latest.refunded()) {
    outcome = "and it was refunded";
  } else if (latest.status() == v1::CHARGE_STATUS_PENDING) {
    outcome = "and it is still processing";
  }
  const std::string card =
      latest.has_card()
          ? absl::StrCat(" on your ", CardPhrase(latest.card().brand(), latest.card().last4()))
          : "";
  response.set_say(absl::StrCat(
      "I see ", Plural(response.charges_size(), "recent charge"), ". The latest is ",
      latest.amount().display(), " on ",
      DatePhrase(absl::FromUnixSeconds(latest.created()), env_.clock.Now(), env_.options.time_zone),
      card, ", ", outcome, "."));
  co_return response;
}

Action<v1::GetPaymentResponse> ChargeActions::GetPayment(v1::GetPaymentRequest request,
                                                         CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("get_payment");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  const std::string& id = request.payment_id();
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("payment_id", id, {"ch_", "py_", "pi_", "in_"}));
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "get_payment");
  const Speaking speaking = env_.speaking();
  v1::GetPaymentResponse response;
  if (id.starts_with("in_")) {
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice invoice, co_await facts.GetInvoice(id, read));
    *response.mutable_invoice() = ToProto(invoice);
    response.set_subscription_id(invoice.subscription);
    response.set_say(InvoiceSay(invoice, speaking));
    co_return response;
  }
  std::string charge_id = id;
  if (id.starts_with("pi_")) {
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::PaymentIntent intent,
                               co_await env_.stripe.GetPaymentIntent(id, read));
    *response.mutable_payment_intent() = ToProto(intent);
    response.set_say(IntentSay(intent, speaking));
    charge_id = intent.latest_charge;
    if (charge_id.empty()) co_return response;
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Charge charge,
                             co_await facts.GetCharge(charge_id, read));
  *response.mutable_charge() = ToProto(charge);
  if (!response.has_payment_intent()) response.set_say(PaymentSay(response.charge(), speaking));
  if (!charge.invoice.empty()) {
    // What the payment was for: the invoice's subscription.
    absl::StatusOr<stripe::Invoice> invoice = co_await facts.GetInvoice(charge.invoice, read);
    if (invoice.ok()) {
      response.set_subscription_id(invoice->subscription);
      *response.mutable_invoice() = ToProto(*invoice);
    }
  }
  co_return response;
}

Action<v1::FindDuplicateChargesResponse> ChargeActions::FindDuplicateCharges(
    v1::FindDuplicateChargesRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("find_duplicate_charges");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  if (request.window_seconds() < 0 || request.window_seconds() > 31 * 86400) {
    co_return absl::InvalidArgumentError("window_seconds must be 0 (one day) to 2678400 (31 days)");
  }
  const int64_t window = request.window_seconds() == 0 ? 86400 : request.window_seconds();
  stripe::ChargeFilter filter{.customer = request.customer_id(), .limit = 100};
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "find_duplicate_charges");
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await facts.ListCharges(std::move(filter), read));
  // Charges that went through and were not refunded, oldest first.
  std::vector<stripe::Charge> paid;
  for (stripe::Charge& charge : charges.data) {
    if (charge.status == "succeeded" && charge.amount_refunded < charge.amount) {
      paid.push_back(std::move(charge));
    }
  }
  std::stable_sort(paid.begin(), paid.end(), [](const stripe::Charge& a, const stripe::Charge& b) {
    return a.created < b.created;
  });
  std::vector<bool> grouped(paid.size(), false);
  v1::FindDuplicateChargesResponse response;
  for (size_t i = 0; i < paid.size(); ++i) {
    if (grouped[i]) continue;
    std::vector<size_t> members = {i};
    for (size_t j = i + 1; j < paid.size(); ++j) {
      const stripe::Charge& last = paid[members.back()];
      if (!grouped[j] && paid[j].amount == last.amount && paid[j].currency == last.currency &&
          paid[j].created - last.created <= window) {
        members.push_back(j);
      }
    }
    if (members.size() < 2) continue;
    v1::DuplicateGroup* group = response.add_groups();
    for (const size_t member : members) {
      grouped[member] = true;
      *group->add_charges() = ToProto(paid[member]);
    }
    group->set_refund_charge_id(paid[members.back()].id);
  }
  const Speaking speaking = env_.speaking();
  if (response.groups().empty()) {
    response.set_say("I don't see any duplicate charges on this account.");
  } else if (response.groups_size() == 1) {
    const v1::DuplicateGroup& group = response.groups(0);
    response.set_say(absl::StrCat(
        "I see ", group.charges_size(), " charges of ", group.charges(0).amount().display(), " on ",
        DatePhrase(absl::FromUnixSeconds(group.charges(0).created()), speaking.now, speaking.zone),
        ". I can refund the extra one."));
  } else {
    response.set_say(absl::StrCat("I see ", response.groups_size(),
                                  " sets of duplicate charges. I can refund the extra ones."));
  }
  co_return response;
}

}  // namespace payvox
