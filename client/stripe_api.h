// stripe_api.h: typed Stripe calls built on a StripeClient.
//
// StripeApi turns a call such as ListCharges(filter) into the right path and
// parameters, validates every id it puts into a path, and decodes the answer
// with client/stripe_decoders.h. It holds no state beyond the client
// reference, so one instance per tenant is cheap; it is thread-safe when the
// client is.
#ifndef PAYVOX_CLIENT_STRIPE_API_H_
#define PAYVOX_CLIENT_STRIPE_API_H_

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/search_query.h"
#include "client/stripe_client.h"
#include "client/stripe_objects.h"

namespace payvox::stripe {

template <typename T>
using Async = boost::asio::awaitable<absl::StatusOr<T>>;

// CallOptions bound one Stripe call.
struct CallOptions {
  CallBounds bounds;
  // Required by the write calls (see common/idempotency_key.h).
  std::string idempotency_key;
};

struct ChargeFilter {
  std::string customer;
  std::string payment_intent;
  // 1 to 100.
  int limit = 10;
  std::string starting_after;
};

struct RefundParams {
  // Exactly one of charge and payment_intent.
  std::string charge;
  std::string payment_intent;
  // Zero: the whole refundable amount.
  int64_t amount = 0;
  // "", "duplicate", "fraudulent" or "requested_by_customer".
  std::string reason;
  Metadata metadata;
};

// Metadata: written as metadata[key]=value.
using Metadata = std::vector<std::pair<std::string, std::string>>;

struct CouponParams {
  // Exactly one of percent_off (more than 0, at most 100) and amount_off
  // (with its currency).
  double percent_off = 0;
  int64_t amount_off = 0;
  std::string currency;
  // "once", "repeating" (with duration_in_months) or "forever".
  std::string duration = "once";
  int duration_in_months = 0;
  // Zero: unset.
  int64_t max_redemptions = 0;
  int64_t redeem_by = 0;
  Metadata metadata;
};

struct PromotionCodeParams {
  std::string coupon;
  std::string code;
  // Set: only this customer can redeem it.
  std::string customer;
  int64_t max_redemptions = 0;
};

// SubscriptionChange: the fields of POST /v1/subscriptions/{id} payvox sets.
struct SubscriptionChange {
  bool cancel_at_period_end = false;
  std::string cancellation_comment;
  // pause_collection[behavior]=void, until resumes_at (0: until resumed).
  bool pause_collection = false;
  int64_t pause_resumes_at = 0;
  // Unsets pause_collection.
  bool resume_collection = false;
  // A plan change: the item's new price, prorated as told.
  std::string item_id;
  std::string price_id;
  std::string proration_behavior;
  int64_t proration_date = 0;
};

// InvoicePreview: the customer's upcoming invoice, with a plan change
// previewed when item_id is set.
struct InvoicePreview {
  std::string customer;
  std::string subscription;
  std::string item_id;
  std::string price_id;
  std::string proration_behavior;
  int64_t proration_date = 0;
};

enum class InvoiceTransition { kSend, kVoid, kFinalize };

struct InvoiceParams {
  std::string customer;
  std::string currency;
  // Above zero: sent for payment by email, due in that many days; zero: the
  // card on file is charged.
  int days_until_due = 0;
  std::string description;
  Metadata metadata;
};

struct InvoiceItemParams {
  std::string customer;
  std::string invoice;
  std::string currency;
  int64_t unit_amount = 0;
  int64_t quantity = 1;
  std::string description;
};

struct PaymentIntentParams {
  int64_t amount = 0;
  std::string currency;
  std::string customer;
  std::string description;
  Metadata metadata;
};

struct WebhookEndpointParams {
  std::string url;
  std::vector<std::string> enabled_events;
  std::string description;
  Metadata metadata;
};

// ValidateStripeId returns INVALID_ARGUMENT naming `field` unless `id` is
// non-empty, at most 255 characters of [A-Za-z0-9_], and starts with one of
// `prefixes` (e.g. {"ch_", "py_"}).
absl::Status ValidateStripeId(absl::string_view field, absl::string_view id,
                              std::initializer_list<absl::string_view> prefixes);

class StripeApi {
 public:
  // `client` must outlive this object.
  explicit StripeApi(StripeClient& client) : client_(client) {}

  Mode mode() const { return client_.mode(); }

  Async<Customer> GetCustomer(std::string customer_id, CallOptions options);
  // ListCustomersByEmail uses the list endpoint's exact email filter.
  Async<List<Customer>> ListCustomersByEmail(std::string email, int limit, CallOptions options);
  // SearchCustomers uses Stripe Search (results lag writes by up to a minute).
  Async<List<Customer>> SearchCustomers(SearchQuery query, int limit, CallOptions options);
  // ListCards lists the customer's card payment methods.
  Async<List<PaymentMethod>> ListCards(std::string customer_id, CallOptions options);
  Async<List<Charge>> ListCharges(ChargeFilter filter, CallOptions options);
  Async<Charge> GetCharge(std::string charge_id, CallOptions options);
  Async<Refund> CreateRefund(RefundParams params, CallOptions options);
  // ListRefunds lists the refunds of a charge ("ch_", "py_") or payment
  // intent ("pi_"), newest first, up to `limit` (1 to 100); with
  // `starting_after` (a refund id), the page after that refund.
  Async<List<Refund>> ListRefunds(std::string charge_or_intent, int limit, CallOptions options);
  Async<List<Refund>> ListRefunds(std::string charge_or_intent, int limit,
                                  std::string starting_after, CallOptions options);

  Async<Refund> GetRefund(std::string refund_id, CallOptions options);
  Async<PaymentIntent> GetPaymentIntent(std::string payment_intent_id, CallOptions options);
  Async<PaymentIntent> CreatePaymentIntent(PaymentIntentParams params, CallOptions options);

  // client/stripe_billing_api.cc: coupons, subscriptions, invoices, links.
  Async<Coupon> CreateCoupon(CouponParams params, CallOptions options);
  Async<PromotionCode> CreatePromotionCode(PromotionCodeParams params, CallOptions options);
  Async<Subscription> GetSubscription(std::string subscription_id, CallOptions options);
  Async<List<Subscription>> ListSubscriptions(std::string customer_id, int limit,
                                              CallOptions options);
  Async<Subscription> UpdateSubscription(std::string subscription_id, SubscriptionChange change,
                                         CallOptions options);
  // CancelSubscriptionNow ends it today (DELETE); a cancellation at the
  // period's end is UpdateSubscription with cancel_at_period_end.
  Async<Subscription> CancelSubscriptionNow(std::string subscription_id, std::string comment,
                                            CallOptions options);
  // ResumeSubscription resumes a subscription whose status is paused.
  Async<Subscription> ResumeSubscription(std::string subscription_id, CallOptions options);
  Async<Invoice> GetInvoice(std::string invoice_id, CallOptions options);
  // ListInvoices: `status` empty for all.
  Async<List<Invoice>> ListInvoices(std::string customer_id, std::string status, int limit,
                                    CallOptions options);
  Async<Invoice> PreviewInvoice(InvoicePreview preview, CallOptions options);
  Async<Invoice> TransitionInvoice(std::string invoice_id, InvoiceTransition transition,
                                   CallOptions options);
  Async<Invoice> CreateInvoice(InvoiceParams params, CallOptions options);
  Async<StripeResponse> AddInvoiceItem(InvoiceItemParams params, CallOptions options);
  Async<PaymentLink> CreatePaymentLink(std::string price_id, int64_t quantity, CallOptions options);
  Async<BillingPortalSession> CreatePortalSession(std::string customer_id, std::string return_url,
                                                  CallOptions options);

  // The account: the balance answers any valid key; ProbeList asks for one
  // object of a resource ("charges", "customers") to learn whether a
  // restricted key may read it.
  Async<Balance> GetBalance(CallOptions options);
  Async<StripeResponse> ProbeList(std::string resource, CallOptions options);
  Async<WebhookEndpoint> CreateWebhookEndpoint(WebhookEndpointParams params, CallOptions options);

  // Send sends a request built from an endpoint of the long tail
  // (client/stripe_endpoints.h, ids already checked) and returns Stripe's
  // 2xx answer.
  Async<StripeResponse> Send(HttpMethod method, std::string path, FormParams params,
                             CallOptions options);

 private:
  StripeClient& client_;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_API_H_
