// The emulator's billing side: routing for products, prices, coupons,
// promotion codes, subscriptions, invoices, payment links and billing portal
// sessions, and the catalog-like resources themselves. Subscriptions and
// invoices live in emulator_subscriptions.cc.
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

// Codes for promotion: letters and digits a caller cannot mix up when they
// are read aloud or typed (no 0/O, 1/I/L).
bool ValidPromotionCode(absl::string_view code) {
  return code.size() >= 3 && code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

}  // namespace

std::string StripeEmulator::PromotionCodeJson(const PromotionCodeRecord& code) const {
  const CouponRecord* coupon = FindById(coupons_, code.coupon);
  return ToJson(code, coupon ? *coupon : CouponRecord{.id = code.coupon});
}

EmulatorResponse StripeEmulator::ListProducts(const RouteMatch& match) {
  const Params& params = match.params;
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

EmulatorResponse StripeEmulator::RetrieveProduct(const RouteMatch& match) {
  const ProductRecord* product = FindById(products_, match.ids[0]);
  return product ? Json(200, ToJson(*product)) : NoSuch("product", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::ListPrices(const RouteMatch& match) {
  const Params& params = match.params;
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

EmulatorResponse StripeEmulator::RetrievePrice(const RouteMatch& match) {
  const PriceRecord* price = FindById(prices_, match.ids[0]);
  return price ? Json(200, ToJson(*price)) : NoSuch("price", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::ListCoupons(const RouteMatch& match) {
  if (auto unknown = UnknownParam(match.params, {"limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  std::vector<const CouponRecord*> all;
  for (auto it = coupons_.rbegin(); it != coupons_.rend(); ++it) all.push_back(&*it);
  return ListEnvelope("/v1/coupons", "coupon", all, match.params);
}

EmulatorResponse StripeEmulator::RetrieveCoupon(const RouteMatch& match) {
  const CouponRecord* coupon = FindById(coupons_, match.ids[0]);
  return coupon ? Json(200, ToJson(*coupon)) : NoSuch("coupon", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::RetrievePromotionCode(const RouteMatch& match) {
  const PromotionCodeRecord* code = FindById(promotion_codes_, match.ids[0]);
  return code ? Json(200, PromotionCodeJson(*code)) : NoSuch("promotion code", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::RetrieveSubscription(const RouteMatch& match) {
  const SubscriptionRecord* subscription = FindById(subscriptions_, match.ids[0]);
  return subscription ? Json(200, SubscriptionJson(*subscription))
                      : NoSuch("subscription", match.ids[0], "id");
}

EmulatorResponse StripeEmulator::ChangeSubscription(const RouteMatch& match) {
  SubscriptionRecord* subscription = FindMutable(subscriptions_, match.ids[0]);
  if (!subscription) return NoSuch("subscription", match.ids[0], "id");
  return UpdateSubscription(*subscription, match.params);
}

EmulatorResponse StripeEmulator::CancelSubscriptionById(const RouteMatch& match) {
  SubscriptionRecord* subscription = FindMutable(subscriptions_, match.ids[0]);
  if (!subscription) return NoSuch("subscription", match.ids[0], "id");
  return CancelSubscription(*subscription, match.params);
}

EmulatorResponse StripeEmulator::ResumeSubscription(const RouteMatch& match) {
  SubscriptionRecord* subscription = FindMutable(subscriptions_, match.ids[0]);
  if (!subscription) return NoSuch("subscription", match.ids[0], "id");
  if (auto unknown = UnknownParam(match.params, {"billing_cycle_anchor", "proration_behavior"})) {
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

EmulatorResponse StripeEmulator::RetrieveInvoice(const RouteMatch& match) {
  const InvoiceRecord* invoice = FindById(invoices_, match.ids[0]);
  return invoice ? Json(200, ToJson(*invoice)) : NoSuch("invoice", match.ids[0], "invoice");
}

EmulatorResponse StripeEmulator::ActOnInvoice(const RouteMatch& match) {
  InvoiceRecord* invoice = FindMutable(invoices_, match.ids[0]);
  if (!invoice) return NoSuch("invoice", match.ids[0], "invoice");
  return ChangeInvoice(*invoice, match.ids[1], match.params);
}

EmulatorResponse StripeEmulator::ListPaymentLinks(const RouteMatch& match) {
  if (auto unknown = UnknownParam(match.params, {"active", "limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  std::vector<const PaymentLinkRecord*> all;
  for (auto it = payment_links_.rbegin(); it != payment_links_.rend(); ++it) all.push_back(&*it);
  return ListEnvelope("/v1/payment_links", "payment link", all, match.params);
}

EmulatorResponse StripeEmulator::RetrievePaymentLink(const RouteMatch& match) {
  const PaymentLinkRecord* link = FindById(payment_links_, match.ids[0]);
  return link ? Json(200, ToJson(*link)) : NoSuch("payment link", match.ids[0], "id");
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
  if (auto unknown =
          UnknownParam(params,
                       {"id", "name", "percent_off", "amount_off", "currency", "duration",
                        "duration_in_months", "max_redemptions", "redeem_by"},
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
  if (auto unknown =
          UnknownParam(params, {"code", "coupon", "customer", "limit", "starting_after"})) {
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

EmulatorResponse StripeEmulator::CreatePaymentLink(const Params& params) {
  if (auto unknown =
          UnknownParam(params, {"line_items[0][price]", "line_items[0][quantity]"}, true)) {
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
