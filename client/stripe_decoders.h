// stripe_decoders.h: simdjson on-demand decoders from Stripe's JSON into the
// structs of stripe_objects.h.
//
// Unknown fields are ignored (Stripe adds fields without a version bump);
// a missing required field or a field of the wrong type is an INTERNAL
// status naming the object and field; malformed JSON is INTERNAL too. The
// input is never trusted: no decoder crashes or hangs on any bytes (see
// tests/fuzz/). One simdjson parser is reused per thread. The building
// blocks are in decoding.h.
//
// Bodies whose std::string capacity leaves SIMDJSON_PADDING spare bytes are
// parsed in place; others are copied once into a padded buffer.
#ifndef PAYVOX_CLIENT_STRIPE_DECODERS_H_
#define PAYVOX_CLIENT_STRIPE_DECODERS_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/stripe_objects.h"

namespace payvox::stripe {

absl::StatusOr<Customer> DecodeCustomer(const std::string& body);
absl::StatusOr<List<Customer>> DecodeCustomerList(const std::string& body);
absl::StatusOr<PaymentMethod> DecodePaymentMethod(const std::string& body);
absl::StatusOr<List<PaymentMethod>> DecodePaymentMethodList(const std::string& body);
absl::StatusOr<Charge> DecodeCharge(const std::string& body);
absl::StatusOr<List<Charge>> DecodeChargeList(const std::string& body);
absl::StatusOr<Refund> DecodeRefund(const std::string& body);
absl::StatusOr<List<Refund>> DecodeRefundList(const std::string& body);
absl::StatusOr<PaymentIntent> DecodePaymentIntent(const std::string& body);
absl::StatusOr<List<PaymentIntent>> DecodePaymentIntentList(const std::string& body);
// DecodeErrorBody reads {"error": {...}}.
absl::StatusOr<ErrorBody> DecodeErrorBody(const std::string& body);

// Billing (billing_decoders.cc).
absl::StatusOr<Product> DecodeProduct(const std::string& body);
absl::StatusOr<List<Product>> DecodeProductList(const std::string& body);
absl::StatusOr<Price> DecodePrice(const std::string& body);
absl::StatusOr<List<Price>> DecodePriceList(const std::string& body);
absl::StatusOr<Coupon> DecodeCoupon(const std::string& body);
absl::StatusOr<List<Coupon>> DecodeCouponList(const std::string& body);
absl::StatusOr<PromotionCode> DecodePromotionCode(const std::string& body);
absl::StatusOr<List<PromotionCode>> DecodePromotionCodeList(const std::string& body);
absl::StatusOr<Subscription> DecodeSubscription(const std::string& body);
absl::StatusOr<List<Subscription>> DecodeSubscriptionList(const std::string& body);
// DecodeInvoice also reads upcoming invoices, which have no id.
absl::StatusOr<Invoice> DecodeInvoice(const std::string& body);
absl::StatusOr<List<Invoice>> DecodeInvoiceList(const std::string& body);

// Account, links and events (account_decoders.cc).
absl::StatusOr<PaymentLink> DecodePaymentLink(const std::string& body);
absl::StatusOr<List<PaymentLink>> DecodePaymentLinkList(const std::string& body);
absl::StatusOr<BillingPortalSession> DecodeBillingPortalSession(const std::string& body);
absl::StatusOr<Balance> DecodeBalance(const std::string& body);
absl::StatusOr<BalanceTransaction> DecodeBalanceTransaction(const std::string& body);
absl::StatusOr<List<BalanceTransaction>> DecodeBalanceTransactionList(const std::string& body);
absl::StatusOr<Event> DecodeEvent(const std::string& body);
absl::StatusOr<List<Event>> DecodeEventList(const std::string& body);
absl::StatusOr<WebhookEndpoint> DecodeWebhookEndpoint(const std::string& body);
absl::StatusOr<List<WebhookEndpoint>> DecodeWebhookEndpointList(const std::string& body);

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_DECODERS_H_
