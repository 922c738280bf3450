// The emulator's subscriptions and invoices: their lifecycle, prorations,
// invoice items and the upcoming invoice.
#include <algorithm>
#include <cmath>

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

int64_t IntervalSeconds(const PriceRecord& price) {
  const int64_t day = 86400;
  int64_t unit = 30 * day;
  if (price.interval == "day") unit = day;
  if (price.interval == "week") unit = 7 * day;
  if (price.interval == "year") unit = 365 * day;
  return unit * std::max<int64_t>(1, price.interval_count);
}

FieldOf FieldsOf(const SubscriptionRecord& subscription) {
  return [&subscription](const SearchClause& clause) -> std::optional<std::string> {
    if (clause.field == "created") return absl::StrCat(subscription.created);
    if (clause.field == "customer") return subscription.customer;
    if (clause.field == "status") return subscription.status;
    if (clause.field == "metadata") {
      auto it = subscription.metadata.find(clause.metadata_key);
      if (it != subscription.metadata.end()) return it->second;
    }
    return std::nullopt;
  };
}

FieldOf FieldsOf(const InvoiceRecord& invoice) {
  return [&invoice](const SearchClause& clause) -> std::optional<std::string> {
    if (clause.field == "created") return absl::StrCat(invoice.created);
    if (clause.field == "currency") return invoice.currency;
    if (clause.field == "customer") return invoice.customer;
    if (clause.field == "number") return invoice.number;
    if (clause.field == "status") return invoice.status;
    if (clause.field == "subscription") return invoice.subscription;
    if (clause.field == "total") return absl::StrCat(invoice.Total());
    if (clause.field == "metadata") {
      auto it = invoice.metadata.find(clause.metadata_key);
      if (it != invoice.metadata.end()) return it->second;
    }
    return std::nullopt;
  };
}

// ProrationLines: the credit for the unused time on the current price and
// the charge for the remaining time on the new one, by the share of the
// period left at `proration_date`, so the preview and the change agree.
std::vector<InvoiceLineRecord> ProrationLines(const SubscriptionRecord& subscription,
                                              const PriceRecord& old_price,
                                              const PriceRecord& new_price, int64_t quantity,
                                              int64_t proration_date) {
  const int64_t end = subscription.current_period_end;
  const double left =
      static_cast<double>(end - proration_date) /
      static_cast<double>(std::max<int64_t>(1, end - subscription.current_period_start));
  return {{"", -std::llround(old_price.unit_amount * subscription.quantity * left),
           old_price.currency, "Unused time on the previous plan", subscription.quantity,
           old_price.id, proration_date, end, true},
          {"", std::llround(new_price.unit_amount * quantity * left), new_price.currency,
           "Remaining time on the new plan", quantity, new_price.id, proration_date, end, true}};
}

}  // namespace

std::string StripeEmulator::SubscriptionJson(const SubscriptionRecord& subscription) const {
  const PriceRecord* price = FindById(prices_, subscription.price);
  return ToJson(subscription, price ? *price : PriceRecord{.id = subscription.price});
}

EmulatorResponse StripeEmulator::SearchSubscriptions(const Params& params) {
  return SearchRecords(
      params, "subscriptions", {"created", "customer", "status"}, subscriptions_,
      [](const SubscriptionRecord& record) { return FieldsOf(record); },
      [](const SubscriptionRecord&) { return false; },
      [this](const SubscriptionRecord& record)
          ABSL_NO_THREAD_SAFETY_ANALYSIS { return SubscriptionJson(record); });
}

EmulatorResponse StripeEmulator::ListSubscriptions(const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"customer", "status", "price", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  if (auto error = OneOf(params, "status",
                         {"active", "all", "canceled", "ended", "incomplete", "incomplete_expired",
                          "past_due", "paused", "trialing", "unpaid"})) {
    return *error;
  }
  const auto customer = params.Find("customer");
  const auto price = params.Find("price");
  // Without a status filter, canceled subscriptions are left out.
  const absl::string_view status = params.Find("status").value_or("");
  std::vector<const SubscriptionRecord*> matches;
  for (auto it = subscriptions_.rbegin(); it != subscriptions_.rend(); ++it) {
    if (customer && it->customer != *customer) continue;
    if (price && it->price != *price) continue;
    if (status.empty() && it->status == "canceled") continue;
    if (!status.empty() && status != "all" && it->status != status &&
        !(status == "ended" && it->status == "canceled")) {
      continue;
    }
    matches.push_back(&*it);
  }
  return ListEnvelope("/v1/subscriptions", "subscription", matches, params,
                      [this](const SubscriptionRecord& record)
                          ABSL_NO_THREAD_SAFETY_ANALYSIS { return SubscriptionJson(record); });
}

EmulatorResponse StripeEmulator::CreateSubscription(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"customer", "items[0][price]", "items[0][quantity]",
                                   "cancel_at_period_end", "description"},
                                  true)) {
    return UnknownParamError(*unknown);
  }
  SubscriptionRecord subscription;
  auto customer = params.Find("customer");
  if (!customer) return MissingParam("customer");
  const CustomerRecord* owner = FindById(customers_, *customer);
  if (!owner || owner->deleted) return NoSuch("customer", *customer, "customer");
  subscription.customer = std::string(*customer);
  auto price_id = params.Find("items[0][price]");
  if (!price_id) return MissingParam("items[0][price]");
  const PriceRecord* price = FindById(prices_, *price_id);
  if (!price) return NoSuch("price", *price_id, "items[0][price]");
  if (price->interval.empty()) {
    return InvalidRequest(
        "The price specified is set to `type=one_time` but this field only accepts prices with "
        "`type=recurring`.",
        "", "items[0][price]");
  }
  subscription.price = price->id;
  if (auto error = ParseInt(params, "items[0][quantity]", 1, 10'000, subscription.quantity)) {
    return *error;
  }
  if (auto error = ParseBool(params, "cancel_at_period_end", subscription.cancel_at_period_end)) {
    return *error;
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  subscription.id = NewId("sub_");
  subscription.item_id = NewId("si_");
  subscription.created = now;
  subscription.current_period_start = now;
  subscription.current_period_end = now + IntervalSeconds(*price);
  subscription.metadata = ReadMetadata(params);
  // The first period is invoiced and paid at once.
  InvoiceRecord invoice;
  invoice.id = NewId("in_");
  invoice.customer = subscription.customer;
  invoice.subscription = subscription.id;
  invoice.currency = price->currency;
  invoice.status = "paid";
  invoice.number = absl::StrCat("SANDBOX-", ++invoice_numbers_);
  invoice.created = now;
  invoice.period_start = now;
  invoice.period_end = now;
  invoice.lines.push_back({NewId("il_"), price->unit_amount * subscription.quantity,
                           price->currency, "First period", subscription.quantity, price->id, now,
                           subscription.current_period_end, false});
  invoice.amount_paid = invoice.Total();
  invoices_.push_back(invoice);
  subscription.latest_invoice = invoice.id;
  subscriptions_.push_back(subscription);
  RecordEvent("customer.subscription.created", SubscriptionJson(subscription));
  RecordEvent("invoice.paid", ToJson(invoice));
  return Json(200, SubscriptionJson(subscription));
}

EmulatorResponse StripeEmulator::UpdateSubscription(SubscriptionRecord& subscription,
                                                    const Params& params) {
  if (auto unknown = UnknownParam(
          params,
          {"cancel_at_period_end", "pause_collection", "pause_collection[behavior]",
           "pause_collection[resumes_at]", "items[0][id]", "items[0][price]", "items[0][quantity]",
           "proration_behavior", "proration_date", "cancellation_details[comment]",
           "cancellation_details[feedback]", "description"},
          true)) {
    return UnknownParamError(*unknown);
  }
  if (subscription.status == "canceled") {
    for (const auto& [name, value] : params.entries()) {
      if (!absl::StartsWith(name, "metadata[") &&
          !absl::StartsWith(name, "cancellation_details[")) {
        return InvalidRequest(
            "A canceled subscription can only update its cancellation_details and metadata.",
            "subscription_canceled", name);
      }
    }
  }
  if (auto error = OneOf(params, "pause_collection[behavior]",
                         {"keep_as_draft", "mark_uncollectible", "void"})) {
    return *error;
  }
  if (auto error =
          OneOf(params, "proration_behavior", {"create_prorations", "none", "always_invoice"})) {
    return *error;
  }
  if (auto unset = params.Find("pause_collection"); unset && !unset->empty()) {
    return InvalidRequest("pause_collection can only be unset with an empty string.", "",
                          "pause_collection");
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  bool cancel_at_period_end = subscription.cancel_at_period_end;
  if (auto error = ParseBool(params, "cancel_at_period_end", cancel_at_period_end)) return *error;
  int64_t resumes_at = 0;
  if (auto error =
          ParseInt(params, "pause_collection[resumes_at]", now + 1, 4'102'444'800, resumes_at)) {
    return *error;
  }
  int64_t proration_date = now;
  if (auto error = ParseInt(params, "proration_date", subscription.current_period_start,
                            subscription.current_period_end, proration_date)) {
    return *error;
  }
  const PriceRecord* new_price = nullptr;
  if (auto price_id = params.Find("items[0][price]")) {
    auto item = params.Find("items[0][id]");
    if (!item || *item != subscription.item_id) {
      return InvalidRequest(
          "To change the price of an existing item, pass items[0][id] with the subscription "
          "item's id.",
          "", "items[0][id]");
    }
    new_price = FindById(prices_, *price_id);
    if (!new_price) return NoSuch("price", *price_id, "items[0][price]");
    const PriceRecord* old_price = FindById(prices_, subscription.price);
    if (new_price->interval.empty() || (old_price && old_price->currency != new_price->currency)) {
      return InvalidRequest("The new price must be recurring and in the subscription's currency.",
                            "", "items[0][price]");
    }
  }
  int64_t quantity = subscription.quantity;
  if (auto error = ParseInt(params, "items[0][quantity]", 1, 10'000, quantity)) return *error;

  // Everything is valid: apply.
  const bool was_paused = !subscription.pause_behavior.empty();
  subscription.cancel_at_period_end = cancel_at_period_end;
  if (params.Find("pause_collection")) {
    subscription.pause_behavior.clear();
    subscription.pause_resumes_at = 0;
  }
  if (auto behavior = params.Find("pause_collection[behavior]")) {
    subscription.pause_behavior = std::string(*behavior);
    subscription.pause_resumes_at = resumes_at;
  }
  if (auto comment = params.Find("cancellation_details[comment]")) {
    subscription.cancellation_comment = std::string(*comment);
  }
  for (auto& [key, value] : ReadMetadata(params)) subscription.metadata[key] = value;
  const absl::string_view proration =
      params.Find("proration_behavior").value_or("create_prorations");
  if (new_price || quantity != subscription.quantity) {
    const PriceRecord* old_price = FindById(prices_, subscription.price);
    if (!new_price) new_price = old_price;
    if (proration != "none" && old_price && new_price) {
      std::vector<InvoiceLineRecord> lines =
          ProrationLines(subscription, *old_price, *new_price, quantity, proration_date);
      for (InvoiceLineRecord& line : lines) line.id = NewId("il_");
      if (proration == "always_invoice") {
        InvoiceRecord invoice;
        invoice.id = NewId("in_");
        invoice.customer = subscription.customer;
        invoice.subscription = subscription.id;
        invoice.currency = new_price->currency;
        invoice.status = "paid";
        invoice.number = absl::StrCat("SANDBOX-", ++invoice_numbers_);
        invoice.created = now;
        invoice.lines = std::move(lines);
        invoice.amount_paid = std::max<int64_t>(0, invoice.Total());
        invoices_.push_back(invoice);
        subscription.latest_invoice = invoice.id;
      } else {
        for (InvoiceLineRecord& line : lines) {
          pending_items_.emplace_back(subscription.customer, std::move(line));
        }
      }
    }
    subscription.price = new_price->id;
    subscription.quantity = quantity;
  }
  const bool paused = !subscription.pause_behavior.empty();
  if (paused != was_paused) {
    RecordEvent(paused ? "customer.subscription.paused" : "customer.subscription.resumed",
                SubscriptionJson(subscription));
  }
  RecordEvent("customer.subscription.updated", SubscriptionJson(subscription));
  return Json(200, SubscriptionJson(subscription));
}

EmulatorResponse StripeEmulator::CancelSubscription(SubscriptionRecord& subscription,
                                                    const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"invoice_now", "prorate", "cancellation_details[comment]",
                                "cancellation_details[feedback]"})) {
    return UnknownParamError(*unknown);
  }
  if (subscription.status == "canceled") {
    return InvalidRequest(absl::StrCat("Subscription ", subscription.id, " is already canceled."),
                          "subscription_canceled", "subscription");
  }
  if (auto comment = params.Find("cancellation_details[comment]")) {
    subscription.cancellation_comment = std::string(*comment);
  }
  subscription.status = "canceled";
  subscription.canceled_at = absl::ToUnixSeconds(clock_.Now());
  subscription.cancel_at_period_end = false;
  RecordEvent("customer.subscription.deleted", SubscriptionJson(subscription));
  return Json(200, SubscriptionJson(subscription));
}

EmulatorResponse StripeEmulator::ListInvoices(const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"customer", "status", "subscription", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  if (auto error = OneOf(params, "status", {"draft", "open", "paid", "uncollectible", "void"})) {
    return *error;
  }
  const auto customer = params.Find("customer");
  const auto status = params.Find("status");
  const auto subscription = params.Find("subscription");
  std::vector<const InvoiceRecord*> matches;
  for (auto it = invoices_.rbegin(); it != invoices_.rend(); ++it) {
    if (customer && it->customer != *customer) continue;
    if (status && it->status != *status) continue;
    if (subscription && it->subscription != *subscription) continue;
    matches.push_back(&*it);
  }
  return ListEnvelope("/v1/invoices", "invoice", matches, params);
}

EmulatorResponse StripeEmulator::SearchInvoices(const Params& params) {
  return SearchRecords(
      params, "invoices",
      {"created", "currency", "customer", "number", "status", "subscription", "total"}, invoices_,
      [](const InvoiceRecord& i) { return FieldsOf(i); },
      [](const InvoiceRecord&) { return false; });
}

EmulatorResponse StripeEmulator::CreateInvoice(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"customer", "description", "collection_method", "days_until_due",
                                   "auto_advance", "currency", "pending_invoice_items_behavior"},
                                  true)) {
    return UnknownParamError(*unknown);
  }
  InvoiceRecord invoice;
  auto customer = params.Find("customer");
  if (!customer) return MissingParam("customer");
  const CustomerRecord* owner = FindById(customers_, *customer);
  if (!owner || owner->deleted) return NoSuch("customer", *customer, "customer");
  invoice.customer = std::string(*customer);
  if (auto error = OneOf(params, "collection_method", {"charge_automatically", "send_invoice"})) {
    return *error;
  }
  if (auto error = OneOf(params, "pending_invoice_items_behavior", {"include", "exclude"})) {
    return *error;
  }
  invoice.collection_method =
      std::string(params.Find("collection_method").value_or("charge_automatically"));
  int64_t days = 0;
  if (auto error = ParseInt(params, "days_until_due", 1, 365, days)) return *error;
  if ((invoice.collection_method == "send_invoice") != (days > 0)) {
    return InvalidRequest(
        "days_until_due is required when collection_method is send_invoice, and only then.", "",
        "days_until_due");
  }
  if (auto currency = params.Find("currency")) {
    if (!StripeCurrency(*currency)) {
      return InvalidRequest(absl::StrCat("Invalid currency: ", *currency), "", "currency");
    }
    invoice.currency = std::string(*currency);
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  invoice.description = std::string(params.Find("description").value_or(""));
  invoice.metadata = ReadMetadata(params);
  invoice.created = now;
  invoice.period_start = now;
  invoice.period_end = now;
  invoice.due_date = days > 0 ? now + days * 86400 : 0;
  invoice.id = NewId("in_");
  if (params.Find("pending_invoice_items_behavior").value_or("exclude") == "include") {
    for (auto it = pending_items_.begin(); it != pending_items_.end();) {
      if (it->first == invoice.customer) {
        invoice.lines.push_back(std::move(it->second));
        it = pending_items_.erase(it);
      } else {
        ++it;
      }
    }
  }
  invoices_.push_back(invoice);
  RecordEvent("invoice.created", ToJson(invoice));
  return Json(200, ToJson(invoice));
}

EmulatorResponse StripeEmulator::CreateInvoiceItem(const Params& params) {
  if (auto unknown = UnknownParam(
          params,
          {"customer", "amount", "currency", "description", "invoice", "quantity", "unit_amount"},
          true)) {
    return UnknownParamError(*unknown);
  }
  auto customer = params.Find("customer");
  if (!customer) return MissingParam("customer");
  const CustomerRecord* owner = FindById(customers_, *customer);
  if (!owner || owner->deleted) return NoSuch("customer", *customer, "customer");
  InvoiceLineRecord line;
  auto currency = params.Find("currency");
  if (!currency) return MissingParam("currency");
  if (!StripeCurrency(*currency)) {
    return InvalidRequest(absl::StrCat("Invalid currency: ", *currency), "", "currency");
  }
  line.currency = std::string(*currency);
  if (auto error = ParseInt(params, "quantity", 1, 10'000, line.quantity)) return *error;
  int64_t unit_amount = 0;
  if (params.Find("amount").has_value() == params.Find("unit_amount").has_value()) {
    return InvalidRequest("Pass exactly one of amount and unit_amount.", "", "amount");
  }
  if (auto error = ParseInt(params, "amount", -kMaxAmount, kMaxAmount, line.amount)) return *error;
  if (auto error = ParseInt(params, "unit_amount", 0, kMaxAmount, unit_amount)) return *error;
  if (params.Find("unit_amount")) line.amount = unit_amount * line.quantity;
  line.description = std::string(params.Find("description").value_or(""));
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  line.period_start = now;
  line.period_end = now;
  line.id = NewId("ii_");
  JsonWriter json;
  auto answer = [&](absl::string_view invoice_id) {
    json.BeginObject()
        .Field("id", line.id)
        .Field("object", "invoiceitem")
        .Field("amount", line.amount)
        .Field("currency", line.currency)
        .Field("customer", *customer)
        .NullableField("description", line.description)
        .NullableField("invoice", invoice_id)
        .Field("quantity", line.quantity)
        .EndObject();
    return Json(200, json.Take());
  };
  if (auto invoice_id = params.Find("invoice")) {
    InvoiceRecord* invoice = FindMutable(invoices_, *invoice_id);
    if (!invoice) return NoSuch("invoice", *invoice_id, "invoice");
    if (invoice->customer != *customer) {
      return InvalidRequest("The invoice belongs to another customer.", "", "invoice");
    }
    if (invoice->status != "draft") {
      return InvalidRequest("You can only add invoice items to draft invoices.",
                            "invoice_not_editable", "invoice");
    }
    if (invoice->currency != line.currency) {
      return InvalidRequest("The invoice item's currency must match the invoice's.", "",
                            "currency");
    }
    invoice->lines.push_back(line);
    return answer(invoice->id);
  }
  pending_items_.emplace_back(std::string(*customer), line);
  return answer("");
}

EmulatorResponse StripeEmulator::ChangeInvoice(InvoiceRecord& invoice, absl::string_view action,
                                               const Params& params) {
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  if (action == "finalize") {
    if (auto unknown = UnknownParam(params, {"auto_advance"})) return UnknownParamError(*unknown);
    if (invoice.status != "draft") {
      return InvalidRequest(
          absl::StrCat("This invoice is already finalized (its status is ", invoice.status,
                       "); only draft invoices can be finalized."),
          "invoice_not_editable", "invoice");
    }
    invoice.number = absl::StrCat("SANDBOX-", ++invoice_numbers_);
    invoice.hosted_invoice_url =
        absl::StrCat("https://invoice.stripe.com/i/acct_sandbox/test_", invoice.id);
    invoice.status = invoice.Total() <= 0 ? "paid" : "open";
    if (invoice.collection_method == "charge_automatically" && invoice.status == "open") {
      invoice.next_payment_attempt = now + 3600;
    }
    RecordEvent("invoice.finalized", ToJson(invoice));
    if (invoice.status == "paid") RecordEvent("invoice.paid", ToJson(invoice));
    return Json(200, ToJson(invoice));
  }
  if (!params.empty()) return UnknownParamError(params.entries().front().first);
  if (action == "send") {
    if (invoice.collection_method != "send_invoice") {
      return InvalidRequest(
          "You can only manually send an invoice if its collection method is 'send_invoice'.",
          "invoice_not_editable", "invoice");
    }
    if (invoice.status != "open") {
      return InvalidRequest(
          absl::StrCat("You can only send open invoices. This invoice is ", invoice.status, "."),
          "invoice_not_editable", "invoice");
    }
    RecordEvent("invoice.sent", ToJson(invoice));
    return Json(200, ToJson(invoice));
  }
  if (action == "void") {
    if (invoice.status != "open" && invoice.status != "uncollectible") {
      return InvalidRequest(
          absl::StrCat("You can only pass in open invoices. This invoice is ", invoice.status, "."),
          "invoice_not_editable", "invoice");
    }
    invoice.status = "void";
    RecordEvent("invoice.voided", ToJson(invoice));
    return Json(200, ToJson(invoice));
  }
  return Error(
      404, "invalid_request_error",
      absl::StrCat("Unrecognized request URL (POST: /v1/invoices/", invoice.id, "/", action, ")."));
}

EmulatorResponse StripeEmulator::UpcomingInvoice(const Params& params) {
  if (auto unknown = UnknownParam(
          params, {"customer", "subscription", "subscription_items[0][id]",
                   "subscription_items[0][price]", "subscription_items[0][quantity]",
                   "subscription_proration_behavior", "subscription_proration_date"})) {
    return UnknownParamError(*unknown);
  }
  auto customer = params.Find("customer");
  if (!customer) return MissingParam("customer");
  if (!FindById(customers_, *customer)) return NoSuch("customer", *customer, "customer");
  const auto subscription_id = params.Find("subscription");
  const SubscriptionRecord* subscription = nullptr;
  for (auto it = subscriptions_.rbegin(); it != subscriptions_.rend(); ++it) {
    if (it->customer != *customer || it->status == "canceled" || it->cancel_at_period_end) continue;
    if (subscription_id && it->id != *subscription_id) continue;
    subscription = &*it;
    break;
  }
  if (!subscription) {
    return Error(404, "invalid_request_error",
                 absl::StrCat("No upcoming invoices for customer: ", *customer),
                 "invoice_upcoming_none");
  }
  if (auto error = OneOf(params, "subscription_proration_behavior",
                         {"create_prorations", "none", "always_invoice"})) {
    return *error;
  }
  const PriceRecord* old_price = FindById(prices_, subscription->price);
  if (!old_price) return NoSuch("price", subscription->price, "subscription");
  const PriceRecord* new_price = old_price;
  if (auto price_id = params.Find("subscription_items[0][price]")) {
    auto item = params.Find("subscription_items[0][id]");
    if (!item || *item != subscription->item_id) {
      return InvalidRequest("subscription_items[0][id] must be the subscription item's id.", "",
                            "subscription_items[0][id]");
    }
    new_price = FindById(prices_, *price_id);
    if (!new_price) return NoSuch("price", *price_id, "subscription_items[0][price]");
    if (new_price->interval.empty() || new_price->currency != old_price->currency) {
      return InvalidRequest("The new price must be recurring and in the subscription's currency.",
                            "", "subscription_items[0][price]");
    }
  }
  int64_t quantity = subscription->quantity;
  if (auto error = ParseInt(params, "subscription_items[0][quantity]", 1, 10'000, quantity)) {
    return *error;
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  int64_t proration_date = now;
  if (auto error =
          ParseInt(params, "subscription_proration_date", subscription->current_period_start,
                   subscription->current_period_end, proration_date)) {
    return *error;
  }
  InvoiceRecord upcoming;
  upcoming.customer = subscription->customer;
  upcoming.subscription = subscription->id;
  upcoming.currency = old_price->currency;
  upcoming.created = now;
  upcoming.period_start = subscription->current_period_start;
  upcoming.period_end = subscription->current_period_end;
  upcoming.next_payment_attempt = subscription->current_period_end;
  for (const auto& [owner, line] : pending_items_) {
    if (owner == *customer) upcoming.lines.push_back(line);
  }
  const bool changes = new_price != old_price || quantity != subscription->quantity;
  if (changes &&
      params.Find("subscription_proration_behavior").value_or("create_prorations") != "none") {
    for (InvoiceLineRecord& line :
         ProrationLines(*subscription, *old_price, *new_price, quantity, proration_date)) {
      upcoming.lines.push_back(std::move(line));
    }
  }
  const int64_t next_end = subscription->current_period_end + IntervalSeconds(*new_price);
  upcoming.lines.push_back(
      {"", new_price->unit_amount * quantity, new_price->currency,
       absl::StrCat(quantity, " × ",
                    new_price->nickname.empty() ? new_price->id : new_price->nickname),
       quantity, new_price->id, subscription->current_period_end, next_end, false});
  return Json(200, ToJson(upcoming));
}

}  // namespace payvox::sandbox
