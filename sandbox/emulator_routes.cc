// StripeEmulator's routes: (method, path pattern) -> handler, by resource.
// A {} in a pattern stands for one id; the first entry that matches
// answers, so a literal segment ("search") comes before {} in its place.
#include <array>

#include "sandbox/emulator.h"

namespace payvox::sandbox {

std::span<const StripeEmulator::RouteEntry> StripeEmulator::Routes() {
  using E = StripeEmulator;
  static constexpr std::array kRoutes = {
      // Customers and their cards (emulator.cc, emulator_payments.cc).
      RouteEntry{"GET", "/v1/customers", &E::WithParams<&E::ListCustomers>},
      RouteEntry{"POST", "/v1/customers", &E::WithParams<&E::CreateCustomer>},
      RouteEntry{"GET", "/v1/customers/search", &E::WithParams<&E::SearchCustomers>},
      RouteEntry{"GET", "/v1/customers/{}", &E::RetrieveCustomer},
      RouteEntry{"POST", "/v1/customers/{}", &E::ChangeCustomer},
      RouteEntry{"DELETE", "/v1/customers/{}", &E::DeleteCustomer},
      RouteEntry{"GET", "/v1/customers/{}/payment_methods", &E::ListCustomerCards},
      RouteEntry{"GET", "/v1/payment_methods", &E::ListPaymentMethods},
      RouteEntry{"GET", "/v1/payment_methods/{}", &E::RetrievePaymentMethod},
      RouteEntry{"POST", "/v1/payment_methods/{}/detach", &E::DetachPaymentMethod},
      // Charges, refunds and payment intents.
      RouteEntry{"GET", "/v1/charges", &E::WithParams<&E::ListCharges>},
      RouteEntry{"GET", "/v1/charges/search", &E::WithParams<&E::SearchCharges>},
      RouteEntry{"GET", "/v1/charges/{}", &E::RetrieveCharge},
      RouteEntry{"POST", "/v1/charges/{}/capture", &E::CaptureChargeById},
      RouteEntry{"GET", "/v1/refunds", &E::WithParams<&E::ListRefunds>},
      RouteEntry{"POST", "/v1/refunds", &E::WithParams<&E::CreateRefund>},
      RouteEntry{"GET", "/v1/refunds/{}", &E::RetrieveRefund},
      RouteEntry{"GET", "/v1/payment_intents", &E::WithParams<&E::ListPaymentIntents>},
      RouteEntry{"POST", "/v1/payment_intents", &E::WithParams<&E::CreatePaymentIntent>},
      RouteEntry{"GET", "/v1/payment_intents/search", &E::WithParams<&E::SearchPaymentIntents>},
      RouteEntry{"GET", "/v1/payment_intents/{}", &E::RetrievePaymentIntent},
      RouteEntry{"POST", "/v1/payment_intents/{}/{}", &E::ActOnPaymentIntent},
      // The balance and events.
      RouteEntry{"GET", "/v1/balance", &E::GetBalance},
      RouteEntry{"GET", "/v1/balance_transactions", &E::ListBalanceTransactions},
      RouteEntry{"GET", "/v1/balance_transactions/{}", &E::RetrieveBalanceTransaction},
      RouteEntry{"GET", "/v1/events", &E::WithParams<&E::ListEvents>},
      RouteEntry{"GET", "/v1/events/{}", &E::RetrieveEvent},
      // Products, prices, coupons and promotion codes (emulator_billing.cc).
      RouteEntry{"GET", "/v1/products", &E::ListProducts},
      RouteEntry{"GET", "/v1/products/{}", &E::RetrieveProduct},
      RouteEntry{"GET", "/v1/prices", &E::ListPrices},
      RouteEntry{"POST", "/v1/prices", &E::WithParams<&E::CreatePrice>},
      RouteEntry{"GET", "/v1/prices/{}", &E::RetrievePrice},
      RouteEntry{"GET", "/v1/coupons", &E::ListCoupons},
      RouteEntry{"POST", "/v1/coupons", &E::WithParams<&E::CreateCoupon>},
      RouteEntry{"GET", "/v1/coupons/{}", &E::RetrieveCoupon},
      RouteEntry{"GET", "/v1/promotion_codes", &E::WithParams<&E::ListPromotionCodes>},
      RouteEntry{"POST", "/v1/promotion_codes", &E::WithParams<&E::CreatePromotionCode>},
      RouteEntry{"GET", "/v1/promotion_codes/{}", &E::RetrievePromotionCode},
      // Subscriptions and invoices (emulator_subscriptions.cc).
      RouteEntry{"GET", "/v1/subscriptions", &E::WithParams<&E::ListSubscriptions>},
      RouteEntry{"POST", "/v1/subscriptions", &E::WithParams<&E::CreateSubscription>},
      RouteEntry{"GET", "/v1/subscriptions/search", &E::WithParams<&E::SearchSubscriptions>},
      RouteEntry{"GET", "/v1/subscriptions/{}", &E::RetrieveSubscription},
      RouteEntry{"POST", "/v1/subscriptions/{}", &E::ChangeSubscription},
      RouteEntry{"DELETE", "/v1/subscriptions/{}", &E::CancelSubscriptionById},
      RouteEntry{"POST", "/v1/subscriptions/{}/resume", &E::ResumeSubscription},
      RouteEntry{"GET", "/v1/invoices", &E::WithParams<&E::ListInvoices>},
      RouteEntry{"POST", "/v1/invoices", &E::WithParams<&E::CreateInvoice>},
      RouteEntry{"GET", "/v1/invoices/search", &E::WithParams<&E::SearchInvoices>},
      RouteEntry{"GET", "/v1/invoices/upcoming", &E::WithParams<&E::UpcomingInvoice>},
      RouteEntry{"GET", "/v1/invoices/{}", &E::RetrieveInvoice},
      RouteEntry{"POST", "/v1/invoices/{}/{}", &E::ActOnInvoice},
      RouteEntry{"POST", "/v1/invoiceitems", &E::WithParams<&E::CreateInvoiceItem>},
      // Links.
      RouteEntry{"GET", "/v1/payment_links", &E::ListPaymentLinks},
      RouteEntry{"POST", "/v1/payment_links", &E::WithParams<&E::CreatePaymentLink>},
      RouteEntry{"GET", "/v1/payment_links/{}", &E::RetrievePaymentLink},
      RouteEntry{"POST", "/v1/billing_portal/sessions", &E::WithParams<&E::CreatePortalSession>},
      // Webhook endpoints (emulator_webhooks.cc).
      RouteEntry{"GET", "/v1/webhook_endpoints", &E::ListWebhookEndpoints},
      RouteEntry{"POST", "/v1/webhook_endpoints", &E::WithParams<&E::CreateWebhookEndpoint>},
      RouteEntry{"GET", "/v1/webhook_endpoints/{}", &E::RetrieveWebhookEndpoint},
      RouteEntry{"POST", "/v1/webhook_endpoints/{}", &E::ChangeWebhookEndpoint},
      RouteEntry{"DELETE", "/v1/webhook_endpoints/{}", &E::DeleteWebhookEndpoint},
  };
  return kRoutes;
}

}  // namespace payvox::sandbox
