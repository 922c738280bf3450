// emulator.h: StripeEmulator, the sandbox's model of Stripe's HTTP API.
//
// It speaks Stripe's wire format without any I/O of its own: a request goes
// in as method, target, headers and body, and a response comes out with
// Stripe's status code and JSON. sandbox/http_server.h puts it on a socket;
// tests may call Handle() directly.
//
// Implemented (docs/sandbox.md lists every endpoint): customers (create,
// retrieve, update, delete, list, search), card payment methods (list,
// retrieve, detach), charges (list, retrieve, search, capture), refunds,
// payment intents (create, confirm with test payment methods, retrieve,
// list, search, cancel, capture), products, prices, coupons, promotion codes,
// subscriptions (create, update, pause and resume collection, cancel),
// invoices and invoice items (draft, finalize, send, void, upcoming with
// proration preview, search), payment links, billing portal sessions,
// balance, balance transactions and events (recorded as objects change).
// Stripe's state rules are enforced: a canceled subscription cannot be
// paused, only open invoices can be voided, refunds cannot exceed the
// charge, only requires_capture intents can be captured... Rules common to
// every endpoint:
// Bearer or Basic auth with test keys only (401 otherwise), form-encoded
// bodies with bracket notation, unknown parameters refused, list envelopes
// with has_more and starting_after, error bodies with type/code/param,
// Idempotency-Key replay (same key and body: the saved answer with
// Idempotent-Replayed: true) and mismatch (400 idempotency_error).
//
// Thread-safe: one mutex guards all state.
#ifndef PAYVOX_SANDBOX_EMULATOR_H_
#define PAYVOX_SANDBOX_EMULATOR_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/form_codec.h"
#include "sandbox/objects.h"

namespace payvox::sandbox {

struct EmulatorRequest {
  std::string method;
  // Path and query, e.g. "/v1/charges?customer=cus_1&limit=3".
  std::string target;
  std::string authorization;
  std::string idempotency_key;
  std::string body;
};

struct EmulatorResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A webhook delivery waiting to be signed and POSTed to an endpoint
// (sandbox/webhook_sender.h does that).
struct WebhookDelivery {
  std::string endpoint_id;
  std::string url;
  std::string secret;
  std::string event_id;
  std::string event_type;
  // The event as Stripe sends it.
  std::string payload;
};

struct EmulatorOptions {
  // Ids of created objects come from a generator seeded with this value, so
  // a seeded sandbox creates the same ids in every run. Zero: random seed.
  uint64_t id_seed = 0;
};

class StripeEmulator {
 public:
  // `clock` stamps `created` and must outlive the emulator.
  StripeEmulator(const Clock& clock, EmulatorOptions options);

  EmulatorResponse Handle(const EmulatorRequest& request);
  // RequestsHandled counts the requests Handle answered, whatever their
  // outcome (tests count the Stripe requests an action made).
  int64_t RequestsHandled() const { return requests_handled_.load(); }

  // Seeding, for demo data and tests. Records keep the ids they are given.
  void AddCustomer(CustomerRecord customer);
  void AddCard(CardRecord card);
  void AddCharge(ChargeRecord charge);
  void AddPaymentIntent(PaymentIntentRecord intent);
  void AddProduct(ProductRecord product);
  void AddPrice(PriceRecord price);
  void AddSubscription(SubscriptionRecord subscription);
  void AddInvoice(InvoiceRecord invoice);

  const Clock& clock() const { return clock_; }

  // NextDelivery waits up to `wait` for the oldest webhook delivery not yet
  // taken. Events are queued for every enabled endpoint whose
  // enabled_events match when they happen; at most kMaxPendingDeliveries
  // wait (older ones are dropped and counted).
  std::optional<WebhookDelivery> NextDelivery(absl::Duration wait);
  int64_t dropped_deliveries();
  static constexpr size_t kMaxPendingDeliveries = 10000;

 private:
  struct SavedAnswer {
    std::string fingerprint;
    EmulatorResponse response;
  };
  using Params = FormParams;

  // Routing is a table (emulator_routes.cc): a method and a path pattern,
  // "/v1/customers/{}/payment_methods" ({} stands for one id), to the
  // handler that answers it. The first entry that matches answers.
  struct RouteMatch {
    // The ids the pattern's {} matched, in order.
    std::vector<std::string> ids;
    const Params& params;
  };
  using RouteHandler = EmulatorResponse (StripeEmulator::*)(const RouteMatch&);
  struct RouteEntry {
    std::string_view method;
    std::string_view pattern;
    RouteHandler handler;
  };
  static std::span<const RouteEntry> Routes();
  // WithParams adapts a handler that needs only the parameters.
  template <EmulatorResponse (StripeEmulator::*Handler)(const Params&)>
  EmulatorResponse WithParams(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (this->*Handler)(match.params);
  }
  EmulatorResponse Route(const std::string& method, const std::vector<std::string>& path,
                         const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveCustomer(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCustomerCards(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListPaymentMethods(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrievePaymentMethod(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveCharge(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveRefund(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCustomers(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchCustomers(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateCustomer(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCards(const std::string& customer, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCharges(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateRefund(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListRefunds(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewId(absl::string_view prefix) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // RecordEvent keeps an event with `object_json` as its data.object.
  void RecordEvent(absl::string_view type, std::string object_json)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // emulator_payments.cc: customers' updates, payment intents, charge search
  // and capture, payment method detach, balance and events.
  EmulatorResponse ChangeCustomer(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse DeleteCustomer(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrievePaymentIntent(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ActOnPaymentIntent: POST /v1/payment_intents/{id}/{confirm,cancel,capture}.
  EmulatorResponse ActOnPaymentIntent(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CaptureChargeById(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse DetachPaymentMethod(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse GetBalance(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListBalanceTransactions(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveBalanceTransaction(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveEvent(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse UpdateCustomer(CustomerRecord& customer, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreatePaymentIntent(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListPaymentIntents(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchPaymentIntents(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ConfirmPaymentIntent(PaymentIntentRecord& intent, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CancelPaymentIntent(PaymentIntentRecord& intent, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CapturePaymentIntent(PaymentIntentRecord& intent, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchCharges(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CaptureCharge(ChargeRecord& charge, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse Balance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Balance transactions are derived from charges and refunds: one per
  // succeeded, captured charge ("txn_" + charge id) and per refund, newest
  // first, as (id, JSON).
  std::vector<std::pair<std::string, std::string>> BalanceTransactions(absl::string_view type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListEvents(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // emulator_webhooks.cc: webhook endpoints (create, list, retrieve, update,
  // delete) and the deliveries of recorded events.
  EmulatorResponse ListWebhookEndpoints(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveWebhookEndpoint(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ChangeWebhookEndpoint(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse DeleteWebhookEndpoint(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateWebhookEndpoint(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse UpdateWebhookEndpoint(WebhookEndpointRecord& endpoint, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void QueueDeliveries(const EventRecord& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // emulator_billing.cc: products, prices, coupons, promotion codes,
  // subscriptions, invoices, payment links and portal sessions.
  EmulatorResponse ListProducts(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveProduct(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListPrices(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrievePrice(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCoupons(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveCoupon(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrievePromotionCode(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveSubscription(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ChangeSubscription(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CancelSubscriptionById(const RouteMatch& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ResumeSubscription(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrieveInvoice(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ActOnInvoice: POST /v1/invoices/{id}/{finalize,send,void,pay,...}.
  EmulatorResponse ActOnInvoice(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListPaymentLinks(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse RetrievePaymentLink(const RouteMatch& match) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreatePrice(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateCoupon(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreatePromotionCode(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListPromotionCodes(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // emulator_subscriptions.cc: subscriptions and invoices.
  EmulatorResponse ListSubscriptions(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchSubscriptions(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateSubscription(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse UpdateSubscription(SubscriptionRecord& subscription, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CancelSubscription(SubscriptionRecord& subscription, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListInvoices(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchInvoices(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateInvoice(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateInvoiceItem(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ChangeInvoice(InvoiceRecord& invoice, absl::string_view action,
                                 const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse UpcomingInvoice(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreatePaymentLink(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreatePortalSession(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string SubscriptionJson(const SubscriptionRecord& subscription) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string PromotionCodeJson(const PromotionCodeRecord& code) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  std::atomic<int64_t> requests_handled_{0};
  std::mutex mu_;
  std::mt19937_64 ids_ ABSL_GUARDED_BY(mu_);
  // Objects in creation order; lists answer newest first.
  std::vector<CustomerRecord> customers_ ABSL_GUARDED_BY(mu_);
  std::vector<CardRecord> cards_ ABSL_GUARDED_BY(mu_);
  std::vector<ChargeRecord> charges_ ABSL_GUARDED_BY(mu_);
  std::vector<RefundRecord> refunds_ ABSL_GUARDED_BY(mu_);
  std::vector<PaymentIntentRecord> intents_ ABSL_GUARDED_BY(mu_);
  std::vector<ProductRecord> products_ ABSL_GUARDED_BY(mu_);
  std::vector<PriceRecord> prices_ ABSL_GUARDED_BY(mu_);
  std::vector<CouponRecord> coupons_ ABSL_GUARDED_BY(mu_);
  std::vector<PromotionCodeRecord> promotion_codes_ ABSL_GUARDED_BY(mu_);
  std::vector<SubscriptionRecord> subscriptions_ ABSL_GUARDED_BY(mu_);
  std::vector<InvoiceRecord> invoices_ ABSL_GUARDED_BY(mu_);
  // Invoice items not yet on an invoice, with their customer.
  std::vector<std::pair<std::string, InvoiceLineRecord>> pending_items_ ABSL_GUARDED_BY(mu_);
  std::vector<PaymentLinkRecord> payment_links_ ABSL_GUARDED_BY(mu_);
  std::vector<EventRecord> events_ ABSL_GUARDED_BY(mu_);
  std::vector<WebhookEndpointRecord> webhook_endpoints_ ABSL_GUARDED_BY(mu_);
  std::deque<WebhookDelivery> deliveries_ ABSL_GUARDED_BY(mu_);
  int64_t dropped_deliveries_ ABSL_GUARDED_BY(mu_) = 0;
  std::condition_variable delivery_ready_;
  int64_t invoice_numbers_ ABSL_GUARDED_BY(mu_) = 0;
  // (api key, Idempotency-Key) -> first answer.
  absl::flat_hash_map<std::string, SavedAnswer> idempotency_ ABSL_GUARDED_BY(mu_);
};

// SandboxAccounts gives multi-tenant tests separate Stripe accounts: keys
// "sk_test_tenant_<name>..." and "rk_test_tenant_<name>..." reach an empty
// account of their own per <name> (letters and digits; at most 100
// accounts); every other key reaches `primary`. Thread-safe.
class SandboxAccounts {
 public:
  explicit SandboxAccounts(StripeEmulator& primary) : primary_(primary) {}
  EmulatorResponse Handle(const EmulatorRequest& request);

 private:
  StripeEmulator& primary_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<StripeEmulator>> accounts_ ABSL_GUARDED_BY(mu_);
};

// ApiKeyOf reads the key of a "Bearer <key>" or HTTP Basic Authorization
// header; empty when there is none.
std::string ApiKeyOf(absl::string_view authorization);

// SeedDemoData adds the demo customers, cards and charges described in
// docs/sandbox.md (a duplicate charge and a failed one among them), all
// with fixed ids.
void SeedDemoData(StripeEmulator& emulator);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_EMULATOR_H_
