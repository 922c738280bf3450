// The emulator's billing side: products, prices, coupons, promotion codes,
// subscriptions, invoices and invoice items, payment links and billing
// portal sessions.
#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
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

// Codes for promotion: letters and digits a caller cannot mix up when they
// are read aloud or typed (no 0/O, 1/I/L).
bool ValidPromotionCode(absl::string_view code) {
  return code.size() >= 3 && code.size() <= 64 &&
         std::all_of(code.begin(), code.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

}  // namespace

std::string StripeEmulator::SubscriptionJson(const SubscriptionRecord& subscription) const {
  const PriceRecord* price = FindById(prices_, subscription.price);
  return ToJson(subscription, price ? *price : PriceRecord{.id = subscription.price});
}

std::string StripeEmulator::PromotionCodeJson(const PromotionCodeRecord& code) const {
  const CouponRecord* coupon = FindById(coupons_, code.coupon);
  return ToJson(code, coupon ? *coupon : CouponRecord{.id = code.coupon});
}

std::optional<EmulatorResponse> StripeEmulator::RouteBilling(const std::string& method,
                                                             const std::vector<std::string>& path,
                                                             const Params& params) {
  const size_t n = path.size();
  const bool get = method == "GET";
  const bool post = method == "POST";
  const std::string& resource = path[1];
  if (resource == "products" && get) {
    if (n == 2) {
      if (auto unknown = UnknownParam(params, {"active", "limit", "starting_after"})) {
        return UnknownParamError(*unknown);
      }
      bool active_only = false;
      const bool filter = params.Find("active").has_value();
      if (auto error = ParseBool(params, "active", active_only)) return *error;
      std::vector<const ProductRecord*> matches;
      for (auto it = products_.rbegin(); it != products_.rend(); ++it) {
        if (!filter || it->active == active_only) matches.push_back(&*it);
      }
      return ListEnvelope("/v1/products", "product", matches, params);
    }
    if (n == 3) {
      const ProductRecord* product = FindById(products_, path[2]);
      return product ? Json(200, ToJson(*product)) : NoSuch("product", path[2], "id");
    }
  }
  if (resource == "prices") {
    if (n == 2 && post) return CreatePrice(params);
    if (n == 2 && get) {
      if (auto unknown = UnknownParam(params, {"product", "type", "limit", "starting_after"})) {
        return UnknownParamError(*unknown);
      }
      if (auto error = OneOf(params, "type", {"one_time", "recurring"})) return *error;
      const auto product = params.Find("product");
      const auto type = params.Find("type");
      std::vector<const PriceRecord*> matches;
      for (auto it = prices_.rbegin(); it != prices_.rend(); ++it) {
        if (product && it->product != *product) continue;
        if (type && (*type == "recurring") == it->interval.empty()) continue;
        matches.push_back(&*it);
      }
      return ListEnvelope("/v1/prices", "price", matches, params);
    }
    if (n == 3 && get) {
      const PriceRecord* price = FindById(prices_, path[2]);
      return price ? Json(200, ToJson(*price)) : NoSuch("price", path[2], "id");
    }
  }
  if (resource == "coupons") {
    if (n == 2 && post) return CreateCoupon(params);
    if (n == 2 && get) {
      if (auto unknown = UnknownParam(params, {"limit", "starting_after"})) {
        return UnknownParamError(*unknown);
      }
      std::vector<const CouponRecord*> all;
      for (auto it = coupons_.rbegin(); it != coupons_.rend(); ++it) all.push_back(&*it);
      return ListEnvelope("/v1/coupons", "coupon", all, params);
    }
    if (n == 3 && get) {
      const CouponRecord* coupon = FindById(coupons_, path[2]);
      return coupon ? Json(200, ToJson(*coupon)) : NoSuch("coupon", path[2], "id");
    }
  }
  if (resource == "promotion_codes") {
    if (n == 2 && post) return CreatePromotionCode(params);
    if (n == 2 && get) return ListPromotionCodes(params);
    if (n == 3 && get) {
      const PromotionCodeRecord* code = FindById(promotion_codes_, path[2]);
      return code ? Json(200, PromotionCodeJson(*code)) : NoSuch("promotion code", path[2], "id");
    }
  }
  if (resource == "subscriptions") {
    if (n == 2 && get) return ListSubscriptions(params);
    if (n == 3 && get && path[2] == "search") {
      return SearchRecords(
          params, "subscriptions", {"created", "customer", "status"}, subscriptions_,
          [](const SubscriptionRecord& record) { return FieldsOf(record); },
          [](const SubscriptionRecord&) { return false; },
          [this](const SubscriptionRecord& record)
              ABSL_NO_THREAD_SAFETY_ANALYSIS { return SubscriptionJson(record); });
    }
    if (n == 2 && post) return CreateSubscription(params);
    if (n < 3) return std::nullopt;
    SubscriptionRecord* subscription = FindMutable(subscriptions_, path[2]);
    if (!subscription) return NoSuch("subscription", path[2], "id");
    if (n == 3 && get) return Json(200, SubscriptionJson(*subscription));
    if (n == 3 && post) return UpdateSubscription(*subscription, params);
    if (n == 3 && method == "DELETE") return CancelSubscription(*subscription, params);
    if (n == 4 && post && path[3] == "resume") {
      if (auto unknown = UnknownParam(params, {"billing_cycle_anchor", "proration_behavior"})) {
        return UnknownParamError(*unknown);
      }
      if (subscription->status != "paused") {
        return InvalidRequest("Only subscriptions with status `paused` can be resumed.",
                              "subscription_not_paused", "subscription");
      }
      subscription->status = "active";
      RecordEvent("customer.subscription.resumed", SubscriptionJson(*subscription));
      return Json(200, SubscriptionJson(*subscription));
    }
  }
  if (resource == "invoices") {
    if (n == 2 && get) return ListInvoices(params);
    if (n == 2 && post) return CreateInvoice(params);
    if (n == 3 && get && path[2] == "search") return SearchInvoices(params);
    if (n == 3 && get && path[2] == "upcoming") return UpcomingInvoice(params);
    if (n < 3) return std::nullopt;
    InvoiceRecord* invoice = FindMutable(invoices_, path[2]);
    if (!invoice) return NoSuch("invoice", path[2], "invoice");
    if (n == 3 && get) return Json(200, ToJson(*invoice));
    if (n == 4 && post) return ChangeInvoice(*invoice, path[3], params);
  }
  if (resource == "invoiceitems" && n == 2 && post) return CreateInvoiceItem(params);
  if (resource == "payment_links") {
    if (n == 2 && post) return CreatePaymentLink(params);
    if (n == 2 && get) {
      if (auto unknown = UnknownParam(params, {"active", "limit", "starting_after"})) {
        return UnknownParamError(*unknown);
      }
      std::vector<const PaymentLinkRecord*> all;
      for (auto it = payment_links_.rbegin(); it != payment_links_.rend(); ++it) {
        all.push_back(&*it);
      }
      return ListEnvelope("/v1/payment_links", "payment link", all, params);
    }
    if (n == 3 && get) {
      const PaymentLinkRecord* link = FindById(payment_links_, path[2]);
      return link ? Json(200, ToJson(*link)) : NoSuch("payment link", path[2], "id");
    }
  }
  if (resource == "billing_portal" && n == 3 && path[2] == "sessions" && post) {
    return CreatePortalSession(params);
  }
  return std::nullopt;
}

EmulatorResponse StripeEmulator::CreatePrice(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"product", "currency", "unit_amount", "nickname",
                                   "recurring[interval]", "recurring[interval_count]"},
                                  true)) {
    return UnknownParamError(*unknown);
  }
  PriceRecord price;
  auto product = params.Find("product");
  if (!product) return MissingParam("product");
  if (!FindById(products_, *product)) return NoSuch("product", *product, "product");
  price.product = std::string(*product);
  auto currency = params.Find("currency");
  if (!currency) return MissingParam("currency");
  if (!StripeCurrency(*currency)) {
    return InvalidRequest(absl::StrCat("Invalid currency: ", *currency), "", "currency");
  }
  price.currency = std::string(*currency);
  if (!params.Find("unit_amount")) return MissingParam("unit_amount");
  if (auto error = ParseInt(params, "unit_amount", 0, kMaxAmount, price.unit_amount)) {
    return *error;
  }
  if (auto error = OneOf(params, "recurring[interval]", {"day", "week", "month", "year"})) {
    return *error;
  }
  price.interval = std::string(params.Find("recurring[interval]").value_or(""));
  if (auto error = ParseInt(params, "recurring[interval_count]", 1, 12, price.interval_count)) {
    return *error;
  }
  price.nickname = std::string(params.Find("nickname").value_or(""));
  price.created = absl::ToUnixSeconds(clock_.Now());
  price.id = NewId("price_");
  prices_.push_back(price);
  RecordEvent("price.created", ToJson(price));
  return Json(200, ToJson(price));
}

EmulatorResponse StripeEmulator::CreateCoupon(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"id", "name", "percent_off", "amount_off", "currency",
                                   "duration", "duration_in_months", "max_redemptions",
                                   "redeem_by"},
                                  true)) {
    return UnknownParamError(*unknown);
  }
  CouponRecord coupon;
  const auto percent = params.Find("percent_off");
  const auto amount = params.Find("amount_off");
  if (percent.has_value() == amount.has_value()) {
    return InvalidRequest("You must pass exactly one of percent_off or amount_off.", "",
                          percent ? "amount_off" : "percent_off");
  }
  if (percent) {
    if (!absl::SimpleAtod(*percent, &coupon.percent_off) || !(coupon.percent_off > 0) ||
        coupon.percent_off > 100) {
      return InvalidRequest("Invalid percent_off: must be greater than 0 and at most 100", "",
                            "percent_off");
    }
  } else {
    if (auto error = ParseInt(params, "amount_off", 1, kMaxAmount, coupon.amount_off)) {
      return *error;
    }
    auto currency = params.Find("currency");
    if (!currency) return MissingParam("currency");
    if (!StripeCurrency(*currency)) {
      return InvalidRequest(absl::StrCat("Invalid currency: ", *currency), "", "currency");
    }
    coupon.currency = std::string(*currency);
  }
  if (auto error = OneOf(params, "duration", {"once", "repeating", "forever"})) return *error;
  coupon.duration = std::string(params.Find("duration").value_or("once"));
  const bool has_months = params.Find("duration_in_months").has_value();
  if ((coupon.duration == "repeating") != has_months) {
    return InvalidRequest(
        "duration_in_months is required when duration is repeating, and only then.", "",
        "duration_in_months");
  }
  if (auto error = ParseInt(params, "duration_in_months", 1, 36, coupon.duration_in_months)) {
    return *error;
  }
  if (auto error = ParseInt(params, "max_redemptions", 1, 1'000'000, coupon.max_redemptions)) {
    return *error;
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  if (auto error = ParseInt(params, "redeem_by", now + 1, 4'102'444'800, coupon.redeem_by)) {
    return *error;
  }
  coupon.name = std::string(params.Find("name").value_or(""));
  coupon.id = std::string(params.Find("id").value_or(""));
  if (coupon.id.empty()) coupon.id = NewId("").substr(0, 8);
  if (FindById(coupons_, coupon.id)) {
    return InvalidRequest("Coupon already exists.", "resource_already_exists", "id");
  }
  coupon.created = now;
  coupons_.push_back(coupon);
  RecordEvent("coupon.created", ToJson(coupon));
  return Json(200, ToJson(coupon));
}

EmulatorResponse StripeEmulator::CreatePromotionCode(const Params& params) {
  if (auto unknown = UnknownParam(
          params, {"coupon", "code", "customer", "max_redemptions", "expires_at", "active"},
          true)) {
    return UnknownParamError(*unknown);
  }
  PromotionCodeRecord code;
  auto coupon = params.Find("coupon");
  if (!coupon) return MissingParam("coupon");
  if (!FindById(coupons_, *coupon)) return NoSuch("coupon", *coupon, "coupon");
  code.coupon = std::string(*coupon);
  if (auto customer = params.Find("customer")) {
    const CustomerRecord* record = FindById(customers_, *customer);
    if (!record || record->deleted) return NoSuch("customer", *customer, "customer");
    code.customer = std::string(*customer);
  }
  if (auto error = ParseInt(params, "max_redemptions", 1, 1'000'000, code.max_redemptions)) {
    return *error;
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  if (auto error = ParseInt(params, "expires_at", now + 1, 4'102'444'800, code.expires_at)) {
    return *error;
  }
  code.code = std::string(params.Find("code").value_or(""));
  if (code.code.empty()) code.code = absl::AsciiStrToUpper(NewId("").substr(0, 8));
  if (!ValidPromotionCode(code.code)) {
    return InvalidRequest("Invalid code: use 3 to 64 letters, digits, '-' or '_'.", "", "code");
  }
  for (const PromotionCodeRecord& other : promotion_codes_) {
    if (other.active && absl::EqualsIgnoreCase(other.code, code.code)) {
      return InvalidRequest(
          absl::StrCat("An active promotion code with `code: ", code.code, "` already exists."),
          "resource_already_exists", "code");
    }
  }
  code.id = NewId("promo_");
  code.created = now;
  promotion_codes_.push_back(code);
  RecordEvent("promotion_code.created", PromotionCodeJson(code));
  return Json(200, PromotionCodeJson(code));
}

EmulatorResponse StripeEmulator::ListPromotionCodes(const Params& params) {
  if (auto unknown = UnknownParam(params, {"code", "coupon", "customer", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  const auto code = params.Find("code");
  const auto coupon = params.Find("coupon");
  const auto customer = params.Find("customer");
  std::vector<const PromotionCodeRecord*> matches;
  for (auto it = promotion_codes_.rbegin(); it != promotion_codes_.rend(); ++it) {
    if (code && !absl::EqualsIgnoreCase(it->code, *code)) continue;
    if (coupon && it->coupon != *coupon) continue;
    if (customer && it->customer != *customer) continue;
    matches.push_back(&*it);
  }
  return ListEnvelope("/v1/promotion_codes", "promotion code", matches, params,
                      [this](const PromotionCodeRecord& record)
                          ABSL_NO_THREAD_SAFETY_ANALYSIS { return PromotionCodeJson(record); });
}

EmulatorResponse StripeEmulator::ListSubscriptions(const Params& params) {
  if (auto unknown = UnknownParam(params, {"customer", "status", "price", "limit",
                                           "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  if (auto error = OneOf(params, "status",
                         {"active", "all", "canceled", "ended", "incomplete",
                          "incomplete_expired", "past_due", "paused", "trialing", "unpaid"})) {
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
           "pause_collection[resumes_at]", "items[0][id]", "items[0][price]",
           "items[0][quantity]", "proration_behavior", "proration_date",
           "cancellation_details[comment]", "cancellation_details[feedback]", "description"},
          true)) {
    return UnknownParamError(*unknown);
  }
  if (subscription.status == "canceled") {
    for (const auto& [name, value] : params.entries()) {
      if (!absl::StartsWith(name, "metadata[") && !absl::StartsWith(name, "cancellation_details[")) {
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
  if (auto error = OneOf(params, "proration_behavior",
                         {"create_prorations", "none", "always_invoice"})) {
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
    if (new_price->interval.empty() ||
        (old_price && old_price->currency != new_price->currency)) {
      return InvalidRequest(
          "The new price must be recurring and in the subscription's currency.", "",
          "items[0][price]");
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
  const absl::string_view proration = params.Find("proration_behavior").value_or("create_prorations");
  if (new_price || quantity != subscription.quantity) {
    const PriceRecord* old_price = FindById(prices_, subscription.price);
    if (!new_price) new_price = old_price;
    if (proration != "none" && old_price && new_price) {
      const double left =
          static_cast<double>(subscription.current_period_end - proration_date) /
          static_cast<double>(
              std::max<int64_t>(1, subscription.current_period_end - subscription.current_period_start));
      std::vector<InvoiceLineRecord> lines = {
          {NewId("il_"), -std::llround(old_price->unit_amount * subscription.quantity * left),
           old_price->currency, "Unused time on the previous plan", subscription.quantity,
           old_price->id, proration_date, subscription.current_period_end, true},
          {NewId("il_"), std::llround(new_price->unit_amount * quantity * left),
           new_price->currency, "Remaining time on the new plan", quantity, new_price->id,
           proration_date, subscription.current_period_end, true}};
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
  if (auto unknown = UnknownParam(params, {"invoice_now", "prorate",
                                           "cancellation_details[comment]",
                                           "cancellation_details[feedback]"})) {
    return UnknownParamError(*unknown);
  }
  if (subscription.status == "canceled") {
    return InvalidRequest(
        absl::StrCat("Subscription ", subscription.id, " is already canceled."),
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
  if (auto unknown = UnknownParam(params, {"customer", "status", "subscription", "limit",
                                           "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  if (auto error =
          OneOf(params, "status", {"draft", "open", "paid", "uncollectible", "void"})) {
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
      [](const InvoiceRecord& i) { return FieldsOf(i); }, [](const InvoiceRecord&) { return false; });
}

EmulatorResponse StripeEmulator::CreateInvoice(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"customer", "description", "collection_method",
                                   "days_until_due", "auto_advance", "currency",
                                   "pending_invoice_items_behavior"},
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
  if (auto unknown = UnknownParam(params,
                                  {"customer", "amount", "currency", "description", "invoice",
                                   "quantity", "unit_amount"},
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
  return Error(404, "invalid_request_error",
               absl::StrCat("Unrecognized request URL (POST: /v1/invoices/", invoice.id, "/",
                            action, ")."));
}

EmulatorResponse StripeEmulator::UpcomingInvoice(const Params& params) {
  if (auto unknown = UnknownParam(params,
                                  {"customer", "subscription", "subscription_items[0][id]",
                                   "subscription_items[0][price]",
                                   "subscription_items[0][quantity]",
                                   "subscription_proration_behavior",
                                   "subscription_proration_date"})) {
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
  if (auto error = ParseInt(params, "subscription_proration_date",
                            subscription->current_period_start, subscription->current_period_end,
                            proration_date)) {
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
  if (changes && params.Find("subscription_proration_behavior").value_or("create_prorations") !=
                     "none") {
    const double left = static_cast<double>(subscription->current_period_end - proration_date) /
                        static_cast<double>(std::max<int64_t>(
                            1, subscription->current_period_end - subscription->current_period_start));
    upcoming.lines.push_back({"", -std::llround(old_price->unit_amount * subscription->quantity * left),
                              old_price->currency, "Unused time on the previous plan",
                              subscription->quantity, old_price->id, proration_date,
                              subscription->current_period_end, true});
    upcoming.lines.push_back({"", std::llround(new_price->unit_amount * quantity * left),
                              new_price->currency, "Remaining time on the new plan", quantity,
                              new_price->id, proration_date, subscription->current_period_end,
                              true});
  }
  const int64_t next_end = subscription->current_period_end + IntervalSeconds(*new_price);
  upcoming.lines.push_back({"", new_price->unit_amount * quantity, new_price->currency,
                            absl::StrCat(quantity, " × ", new_price->nickname.empty()
                                                              ? new_price->id
                                                              : new_price->nickname),
                            quantity, new_price->id, subscription->current_period_end, next_end,
                            false});
  return Json(200, ToJson(upcoming));
}

EmulatorResponse StripeEmulator::CreatePaymentLink(const Params& params) {
  if (auto unknown = UnknownParam(params, {"line_items[0][price]", "line_items[0][quantity]"},
                                  true)) {
    return UnknownParamError(*unknown);
  }
  PaymentLinkRecord link;
  auto price = params.Find("line_items[0][price]");
  if (!price) return MissingParam("line_items[0][price]");
  if (!FindById(prices_, *price)) return NoSuch("price", *price, "line_items[0][price]");
  link.price = std::string(*price);
  if (!params.Find("line_items[0][quantity]")) return MissingParam("line_items[0][quantity]");
  if (auto error = ParseInt(params, "line_items[0][quantity]", 1, 10'000, link.quantity)) {
    return *error;
  }
  link.id = NewId("plink_");
  link.url = absl::StrCat("https://buy.stripe.com/test_", link.id.substr(6, 14));
  payment_links_.push_back(link);
  return Json(200, ToJson(link));
}

EmulatorResponse StripeEmulator::CreatePortalSession(const Params& params) {
  if (auto unknown = UnknownParam(params, {"customer", "return_url"})) {
    return UnknownParamError(*unknown);
  }
  auto customer = params.Find("customer");
  if (!customer) return MissingParam("customer");
  const CustomerRecord* owner = FindById(customers_, *customer);
  if (!owner || owner->deleted) return NoSuch("customer", *customer, "customer");
  const absl::string_view return_url = params.Find("return_url").value_or("");
  if (!return_url.empty() && !absl::StartsWith(return_url, "https://") &&
      !absl::StartsWith(return_url, "http://")) {
    return InvalidRequest("Not a valid URL", "url_invalid", "return_url");
  }
  const std::string id = NewId("bps_");
  JsonWriter json;
  json.BeginObject()
      .Field("id", id)
      .Field("object", "billing_portal.session")
      .Field("created", absl::ToUnixSeconds(clock_.Now()))
      .Field("customer", *customer)
      .Field("livemode", false)
      .NullableField("return_url", return_url)
      .Field("url", absl::StrCat("https://billing.stripe.com/p/session/test_", id.substr(4)))
      .EndObject();
  return Json(200, json.Take());
}

}  // namespace payvox::sandbox
