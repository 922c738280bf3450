#include "sandbox/objects.h"

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"

namespace payvox::sandbox {
namespace {

void WriteMetadata(JsonWriter& json, const Metadata& metadata) {
  json.Key("metadata").BeginObject();
  for (const auto& [key, value] : metadata) json.Field(key, value);
  json.EndObject();
}

void WriteCardDetails(JsonWriter& json, const CardRecord& card) {
  json.BeginObject()
      .Field("brand", card.brand)
      .Field("country", "US")
      .Field("exp_month", card.exp_month)
      .Field("exp_year", card.exp_year)
      .Field("funding", "credit")
      .Field("last4", card.last4)
      .EndObject();
}

}  // namespace

std::string ToJson(const CustomerRecord& customer) {
  JsonWriter json;
  if (customer.deleted) {
    json.BeginObject()
        .Field("id", customer.id)
        .Field("object", "customer")
        .Field("deleted", true)
        .EndObject();
    return json.Take();
  }
  json.BeginObject()
      .Field("id", customer.id)
      .Field("object", "customer")
      .Field("created", customer.created)
      .NullableField("description", customer.description)
      .NullableField("email", customer.email)
      .Field("livemode", false);
  WriteMetadata(json, customer.metadata);
  json.NullableField("name", customer.name).NullableField("phone", customer.phone).EndObject();
  return json.Take();
}

std::string ToJson(const CardRecord& card) {
  JsonWriter json;
  json.BeginObject().Field("id", card.id).Field("object", "payment_method").Key("card");
  WriteCardDetails(json, card);
  json.Field("created", card.created)
      .NullableField("customer", card.customer)
      .Field("livemode", false)
      .Field("type", "card")
      .EndObject();
  return json.Take();
}

std::string ToJson(const ChargeRecord& charge) {
  const bool succeeded = charge.status == "succeeded";
  const bool captured = succeeded && charge.captured;
  JsonWriter json;
  json.BeginObject()
      .Field("id", charge.id)
      .Field("object", "charge")
      .Field("amount", charge.amount)
      .Field("amount_captured", captured ? charge.amount : 0)
      .Field("amount_refunded", charge.amount_refunded)
      .Field("captured", captured)
      .Field("created", charge.created)
      .Field("currency", charge.currency)
      .NullableField("customer", charge.customer)
      .NullableField("description", charge.description)
      .Field("disputed", charge.disputed)
      .NullableField("failure_code", charge.failure_code)
      .NullableField("failure_message", charge.failure_message)
      .NullableField("invoice", charge.invoice)
      .Field("livemode", false);
  json.Key("metadata").BeginObject().EndObject();
  json.Key("outcome")
      .BeginObject()
      .Field("network_status", succeeded ? "approved_by_network" : "declined_by_network")
      .NullableField("reason", charge.decline_code)
      .Field("risk_level", charge.risk_level)
      .Field("type", succeeded ? "authorized" : "issuer_declined")
      .EndObject();
  json.Field("paid", succeeded)
      .NullableField("payment_intent", charge.payment_intent)
      .NullableField("payment_method", charge.payment_method);
  json.Key("payment_method_details").BeginObject().Key("card");
  WriteCardDetails(json, charge.card);
  json.Field("type", "card").EndObject();
  json.Field("refunded", charge.amount_refunded > 0 && charge.amount_refunded == charge.amount)
      .Field("status", charge.status)
      .EndObject();
  return json.Take();
}

std::string ToJson(const RefundRecord& refund) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", refund.id)
      .Field("object", "refund")
      .Field("amount", refund.amount)
      .NullableField("charge", refund.charge)
      .Field("created", refund.created)
      .Field("currency", refund.currency);
  WriteMetadata(json, refund.metadata);
  json.NullableField("payment_intent", refund.payment_intent)
      .NullableField("reason", refund.reason)
      .Field("status", refund.status)
      .EndObject();
  return json.Take();
}

int64_t InvoiceRecord::Total() const {
  int64_t total = 0;
  for (const InvoiceLineRecord& line : lines) total += line.amount;
  return total;
}

std::string ToJson(const PaymentIntentRecord& intent) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", intent.id)
      .Field("object", "payment_intent")
      .Field("amount", intent.amount)
      .Field("amount_received", intent.amount_received)
      .NullableField("cancellation_reason", intent.cancellation_reason)
      .Field("capture_method", intent.capture_method)
      .Field("client_secret", absl::StrCat(intent.id, "_secret_sandbox"))
      .Field("created", intent.created)
      .Field("currency", intent.currency)
      .NullableField("customer", intent.customer)
      .NullableField("description", intent.description)
      .Key("last_payment_error");
  if (intent.last_error_code.empty()) {
    json.Null();
  } else {
    json.BeginObject()
        .Field("code", intent.last_error_code)
        .NullableField("decline_code", intent.last_decline_code)
        .Field("message", intent.last_error_message)
        .Field("type", "card_error")
        .EndObject();
  }
  json.NullableField("latest_charge", intent.latest_charge).Field("livemode", false);
  WriteMetadata(json, intent.metadata);
  json.NullableField("payment_method", intent.payment_method)
      .Field("status", intent.status)
      .EndObject();
  return json.Take();
}

std::string ToJson(const ProductRecord& product) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", product.id)
      .Field("object", "product")
      .Field("active", product.active)
      .Field("created", product.created)
      .NullableField("default_price", product.default_price)
      .NullableField("description", product.description)
      .Field("livemode", false)
      .Field("name", product.name)
      .EndObject();
  return json.Take();
}

std::string ToJson(const PriceRecord& price) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", price.id)
      .Field("object", "price")
      .Field("active", price.active)
      .Field("created", price.created)
      .Field("currency", price.currency)
      .Field("livemode", false)
      .NullableField("nickname", price.nickname)
      .Field("product", price.product)
      .Key("recurring");
  if (price.interval.empty()) {
    json.Null();
  } else {
    json.BeginObject()
        .Field("interval", price.interval)
        .Field("interval_count", price.interval_count)
        .Field("usage_type", "licensed")
        .EndObject();
  }
  json.Field("type", price.interval.empty() ? "one_time" : "recurring")
      .Field("unit_amount", price.unit_amount)
      .EndObject();
  return json.Take();
}

std::string ToJson(const CouponRecord& coupon) {
  JsonWriter json;
  json.BeginObject().Field("id", coupon.id).Field("object", "coupon");
  json.Key("amount_off");
  coupon.amount_off > 0 ? json.Int(coupon.amount_off) : json.Null();
  json.Field("created", coupon.created).NullableField("currency", coupon.currency);
  json.Field("duration", coupon.duration).Key("duration_in_months");
  coupon.duration_in_months > 0 ? json.Int(coupon.duration_in_months) : json.Null();
  json.Field("livemode", false).Key("max_redemptions");
  coupon.max_redemptions > 0 ? json.Int(coupon.max_redemptions) : json.Null();
  json.NullableField("name", coupon.name).Key("percent_off");
  coupon.percent_off > 0 ? json.Raw(absl::StrCat(coupon.percent_off)) : json.Null();
  json.Key("redeem_by");
  coupon.redeem_by > 0 ? json.Int(coupon.redeem_by) : json.Null();
  json.Field("times_redeemed", 0).Field("valid", true).EndObject();
  return json.Take();
}

std::string ToJson(const PromotionCodeRecord& code, const CouponRecord& coupon) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", code.id)
      .Field("object", "promotion_code")
      .Field("active", code.active)
      .Field("code", code.code)
      .Key("coupon")
      .Raw(ToJson(coupon))
      .Field("created", code.created)
      .NullableField("customer", code.customer)
      .Key("expires_at");
  code.expires_at > 0 ? json.Int(code.expires_at) : json.Null();
  json.Field("livemode", false).Key("max_redemptions");
  code.max_redemptions > 0 ? json.Int(code.max_redemptions) : json.Null();
  json.Field("times_redeemed", 0).EndObject();
  return json.Take();
}

std::string ToJson(const SubscriptionRecord& subscription, const PriceRecord& price) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", subscription.id)
      .Field("object", "subscription")
      .Field("cancel_at_period_end", subscription.cancel_at_period_end)
      .Key("canceled_at");
  subscription.canceled_at > 0 ? json.Int(subscription.canceled_at) : json.Null();
  json.Field("created", subscription.created)
      .Field("current_period_end", subscription.current_period_end)
      .Field("current_period_start", subscription.current_period_start)
      .Field("customer", subscription.customer)
      .Key("items")
      .BeginObject()
      .Field("object", "list")
      .Key("data")
      .BeginArray()
      .BeginObject()
      .Field("id", subscription.item_id)
      .Field("object", "subscription_item")
      .Key("price")
      .Raw(ToJson(price))
      .Field("quantity", subscription.quantity)
      .EndObject()
      .EndArray()
      .Field("has_more", false)
      .EndObject()
      .NullableField("latest_invoice", subscription.latest_invoice)
      .Field("livemode", false);
  WriteMetadata(json, subscription.metadata);
  json.Key("pause_collection");
  if (subscription.pause_behavior.empty()) {
    json.Null();
  } else {
    json.BeginObject().Field("behavior", subscription.pause_behavior).Key("resumes_at");
    subscription.pause_resumes_at > 0 ? json.Int(subscription.pause_resumes_at) : json.Null();
    json.EndObject();
  }
  json.Field("status", subscription.status).EndObject();
  return json.Take();
}

std::string ToJson(const InvoiceRecord& invoice) {
  const int64_t total = invoice.Total();
  const bool paid = invoice.status == "paid";
  JsonWriter json;
  json.BeginObject();
  if (!invoice.id.empty()) json.Field("id", invoice.id);
  json.Field("object", "invoice")
      .Field("amount_due", total)
      .Field("amount_paid", invoice.amount_paid)
      .Field("amount_remaining", paid || invoice.status == "void" ? 0 : total - invoice.amount_paid)
      .Field("attempt_count", paid ? 1 : 0)
      .Field("collection_method", invoice.collection_method)
      .Field("created", invoice.created)
      .Field("currency", invoice.currency)
      .Field("customer", invoice.customer)
      .NullableField("description", invoice.description)
      .Key("due_date");
  invoice.due_date > 0 ? json.Int(invoice.due_date) : json.Null();
  json.NullableField("hosted_invoice_url", invoice.hosted_invoice_url)
      .Key("lines")
      .BeginObject()
      .Field("object", "list")
      .Key("data")
      .BeginArray();
  for (const InvoiceLineRecord& line : invoice.lines) {
    json.BeginObject();
    if (!line.id.empty()) json.Field("id", line.id);
    json.Field("object", "line_item")
        .Field("amount", line.amount)
        .Field("currency", line.currency)
        .NullableField("description", line.description)
        .Key("period")
        .BeginObject()
        .Field("end", line.period_end)
        .Field("start", line.period_start)
        .EndObject()
        .NullableField("price", line.price)
        .Field("proration", line.proration)
        .Field("quantity", line.quantity)
        .EndObject();
  }
  json.EndArray().Field("has_more", false).EndObject().Field("livemode", false);
  WriteMetadata(json, invoice.metadata);
  json.Key("next_payment_attempt");
  invoice.next_payment_attempt > 0 ? json.Int(invoice.next_payment_attempt) : json.Null();
  json.NullableField("number", invoice.number)
      .Field("paid", paid)
      .Field("period_end", invoice.period_end)
      .Field("period_start", invoice.period_start)
      .Field("status", invoice.status)
      .NullableField("subscription", invoice.subscription)
      .Field("subtotal", total)
      .Field("total", total)
      .EndObject();
  return json.Take();
}

std::string ToJson(const PaymentLinkRecord& link) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", link.id)
      .Field("object", "payment_link")
      .Field("active", link.active)
      .Field("livemode", false)
      .Field("url", link.url)
      .EndObject();
  return json.Take();
}

std::string ToJson(const EventRecord& event) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", event.id)
      .Field("object", "event")
      .Field("api_version", "2024-06-20")
      .Field("created", event.created)
      .Key("data")
      .BeginObject()
      .Key("object")
      .Raw(event.object_json)
      .EndObject()
      .Field("livemode", false)
      .Field("pending_webhooks", 0)
      .Field("type", event.type)
      .EndObject();
  return json.Take();
}

std::string ToJson(const WebhookEndpointRecord& endpoint, bool with_secret) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", endpoint.id)
      .Field("object", "webhook_endpoint")
      .Field("api_version", "2024-06-20")
      .Field("created", endpoint.created)
      .Field("description", endpoint.description)
      .Key("enabled_events")
      .BeginArray();
  for (const std::string& type : endpoint.enabled_events) json.String(type);
  json.EndArray().Field("livemode", false);
  if (with_secret) json.Field("secret", endpoint.secret);
  json.Field("status", endpoint.enabled ? "enabled" : "disabled")
      .Field("url", endpoint.url)
      .EndObject();
  return json.Take();
}

}  // namespace payvox::sandbox
