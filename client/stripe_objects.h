// stripe_objects.h: plain structs for the Stripe objects payvox reads.
//
// Field names follow Stripe's. Strings Stripe sends as null are empty here;
// an expanded object in an id field is reduced to its id. Decoders live in
// stripe_decoders.h.
#ifndef PAYVOX_CLIENT_STRIPE_OBJECTS_H_
#define PAYVOX_CLIENT_STRIPE_OBJECTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace payvox::stripe {

using Metadata = std::vector<std::pair<std::string, std::string>>;

struct Card {
  std::string brand;
  std::string last4;
  int64_t exp_month = 0;
  int64_t exp_year = 0;
};

struct Customer {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  int64_t created = 0;
  bool deleted = false;
};

struct PaymentMethod {
  std::string id;
  std::string type;
  std::string customer;
  Card card;  // set when type == "card"
};

struct Charge {
  std::string id;
  int64_t amount = 0;
  int64_t amount_refunded = 0;
  std::string currency;
  std::string customer;
  std::string description;
  std::string invoice;
  std::string payment_intent;
  // "succeeded", "pending" or "failed".
  std::string status;
  std::string failure_code;
  std::string failure_message;
  // outcome.risk_level: "normal", "elevated", "highest".
  std::string risk_level;
  // outcome.reason: the decline code of a failed charge, e.g.
  // "insufficient_funds".
  std::string outcome_reason;
  int64_t created = 0;
  bool paid = false;
  bool refunded = false;
  bool disputed = false;
  // payment_method_details.card, when paid by card.
  Card card;
};

struct Refund {
  std::string id;
  int64_t amount = 0;
  std::string currency;
  std::string charge;
  std::string payment_intent;
  std::string reason;
  // "pending", "succeeded", "failed", "canceled", "requires_action".
  std::string status;
  int64_t created = 0;
  Metadata metadata;
};

struct PaymentIntent {
  std::string id;
  int64_t amount = 0;
  int64_t amount_received = 0;
  std::string currency;
  std::string customer;
  std::string description;
  // "requires_payment_method", "requires_confirmation", "requires_action",
  // "processing", "requires_capture", "canceled" or "succeeded".
  std::string status;
  std::string payment_method;
  std::string latest_charge;
  std::string cancellation_reason;
  // What a payment page or DTMF provider needs to confirm the intent; not a
  // key, but never logged or spoken.
  std::string client_secret;
  // last_payment_error.code / .decline_code / .message.
  std::string last_error_code;
  std::string last_decline_code;
  std::string last_error_message;
  int64_t created = 0;
  Metadata metadata;
};

struct Product {
  std::string id;
  std::string name;
  std::string description;
  std::string default_price;
  bool active = false;
};

struct Price {
  std::string id;
  std::string product;
  std::string currency;
  int64_t unit_amount = 0;
  std::string nickname;
  // "one_time" or "recurring".
  std::string type;
  // recurring.interval ("day", "week", "month", "year") and interval_count.
  std::string interval;
  int64_t interval_count = 0;
  bool active = false;
};

struct Coupon {
  std::string id;
  std::string name;
  // Exactly one of percent_off and amount_off (with currency) is set.
  double percent_off = 0;
  int64_t amount_off = 0;
  std::string currency;
  // "once", "repeating" or "forever".
  std::string duration;
  int64_t duration_in_months = 0;
  int64_t max_redemptions = 0;
  int64_t times_redeemed = 0;
  int64_t redeem_by = 0;
  bool valid = false;
};

struct PromotionCode {
  std::string id;
  std::string code;
  Coupon coupon;
  std::string customer;
  bool active = false;
  int64_t max_redemptions = 0;
  int64_t times_redeemed = 0;
  int64_t expires_at = 0;
};

struct SubscriptionItem {
  std::string id;
  Price price;
  int64_t quantity = 0;
};

struct Subscription {
  std::string id;
  std::string customer;
  // "trialing", "active", "past_due", "unpaid", "canceled", "incomplete",
  // "incomplete_expired" or "paused".
  std::string status;
  int64_t current_period_start = 0;
  int64_t current_period_end = 0;
  bool cancel_at_period_end = false;
  int64_t cancel_at = 0;
  int64_t canceled_at = 0;
  int64_t trial_end = 0;
  // pause_collection.behavior and .resumes_at; empty when not paused.
  std::string pause_behavior;
  int64_t pause_resumes_at = 0;
  std::string latest_invoice;
  int64_t created = 0;
  std::vector<SubscriptionItem> items;
  Metadata metadata;
};

struct InvoiceLine {
  std::string id;
  int64_t amount = 0;
  std::string currency;
  std::string description;
  int64_t quantity = 0;
  std::string price;
  int64_t period_start = 0;
  int64_t period_end = 0;
  bool proration = false;
};

struct Invoice {
  std::string id;  // empty for an upcoming invoice
  std::string customer;
  std::string subscription;
  std::string number;
  // "draft", "open", "paid", "uncollectible" or "void".
  std::string status;
  std::string currency;
  int64_t amount_due = 0;
  int64_t amount_paid = 0;
  int64_t amount_remaining = 0;
  int64_t subtotal = 0;
  int64_t total = 0;
  int64_t created = 0;
  int64_t due_date = 0;
  int64_t period_start = 0;
  int64_t period_end = 0;
  int64_t next_payment_attempt = 0;
  int64_t attempt_count = 0;
  bool paid = false;
  std::string hosted_invoice_url;
  std::vector<InvoiceLine> lines;
  bool lines_has_more = false;
};

struct PaymentLink {
  std::string id;
  std::string url;
  bool active = false;
};

struct BillingPortalSession {
  std::string id;
  std::string customer;
  std::string url;
  std::string return_url;
  int64_t created = 0;
};

struct BalanceAmount {
  int64_t amount = 0;
  std::string currency;
};

struct Balance {
  std::vector<BalanceAmount> available;
  std::vector<BalanceAmount> pending;
  bool livemode = false;
};

struct BalanceTransaction {
  std::string id;
  int64_t amount = 0;
  int64_t fee = 0;
  int64_t net = 0;
  std::string currency;
  std::string type;
  std::string status;
  std::string source;
  std::string description;
  int64_t available_on = 0;
  int64_t created = 0;
};

struct Event {
  std::string id;
  // "charge.refunded", "invoice.payment_failed", ...
  std::string type;
  std::string api_version;
  int64_t created = 0;
  bool livemode = false;
  // data.object as sent, for the decoder of its type, and its "object" and
  // "id" fields.
  std::string object_json;
  std::string object_type;
  std::string object_id;
};

struct WebhookEndpoint {
  std::string id;
  std::string url;
  std::string status;
  std::string api_version;
  std::vector<std::string> enabled_events;
  // whsec_...: only in the answer to creating the endpoint. A secret.
  std::string secret;
  int64_t created = 0;
};

// List is a list or search_result envelope.
template <typename T>
struct List {
  std::vector<T> data;
  bool has_more = false;
};

// ErrorBody is Stripe's {"error": {...}}.
struct ErrorBody {
  std::string type;
  std::string code;
  std::string decline_code;
  std::string message;
  std::string param;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_OBJECTS_H_
