// objects.h: the sandbox's Stripe objects and their JSON in Stripe's shape.
#ifndef PAYVOX_SANDBOX_OBJECTS_H_
#define PAYVOX_SANDBOX_OBJECTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace payvox::sandbox {

using Metadata = std::map<std::string, std::string>;

struct CustomerRecord {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  std::string description;
  int64_t created = 0;
  Metadata metadata;
  bool deleted = false;
};

struct CardRecord {
  // The payment method id, "pm_...".
  std::string id;
  std::string customer;
  std::string brand;
  std::string last4;
  int64_t exp_month = 0;
  int64_t exp_year = 0;
  int64_t created = 0;
};

struct ChargeRecord {
  std::string id;
  std::string customer;
  int64_t amount = 0;
  int64_t amount_refunded = 0;
  std::string currency;
  std::string description;
  std::string invoice;
  std::string payment_intent;
  std::string payment_method;
  // "succeeded" or "failed".
  std::string status;
  std::string failure_code;
  std::string failure_message;
  std::string decline_code;
  std::string risk_level = "normal";
  bool disputed = false;
  // False for an authorization waiting for capture (capture_method manual).
  bool captured = true;
  int64_t created = 0;
  CardRecord card;
};

struct RefundRecord {
  std::string id;
  std::string charge;
  std::string payment_intent;
  int64_t amount = 0;
  std::string currency;
  std::string reason;
  std::string status = "succeeded";
  int64_t created = 0;
  Metadata metadata;
};

struct PaymentIntentRecord {
  std::string id;
  std::string customer;
  int64_t amount = 0;
  int64_t amount_received = 0;
  std::string currency;
  std::string description;
  std::string status = "requires_payment_method";
  // "automatic" or "manual".
  std::string capture_method = "automatic";
  std::string payment_method;
  std::string latest_charge;
  std::string cancellation_reason;
  // last_payment_error, after a declined confirmation.
  std::string last_error_code;
  std::string last_decline_code;
  std::string last_error_message;
  int64_t created = 0;
  Metadata metadata;
};

struct ProductRecord {
  std::string id;
  std::string name;
  std::string description;
  std::string default_price;
  bool active = true;
  int64_t created = 0;
};

struct PriceRecord {
  std::string id;
  std::string product;
  std::string currency;
  int64_t unit_amount = 0;
  std::string nickname;
  // Empty for a one-time price; otherwise "day", "week", "month" or "year".
  std::string interval;
  int64_t interval_count = 1;
  bool active = true;
  int64_t created = 0;
};

struct CouponRecord {
  std::string id;
  std::string name;
  double percent_off = 0;
  int64_t amount_off = 0;
  std::string currency;
  std::string duration;
  int64_t duration_in_months = 0;
  int64_t max_redemptions = 0;
  int64_t redeem_by = 0;
  int64_t created = 0;
};

struct PromotionCodeRecord {
  std::string id;
  std::string code;
  std::string coupon;
  std::string customer;
  int64_t max_redemptions = 0;
  int64_t expires_at = 0;
  bool active = true;
  int64_t created = 0;
};

struct SubscriptionRecord {
  std::string id;
  std::string customer;
  std::string status = "active";
  // The single item's id, price and quantity.
  std::string item_id;
  std::string price;
  int64_t quantity = 1;
  int64_t current_period_start = 0;
  int64_t current_period_end = 0;
  bool cancel_at_period_end = false;
  int64_t canceled_at = 0;
  std::string cancellation_comment;
  // pause_collection; empty when collecting.
  std::string pause_behavior;
  int64_t pause_resumes_at = 0;
  std::string latest_invoice;
  int64_t created = 0;
  Metadata metadata;
};

struct InvoiceLineRecord {
  std::string id;
  int64_t amount = 0;
  std::string currency;
  std::string description;
  int64_t quantity = 1;
  std::string price;
  int64_t period_start = 0;
  int64_t period_end = 0;
  bool proration = false;
};

struct InvoiceRecord {
  std::string id;  // empty for an upcoming invoice
  std::string customer;
  std::string subscription;
  std::string number;
  std::string status = "draft";
  std::string currency = "usd";
  // "charge_automatically" or "send_invoice".
  std::string collection_method = "charge_automatically";
  std::string description;
  int64_t amount_paid = 0;
  int64_t created = 0;
  int64_t due_date = 0;
  int64_t period_start = 0;
  int64_t period_end = 0;
  int64_t next_payment_attempt = 0;
  std::string hosted_invoice_url;
  std::vector<InvoiceLineRecord> lines;
  Metadata metadata;

  int64_t Total() const;
};

struct PaymentLinkRecord {
  std::string id;
  std::string url;
  std::string price;
  int64_t quantity = 1;
  bool active = true;
};

struct WebhookEndpointRecord {
  std::string id;
  std::string url;
  // whsec_...; Stripe shows it only in the answer to the creation.
  std::string secret;
  // Event types sent to the endpoint; "*" for all.
  std::vector<std::string> enabled_events;
  std::string description;
  int64_t created = 0;
  bool enabled = true;
};

struct EventRecord {
  std::string id;
  std::string type;
  int64_t created = 0;
  // data.object as it was when the event happened.
  std::string object_json;
};

std::string ToJson(const CustomerRecord& customer);
std::string ToJson(const CardRecord& card);
std::string ToJson(const ChargeRecord& charge);
std::string ToJson(const RefundRecord& refund);
std::string ToJson(const PaymentIntentRecord& intent);
std::string ToJson(const ProductRecord& product);
std::string ToJson(const PriceRecord& price);
std::string ToJson(const CouponRecord& coupon);
// A promotion code embeds its coupon, as Stripe does.
std::string ToJson(const PromotionCodeRecord& code, const CouponRecord& coupon);
// A subscription embeds its item's price.
std::string ToJson(const SubscriptionRecord& subscription, const PriceRecord& price);
std::string ToJson(const InvoiceRecord& invoice);
std::string ToJson(const PaymentLinkRecord& link);
std::string ToJson(const EventRecord& event);
// The secret is written only when `with_secret` (the creation's answer).
std::string ToJson(const WebhookEndpointRecord& endpoint, bool with_secret);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_OBJECTS_H_
