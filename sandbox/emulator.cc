#include "sandbox/emulator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/json_writer.h"
#include "common/money.h"
#include "sandbox/search.h"
#include "sandbox/wire.h"

namespace payvox::sandbox {

StripeEmulator::StripeEmulator(const Clock& clock, EmulatorOptions options)
    : clock_(clock), ids_(options.id_seed != 0 ? options.id_seed : std::random_device{}()) {}

std::string StripeEmulator::NewId(absl::string_view prefix) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id(prefix);
  for (int i = 0; i < 24; ++i) id.push_back(kAlphabet[ids_() % 62]);
  return id;
}

void StripeEmulator::AddCustomer(CustomerRecord customer) {
  std::lock_guard<std::mutex> lock(mu_);
  customers_.push_back(std::move(customer));
}

void StripeEmulator::AddCard(CardRecord card) {
  std::lock_guard<std::mutex> lock(mu_);
  cards_.push_back(std::move(card));
}

void StripeEmulator::AddCharge(ChargeRecord charge) {
  std::lock_guard<std::mutex> lock(mu_);
  charges_.push_back(std::move(charge));
}

void StripeEmulator::AddPaymentIntent(PaymentIntentRecord intent) {
  std::lock_guard<std::mutex> lock(mu_);
  intents_.push_back(std::move(intent));
}

void StripeEmulator::AddProduct(ProductRecord product) {
  std::lock_guard<std::mutex> lock(mu_);
  products_.push_back(std::move(product));
}

void StripeEmulator::AddPrice(PriceRecord price) {
  std::lock_guard<std::mutex> lock(mu_);
  prices_.push_back(std::move(price));
}

void StripeEmulator::AddSubscription(SubscriptionRecord subscription) {
  std::lock_guard<std::mutex> lock(mu_);
  subscriptions_.push_back(std::move(subscription));
}

void StripeEmulator::AddInvoice(InvoiceRecord invoice) {
  std::lock_guard<std::mutex> lock(mu_);
  invoices_.push_back(std::move(invoice));
}

void StripeEmulator::RecordEvent(absl::string_view type, std::string object_json) {
  events_.push_back(EventRecord{NewId("evt_"), std::string(type), absl::ToUnixSeconds(clock_.Now()),
                                std::move(object_json)});
  QueueDeliveries(events_.back());
}

std::string ApiKeyOf(absl::string_view authorization) {
  // "Bearer <key>" or HTTP Basic with the key as user name.
  if (absl::StartsWith(authorization, "Bearer ")) return std::string(authorization.substr(7));
  std::string decoded;
  if (absl::StartsWith(authorization, "Basic ") &&
      absl::Base64Unescape(authorization.substr(6), &decoded)) {
    return decoded.substr(0, decoded.find(':'));
  }
  return "";
}

EmulatorResponse SandboxAccounts::Handle(const EmulatorRequest& request) {
  const std::string key = ApiKeyOf(request.authorization);
  std::string name;
  for (absl::string_view prefix : {"sk_test_tenant_", "rk_test_tenant_"}) {
    if (absl::StartsWith(key, prefix)) {
      name = key.substr(prefix.size());
      name = name.substr(0, name.find('_'));
    }
  }
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c));
      })) {
    return primary_.Handle(request);
  }
  StripeEmulator* account = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(name);
    if (it == accounts_.end()) {
      if (accounts_.size() >= 100) {
        return EmulatorResponse{
            .status = 400,
            .body =
                R"({"error":{"type":"invalid_request_error","message":"The sandbox holds at most 100 tenant accounts."}})"};
      }
      it = accounts_
               .emplace(name, std::make_unique<StripeEmulator>(primary_.clock(), EmulatorOptions{}))
               .first;
    }
    account = it->second.get();
  }
  return account->Handle(request);
}

EmulatorResponse StripeEmulator::Handle(const EmulatorRequest& request) {
  requests_handled_.fetch_add(1);
  const std::string key = ApiKeyOf(request.authorization);
  if (key.empty()) {
    return Error(401, "invalid_request_error",
                 "You did not provide an API key. Provide it in the Authorization header as "
                 "'Bearer sk_test_...'.");
  }
  if (absl::StartsWith(key, "pk_")) {
    return Error(401, "invalid_request_error",
                 "This API call cannot be made with a publishable API key. Please use a secret "
                 "API key.");
  }
  if (!absl::StartsWith(key, "sk_test_") && !absl::StartsWith(key, "rk_test_")) {
    return Error(401, "invalid_request_error",
                 "The payvox sandbox accepts test keys only (sk_test_... or rk_test_...).");
  }

  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const absl::string_view query = question == std::string::npos
                                      ? absl::string_view()
                                      : absl::string_view(request.target).substr(question + 1);
  const bool is_post = request.method == "POST";
  absl::StatusOr<FormParams> params = ParseForm(is_post ? request.body : std::string(query));
  if (!params.ok()) return InvalidRequest(params.status().message());
  const std::vector<std::string> segments = absl::StrSplit(path, '/', absl::SkipEmpty());
  // Restricted keys: "rk_test_<name>_deny_<resource>.<resource>" lacks the
  // permissions for those resources (for tests of permission reporting).
  if (const size_t deny = key.find("_deny_");
      absl::StartsWith(key, "rk_test_") && deny != std::string::npos && segments.size() >= 2) {
    const std::vector<std::string> denied =
        absl::StrSplit(key.substr(deny + 6), '.', absl::SkipEmpty());
    if (std::find(denied.begin(), denied.end(), segments[1]) != denied.end()) {
      return Error(403, "invalid_request_error",
                   absl::StrCat("The provided key 'rk_test_***' does not have the required "
                                "permissions for this endpoint. Having the 'rak_",
                                segments[1],
                                "_read' permission would allow this request to "
                                "continue."));
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  const std::string saved_key = is_post && !request.idempotency_key.empty()
                                    ? absl::StrCat(key, "\n", request.idempotency_key)
                                    : "";
  const std::string fingerprint = absl::StrCat(request.method, " ", path, "\n", request.body);
  if (!saved_key.empty()) {
    if (auto it = idempotency_.find(saved_key); it != idempotency_.end()) {
      if (it->second.fingerprint != fingerprint) {
        return Error(400, "idempotency_error",
                     absl::StrCat("Keys for idempotent requests can only be used with the same "
                                  "parameters they were first used with. Try using a key other "
                                  "than '",
                                  request.idempotency_key,
                                  "' if you meant to execute a different request."));
      }
      EmulatorResponse replay = it->second.response;
      replay.headers.emplace_back("Idempotent-Replayed", "true");
      return replay;
    }
  }
  EmulatorResponse response = Route(request.method, segments, *params);
  response.headers.emplace_back("Request-Id", NewId("req_"));
  if (!saved_key.empty()) idempotency_[saved_key] = SavedAnswer{fingerprint, response};
  return response;
}

EmulatorResponse StripeEmulator::Route(const std::string& method,
                                       const std::vector<std::string>& path, const Params& params) {
  for (const RouteEntry& route : Routes()) {
    if (route.method != method) continue;
    RouteMatch match{.ids = {}, .params = params};
    size_t segment = 0;
    bool matched = true;
    for (const absl::string_view part : absl::StrSplit(
             absl::string_view(route.pattern.data() + 1, route.pattern.size() - 1), '/')) {
      if (segment >= path.size()) {
        matched = false;
        break;
      }
      if (part == "{}") {
        match.ids.push_back(path[segment]);
      } else if (part != path[segment]) {
        matched = false;
        break;
      }
      ++segment;
    }
    if (matched && segment == path.size()) return (this->*route.handler)(match);
  }
  return Error(
      404, "invalid_request_error",
      absl::StrCat("Unrecognized request URL (", method, ": /", absl::StrJoin(path, "/"), ")."));
}

EmulatorResponse StripeEmulator::RetrieveCustomer(const RouteMatch& match) {
  const CustomerRecord* customer = FindById(customers_, match.ids[0]);
  return customer ? Json(200, ToJson(*customer)) : NoSuch("customer", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::ListCustomerCards(const RouteMatch& match) {
  return ListCards(match.ids[0], match.params);
}

EmulatorResponse StripeEmulator::ListPaymentMethods(const RouteMatch& match) {
  auto customer = match.params.Find("customer");
  if (!customer) {
    return InvalidRequest("Missing required param: customer.", "parameter_missing", "customer");
  }
  return ListCards(std::string(*customer), match.params);
}

EmulatorResponse StripeEmulator::RetrievePaymentMethod(const RouteMatch& match) {
  const CardRecord* card = FindById(cards_, match.ids[0]);
  return card ? Json(200, ToJson(*card)) : NoSuch("PaymentMethod", match.ids[0], "payment_method");
}

EmulatorResponse StripeEmulator::RetrieveCharge(const RouteMatch& match) {
  const ChargeRecord* charge = FindById(charges_, match.ids[0]);
  return charge ? Json(200, ToJson(*charge)) : NoSuch("charge", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::RetrieveRefund(const RouteMatch& match) {
  const RefundRecord* refund = FindById(refunds_, match.ids[0]);
  return refund ? Json(200, ToJson(*refund)) : NoSuch("refund", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::ListCustomers(const Params& params) {
  if (auto unknown = UnknownParam(params, {"email", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  const auto email = params.Find("email");
  std::vector<const CustomerRecord*> matches;
  for (auto it = customers_.rbegin(); it != customers_.rend(); ++it) {
    if (!it->deleted && (!email || it->email == *email)) matches.push_back(&*it);
  }
  return ListEnvelope("/v1/customers", "customer", matches, params);
}

EmulatorResponse StripeEmulator::SearchCustomers(const Params& params) {
  return SearchRecords(
      params, "customers", {"email", "name", "phone", "description"}, customers_,
      [](const CustomerRecord& c) { return FieldsOf(c); },
      [](const CustomerRecord& c) { return c.deleted; });
}

EmulatorResponse StripeEmulator::CreateCustomer(const Params& params) {
  if (auto unknown = UnknownParam(params, {"email", "name", "phone", "description"}, true)) {
    return UnknownParamError(*unknown);
  }
  CustomerRecord customer;
  customer.id = NewId("cus_");
  customer.email = std::string(params.Find("email").value_or(""));
  if (!customer.email.empty() && customer.email.find('@') == std::string::npos) {
    return InvalidRequest("Invalid email address.", "email_invalid", "email");
  }
  customer.name = std::string(params.Find("name").value_or(""));
  customer.phone = std::string(params.Find("phone").value_or(""));
  customer.description = std::string(params.Find("description").value_or(""));
  customer.metadata = ReadMetadata(params);
  customer.created = absl::ToUnixSeconds(clock_.Now());
  customers_.push_back(customer);
  return Json(200, ToJson(customer));
}

EmulatorResponse StripeEmulator::ListCards(const std::string& customer, const Params& params) {
  if (auto unknown = UnknownParam(params, {"type", "limit", "starting_after", "customer"})) {
    return UnknownParamError(*unknown);
  }
  if (!FindById(customers_, customer)) return NoSuch("customer", customer, "customer");
  if (auto type = params.Find("type"); type && *type != "card") {
    return Json(200, R"({"object":"list","data":[],"has_more":false,"url":"/v1/payment_methods"})");
  }
  std::vector<const CardRecord*> matches;
  for (auto it = cards_.rbegin(); it != cards_.rend(); ++it) {
    if (it->customer == customer) matches.push_back(&*it);
  }
  return ListEnvelope("/v1/payment_methods", "PaymentMethod", matches, params);
}

EmulatorResponse StripeEmulator::ListCharges(const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"customer", "payment_intent", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  const auto customer = params.Find("customer");
  const auto intent = params.Find("payment_intent");
  std::vector<const ChargeRecord*> matches;
  for (auto it = charges_.rbegin(); it != charges_.rend(); ++it) {
    if (customer && it->customer != *customer) continue;
    if (intent && it->payment_intent != *intent) continue;
    matches.push_back(&*it);
  }
  return ListEnvelope("/v1/charges", "charge", matches, params);
}

EmulatorResponse StripeEmulator::ListRefunds(const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"charge", "payment_intent", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  const auto charge = params.Find("charge");
  const auto intent = params.Find("payment_intent");
  std::vector<const RefundRecord*> matches;
  for (auto it = refunds_.rbegin(); it != refunds_.rend(); ++it) {
    if (charge && it->charge != *charge) continue;
    if (intent && it->payment_intent != *intent) continue;
    matches.push_back(&*it);
  }
  return ListEnvelope("/v1/refunds", "refund", matches, params);
}

EmulatorResponse StripeEmulator::CreateRefund(const Params& params) {
  if (auto unknown = UnknownParam(params, {"charge", "payment_intent", "amount", "reason"}, true)) {
    return UnknownParamError(*unknown);
  }
  const auto charge_id = params.Find("charge");
  const auto intent_id = params.Find("payment_intent");
  if (!charge_id && !intent_id) {
    return InvalidRequest("One of `charge` or `payment_intent` is required.", "parameter_missing",
                          "charge");
  }
  ChargeRecord* charge = nullptr;
  for (ChargeRecord& candidate : charges_) {
    if ((charge_id && candidate.id == *charge_id) ||
        (!charge_id && candidate.payment_intent == *intent_id)) {
      charge = &candidate;
    }
  }
  if (!charge) {
    return charge_id ? NoSuch("charge", *charge_id, "charge")
                     : NoSuch("payment_intent", *intent_id, "payment_intent");
  }
  if (charge_id && intent_id && charge->payment_intent != *intent_id) {
    return InvalidRequest("The charge does not belong to that payment_intent.", "",
                          "payment_intent");
  }
  const auto reason = params.Find("reason");
  if (reason && *reason != "duplicate" && *reason != "fraudulent" &&
      *reason != "requested_by_customer") {
    return InvalidRequest(
        "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "",
        "reason");
  }
  if (charge->status != "succeeded") {
    return InvalidRequest(
        absl::StrCat("Charge ", charge->id, " cannot be refunded because it did not succeed."),
        "charge_not_refundable", "charge");
  }
  const int64_t remaining = charge->amount - charge->amount_refunded;
  if (remaining <= 0) {
    return InvalidRequest(absl::StrCat("Charge ", charge->id, " has already been refunded."),
                          "charge_already_refunded", "charge");
  }
  int64_t amount = remaining;
  if (auto text = params.Find("amount")) {
    if (!absl::SimpleAtoi(*text, &amount)) {
      return InvalidRequest(absl::StrCat("Invalid integer: ", *text), "parameter_invalid_integer",
                            "amount");
    }
    if (amount <= 0) {
      return InvalidRequest("Refund amount must be a positive integer.", "amount_too_small",
                            "amount");
    }
    if (amount > remaining) {
      return InvalidRequest(absl::StrCat("Refund amount (", FormatMoney(amount, charge->currency),
                                         ") is greater than unrefunded amount on charge (",
                                         FormatMoney(remaining, charge->currency), ")"),
                            "amount_too_large", "amount");
    }
  }
  RefundRecord refund;
  refund.id = NewId("re_");
  refund.charge = charge->id;
  refund.payment_intent = charge->payment_intent;
  refund.amount = amount;
  refund.currency = charge->currency;
  refund.reason = std::string(reason.value_or(""));
  refund.created = absl::ToUnixSeconds(clock_.Now());
  refund.metadata = ReadMetadata(params);
  charge->amount_refunded += amount;
  refunds_.push_back(refund);
  RecordEvent("charge.refunded", ToJson(*charge));
  return Json(200, ToJson(refund));
}

}  // namespace payvox::sandbox
