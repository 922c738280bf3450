// The emulator's payments side beyond customers, charges and refunds:
// customer updates and deletion, payment intents, charge search and capture,
// payment method detach, balance, balance transactions and events.
#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/money.h"
#include "sandbox/emulator.h"
#include "sandbox/search.h"
#include "sandbox/wire.h"

namespace payvox::sandbox {
namespace {

constexpr int64_t kMaxAmount = 99'999'999;

// A derived object with an id, for list pages.
struct Derived {
  std::string id;
  std::string json;
};

std::string MetadataValue(const Metadata& metadata, const SearchClause& clause) {
  auto it = metadata.find(clause.metadata_key);
  return it == metadata.end() ? std::string() : it->second;
}

FieldOf FieldsOf(const ChargeRecord& charge) {
  return [&charge](const SearchClause& clause) -> std::optional<std::string> {
    if (clause.field == "amount") return absl::StrCat(charge.amount);
    if (clause.field == "created") return absl::StrCat(charge.created);
    if (clause.field == "currency") return charge.currency;
    if (clause.field == "customer") return charge.customer;
    if (clause.field == "status") return charge.status;
    if (clause.field == "payment_intent") return charge.payment_intent;
    if (clause.field == "disputed") return charge.disputed ? "true" : "false";
    if (clause.field == "refunded") {
      return charge.amount_refunded == charge.amount ? "true" : "false";
    }
    return std::nullopt;
  };
}

FieldOf FieldsOf(const PaymentIntentRecord& intent) {
  return [&intent](const SearchClause& clause) -> std::optional<std::string> {
    if (clause.field == "amount") return absl::StrCat(intent.amount);
    if (clause.field == "created") return absl::StrCat(intent.created);
    if (clause.field == "currency") return intent.currency;
    if (clause.field == "customer") return intent.customer;
    if (clause.field == "status") return intent.status;
    if (clause.field == "metadata") return MetadataValue(intent.metadata, clause);
    return std::nullopt;
  };
}

// The test payment methods Stripe documents, by the decline they cause
// ("" for none).
std::optional<std::string> TestCardDecline(absl::string_view payment_method) {
  if (payment_method == "pm_card_visa" || payment_method == "pm_card_mastercard") return "";
  if (payment_method == "pm_card_chargeDeclined") return "generic_decline";
  if (payment_method == "pm_card_chargeDeclinedInsufficientFunds") return "insufficient_funds";
  if (payment_method == "pm_card_chargeDeclinedExpiredCard") return "expired_card";
  return std::nullopt;
}

}  // namespace

EmulatorResponse StripeEmulator::ChangeCustomer(const RouteMatch& match) {
  CustomerRecord* customer = FindMutable(customers_, match.ids[0]);
  if (!customer || customer->deleted) return NoSuch("customer", match.ids[0], "id");
  return UpdateCustomer(*customer, match.params);
}

EmulatorResponse StripeEmulator::DeleteCustomer(const RouteMatch& match) {
  CustomerRecord* customer = FindMutable(customers_, match.ids[0]);
  if (!customer || customer->deleted) return NoSuch("customer", match.ids[0], "id");
  if (!match.params.empty()) return UnknownParamError(match.params.entries().front().first);
  customer->deleted = true;
  RecordEvent("customer.deleted", ToJson(*customer));
  return Json(200, ToJson(*customer));
}

EmulatorResponse StripeEmulator::RetrievePaymentIntent(const RouteMatch& match) {
  const PaymentIntentRecord* intent = FindById(intents_, match.ids[0]);
  return intent ? Json(200, ToJson(*intent)) : NoSuch("payment_intent", match.ids[0], "intent");
}

EmulatorResponse StripeEmulator::ActOnPaymentIntent(const RouteMatch& match) {
  PaymentIntentRecord* intent = FindMutable(intents_, match.ids[0]);
  if (!intent) return NoSuch("payment_intent", match.ids[0], "intent");
  const std::string& verb = match.ids[1];
  if (verb == "confirm") return ConfirmPaymentIntent(*intent, match.params);
  if (verb == "cancel") return CancelPaymentIntent(*intent, match.params);
  if (verb == "capture") return CapturePaymentIntent(*intent, match.params);
  return Error(404, "invalid_request_error",
               absl::StrCat("Unrecognized request URL (POST: /v1/payment_intents/", match.ids[0],
                            "/", verb, ")."));
}

EmulatorResponse StripeEmulator::CaptureChargeById(const RouteMatch& match) {
  ChargeRecord* charge = FindMutable(charges_, match.ids[0]);
  if (!charge) return NoSuch("charge", match.ids[0], "charge");
  return CaptureCharge(*charge, match.params);
}

EmulatorResponse StripeEmulator::DetachPaymentMethod(const RouteMatch& match) {
  CardRecord* card = FindMutable(cards_, match.ids[0]);
  if (!card) return NoSuch("PaymentMethod", match.ids[0], "payment_method");
  if (!match.params.empty()) return UnknownParamError(match.params.entries().front().first);
  if (card->customer.empty()) {
    return InvalidRequest(
        "The payment method you provided is not attached to a customer so detachment is "
        "impossible.",
        "payment_method_unexpected_state", "payment_method");
  }
  card->customer.clear();
  RecordEvent("payment_method.detached", ToJson(*card));
  return Json(200, ToJson(*card));
}

EmulatorResponse StripeEmulator::GetBalance(const RouteMatch&) { return Balance(); }

EmulatorResponse StripeEmulator::ListBalanceTransactions(const RouteMatch& match) {
  const Params& params = match.params;
  if (auto unknown = UnknownParam(params, {"type", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  std::vector<Derived> derived;
  for (auto& [id, json] : BalanceTransactions(params.Find("type").value_or(""))) {
    derived.push_back({std::move(id), std::move(json)});
  }
  std::vector<const Derived*> page;
  for (const Derived& txn : derived) page.push_back(&txn);
  return ListEnvelope("/v1/balance_transactions", "balance transaction", page, params,
                      [](const Derived& txn) { return txn.json; });
}

EmulatorResponse StripeEmulator::RetrieveBalanceTransaction(const RouteMatch& match) {
  for (auto& [id, json] : BalanceTransactions("")) {
    if (id == match.ids[0]) return Json(200, json);
  }
  return NoSuch("balance transaction", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::RetrieveEvent(const RouteMatch& match) {
  const EventRecord* event = FindById(events_, match.ids[0]);
  return event ? Json(200, ToJson(*event)) : NoSuch("event", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::UpdateCustomer(CustomerRecord& customer, const Params& params) {
  if (auto unknown = UnknownParam(params, {"email", "name", "phone", "description"}, true)) {
    return UnknownParamError(*unknown);
  }
  if (auto email = params.Find("email")) {
    if (!email->empty() && email->find('@') == absl::string_view::npos) {
      return InvalidRequest("Invalid email address.", "email_invalid", "email");
    }
    customer.email = std::string(*email);
  }
  if (auto name = params.Find("name")) customer.name = std::string(*name);
  if (auto phone = params.Find("phone")) customer.phone = std::string(*phone);
  if (auto description = params.Find("description")) {
    customer.description = std::string(*description);
  }
  // An empty value removes the key, as in Stripe.
  for (auto& [key, value] : ReadMetadata(params)) {
    if (value.empty()) {
      customer.metadata.erase(key);
    } else {
      customer.metadata[key] = value;
    }
  }
  RecordEvent("customer.updated", ToJson(customer));
  return Json(200, ToJson(customer));
}

EmulatorResponse StripeEmulator::CreatePaymentIntent(const Params& params) {
  if (auto unknown = UnknownParam(
          params,
          {"amount", "currency", "customer", "description", "payment_method", "confirm",
           "capture_method", "payment_method_types[]", "payment_method_types[0]"},
          true)) {
    return UnknownParamError(*unknown);
  }
  PaymentIntentRecord intent;
  if (!params.Find("amount")) return MissingParam("amount");
  if (auto error = ParseInt(params, "amount", 1, kMaxAmount, intent.amount)) return *error;
  auto currency = params.Find("currency");
  if (!currency) return MissingParam("currency");
  if (!StripeCurrency(*currency)) {
    return InvalidRequest(absl::StrCat("Invalid currency: ", *currency), "", "currency");
  }
  intent.currency = std::string(*currency);
  if (auto customer = params.Find("customer")) {
    const CustomerRecord* record = FindById(customers_, *customer);
    if (!record || record->deleted) return NoSuch("customer", *customer, "customer");
    intent.customer = std::string(*customer);
  }
  if (auto error = OneOf(params, "capture_method", {"automatic", "manual"})) return *error;
  intent.capture_method = std::string(params.Find("capture_method").value_or("automatic"));
  bool confirm = false;
  if (auto error = ParseBool(params, "confirm", confirm)) return *error;
  intent.description = std::string(params.Find("description").value_or(""));
  intent.payment_method = std::string(params.Find("payment_method").value_or(""));
  intent.metadata = ReadMetadata(params);
  intent.created = absl::ToUnixSeconds(clock_.Now());
  intent.id = NewId("pi_");
  if (!intent.payment_method.empty()) intent.status = "requires_confirmation";
  intents_.push_back(intent);
  RecordEvent("payment_intent.created", ToJson(intent));
  if (confirm) return ConfirmPaymentIntent(intents_.back(), Params());
  return Json(200, ToJson(intent));
}

EmulatorResponse StripeEmulator::ListPaymentIntents(const Params& params) {
  if (auto unknown = UnknownParam(params, {"customer", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  const auto customer = params.Find("customer");
  std::vector<const PaymentIntentRecord*> matches;
  for (auto it = intents_.rbegin(); it != intents_.rend(); ++it) {
    if (!customer || it->customer == *customer) matches.push_back(&*it);
  }
  return ListEnvelope("/v1/payment_intents", "payment_intent", matches, params);
}

EmulatorResponse StripeEmulator::SearchPaymentIntents(const Params& params) {
  return SearchRecords(
      params, "payment intents", {"amount", "created", "currency", "customer", "status"}, intents_,
      [](const PaymentIntentRecord& i) { return FieldsOf(i); },
      [](const PaymentIntentRecord&) { return false; });
}

EmulatorResponse StripeEmulator::ConfirmPaymentIntent(PaymentIntentRecord& intent,
                                                      const Params& params) {
  if (auto unknown = UnknownParam(params, {"payment_method"})) return UnknownParamError(*unknown);
  if (intent.status != "requires_payment_method" && intent.status != "requires_confirmation") {
    return InvalidRequest(
        absl::StrCat("You cannot confirm this PaymentIntent because it has a status of ",
                     intent.status, "."),
        "payment_intent_unexpected_state", "intent");
  }
  if (auto method = params.Find("payment_method")) intent.payment_method = std::string(*method);
  if (intent.payment_method.empty()) {
    return InvalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method.",
        "payment_intent_unexpected_state", "payment_method");
  }
  ChargeRecord charge;
  charge.card = CardRecord{intent.payment_method, intent.customer, "visa", "4242", 12, 2030, 0};
  std::optional<std::string> decline = TestCardDecline(intent.payment_method);
  if (!decline.has_value()) {
    const CardRecord* card = FindById(cards_, intent.payment_method);
    if (!card) return NoSuch("PaymentMethod", intent.payment_method, "payment_method");
    if (card->customer != intent.customer) {
      return InvalidRequest(
          "The provided PaymentMethod belongs to another customer or to none; attach it to this "
          "PaymentIntent's customer first.",
          "", "payment_method");
    }
    charge.card = *card;
    decline = "";
  }
  if (intent.payment_method == "pm_card_mastercard") charge.card.brand = "mastercard";
  charge.id = NewId("ch_");
  charge.customer = intent.customer;
  charge.amount = intent.amount;
  charge.currency = intent.currency;
  charge.description = intent.description;
  charge.payment_intent = intent.id;
  charge.payment_method = intent.payment_method;
  charge.created = absl::ToUnixSeconds(clock_.Now());
  intent.latest_charge = charge.id;
  if (!decline->empty()) {
    charge.status = "failed";
    charge.failure_code = *decline == "expired_card" ? "expired_card" : "card_declined";
    charge.decline_code = *decline;
    charge.failure_message = "Your card was declined.";
    charges_.push_back(charge);
    intent.status = "requires_payment_method";
    intent.last_error_code = charge.failure_code;
    intent.last_decline_code = *decline;
    intent.last_error_message = charge.failure_message;
    RecordEvent("charge.failed", ToJson(charge));
    RecordEvent("payment_intent.payment_failed", ToJson(intent));
    JsonWriter json;
    json.BeginObject()
        .Key("error")
        .BeginObject()
        .Field("charge", charge.id)
        .Field("code", charge.failure_code)
        .Field("decline_code", *decline)
        .Field("message", charge.failure_message)
        .Key("payment_intent")
        .Raw(ToJson(intent))
        .Field("type", "card_error")
        .EndObject()
        .EndObject();
    return Json(402, json.Take());
  }
  charge.status = "succeeded";
  charge.captured = intent.capture_method == "automatic";
  charges_.push_back(charge);
  intent.last_error_code.clear();
  intent.last_decline_code.clear();
  intent.last_error_message.clear();
  if (charge.captured) {
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    RecordEvent("charge.succeeded", ToJson(charge));
    RecordEvent("payment_intent.succeeded", ToJson(intent));
  } else {
    intent.status = "requires_capture";
    RecordEvent("payment_intent.amount_capturable_updated", ToJson(intent));
  }
  return Json(200, ToJson(intent));
}

EmulatorResponse StripeEmulator::CancelPaymentIntent(PaymentIntentRecord& intent,
                                                     const Params& params) {
  if (auto unknown = UnknownParam(params, {"cancellation_reason"})) {
    return UnknownParamError(*unknown);
  }
  if (auto error = OneOf(params, "cancellation_reason",
                         {"duplicate", "fraudulent", "requested_by_customer", "abandoned"})) {
    return *error;
  }
  static constexpr absl::string_view kCancelable[] = {"requires_payment_method", "requires_capture",
                                                      "requires_confirmation", "requires_action",
                                                      "processing"};
  if (std::find(std::begin(kCancelable), std::end(kCancelable), intent.status) ==
      std::end(kCancelable)) {
    return InvalidRequest(
        absl::StrCat("You cannot cancel this PaymentIntent because it has a status of ",
                     intent.status,
                     ". Only a PaymentIntent with one of the following statuses may be canceled: "
                     "requires_payment_method, requires_capture, requires_confirmation, "
                     "requires_action, processing."),
        "payment_intent_unexpected_state", "intent");
  }
  intent.status = "canceled";
  intent.cancellation_reason = std::string(params.Find("cancellation_reason").value_or(""));
  RecordEvent("payment_intent.canceled", ToJson(intent));
  return Json(200, ToJson(intent));
}

EmulatorResponse StripeEmulator::CapturePaymentIntent(PaymentIntentRecord& intent,
                                                      const Params& params) {
  if (auto unknown = UnknownParam(params, {"amount_to_capture"})) {
    return UnknownParamError(*unknown);
  }
  if (intent.status != "requires_capture") {
    return InvalidRequest(
        absl::StrCat("This PaymentIntent could not be captured because it has a status of ",
                     intent.status,
                     ". Only a PaymentIntent with one of the following statuses "
                     "may be captured: requires_capture."),
        "payment_intent_unexpected_state", "intent");
  }
  int64_t amount = intent.amount;
  if (auto error = ParseInt(params, "amount_to_capture", 1, intent.amount, amount)) return *error;
  ChargeRecord* charge = FindMutable(charges_, intent.latest_charge);
  if (charge) {
    charge->captured = true;
    charge->amount_refunded = intent.amount - amount;
    RecordEvent("charge.captured", ToJson(*charge));
  }
  intent.status = "succeeded";
  intent.amount_received = amount;
  RecordEvent("payment_intent.succeeded", ToJson(intent));
  return Json(200, ToJson(intent));
}

EmulatorResponse StripeEmulator::SearchCharges(const Params& params) {
  return SearchRecords(
      params, "charges",
      {"amount", "created", "currency", "customer", "status", "payment_intent", "disputed",
       "refunded"},
      charges_, [](const ChargeRecord& c) { return FieldsOf(c); },
      [](const ChargeRecord&) { return false; });
}

EmulatorResponse StripeEmulator::CaptureCharge(ChargeRecord& charge, const Params& params) {
  if (auto unknown = UnknownParam(params, {"amount"})) return UnknownParamError(*unknown);
  if (charge.status != "succeeded") {
    return InvalidRequest(absl::StrCat("Charge ", charge.id, " has failed and cannot be captured."),
                          "charge_expired_for_capture", "charge");
  }
  if (charge.captured) {
    return InvalidRequest(absl::StrCat("Charge ", charge.id, " has already been captured."),
                          "charge_already_captured", "charge");
  }
  int64_t amount = charge.amount;
  if (auto error = ParseInt(params, "amount", 1, charge.amount, amount)) return *error;
  charge.captured = true;
  charge.amount_refunded = charge.amount - amount;
  if (PaymentIntentRecord* intent = FindMutable(intents_, charge.payment_intent)) {
    intent->status = "succeeded";
    intent->amount_received = amount;
  }
  RecordEvent("charge.captured", ToJson(charge));
  return Json(200, ToJson(charge));
}

EmulatorResponse StripeEmulator::Balance() {
  std::map<std::string, int64_t> available;
  available["usd"] = 0;
  for (const ChargeRecord& charge : charges_) {
    if (charge.status == "succeeded" && charge.captured) {
      available[charge.currency] += charge.amount - charge.amount_refunded;
    }
  }
  JsonWriter json;
  json.BeginObject().Field("object", "balance").Key("available").BeginArray();
  for (const auto& [currency, amount] : available) {
    json.BeginObject().Field("amount", amount).Field("currency", currency).EndObject();
  }
  json.EndArray().Field("livemode", false).Key("pending").BeginArray();
  json.BeginObject().Field("amount", 0).Field("currency", "usd").EndObject();
  json.EndArray().EndObject();
  return Json(200, json.Take());
}

std::vector<std::pair<std::string, std::string>> StripeEmulator::BalanceTransactions(
    absl::string_view type) {
  struct Entry {
    int64_t created;
    std::string id;
    std::string json;
  };
  std::vector<Entry> entries;
  auto add = [&](absl::string_view id, absl::string_view txn_type, int64_t amount, int64_t fee,
                 absl::string_view currency, absl::string_view description, int64_t created) {
    if (!type.empty() && type != txn_type) return;
    const std::string txn_id = absl::StrCat("txn_", id);
    JsonWriter json;
    json.BeginObject()
        .Field("id", txn_id)
        .Field("object", "balance_transaction")
        .Field("amount", amount)
        .Field("available_on", created + 2 * 86400)
        .Field("created", created)
        .Field("currency", currency)
        .NullableField("description", description)
        .Field("fee", fee)
        .Field("net", amount - fee)
        .Field("source", id)
        .Field("status", "available")
        .Field("type", txn_type)
        .EndObject();
    entries.push_back({created, txn_id, json.Take()});
  };
  for (const ChargeRecord& charge : charges_) {
    if (charge.status != "succeeded" || !charge.captured) continue;
    // Stripe's US card pricing: 2.9% + 30 cents (in the charge's currency
    // here, for simplicity).
    const int64_t fee =
        charge.amount * 29 / 1000 + (CurrencyExponent(charge.currency) == 0 ? 0 : 30);
    add(charge.id, "charge", charge.amount, fee, charge.currency, charge.description,
        charge.created);
  }
  for (const RefundRecord& refund : refunds_) {
    add(refund.id, "refund", -refund.amount, 0, refund.currency, "REFUND FOR CHARGE",
        refund.created);
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.created > b.created; });
  std::vector<std::pair<std::string, std::string>> out;
  for (Entry& entry : entries) out.emplace_back(std::move(entry.id), std::move(entry.json));
  return out;
}

EmulatorResponse StripeEmulator::ListEvents(const Params& params) {
  if (auto unknown = UnknownParam(params, {"type", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  // "charge.*" matches every charge event, as in Stripe.
  const absl::string_view type = params.Find("type").value_or("");
  const bool wildcard = absl::EndsWith(type, ".*");
  std::vector<const EventRecord*> matches;
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    const bool hit = type.empty() || it->type == type ||
                     (wildcard && absl::StartsWith(it->type, type.substr(0, type.size() - 1)));
    if (hit) matches.push_back(&*it);
  }
  return ListEnvelope("/v1/events", "event", matches, params);
}

}  // namespace payvox::sandbox
