// stripe_endpoints.h: the Stripe endpoints the action catalog's long tail
// calls (actions/catalog_runner.h), and how JSON arguments become one of
// their requests. Each endpoint is a method and a path template whose ids
// are named arguments with the prefixes they must carry:
// "/v1/customers/{customer_id:cus_}". Named after the catalog action that
// calls it.
//
//   absl::StatusOr<EndpointCall> call =
//       BuildEndpointCall(endpoints::kUpdateCustomer, R"({"customer_id":"cus_1","name":"J"})");
//   call->path    // "/v1/customers/cus_1"
//   call->params  // name=J
//
// The rest of the arguments become, for a /search path, a Stripe Search
// query built from typed clauses (strings quoted and escaped, numbers as
// digits: no argument can change the query's meaning), and otherwise form
// parameters in Stripe's bracket notation.
#ifndef PAYVOX_CLIENT_STRIPE_ENDPOINTS_H_
#define PAYVOX_CLIENT_STRIPE_ENDPOINTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/stripe_client.h"
#include "common/form_codec.h"

namespace payvox::stripe {

struct Endpoint {
  HttpMethod method = HttpMethod::kGet;
  std::string_view path;
};

// EndpointCall: one request to an endpoint, built from JSON arguments.
struct EndpointCall {
  HttpMethod method = HttpMethod::kGet;
  std::string path;
  FormParams params;
  // The path up to and including its first id ("/v1/customers/cus_1"): the
  // object the request acts on; empty when the path names none.
  std::string object_path;
  // The last id in the path ("cus_1"); empty when none.
  std::string last_id;
};

// BuildEndpointCall: INVALID_ARGUMENT naming the argument when the
// arguments are not a JSON object, a path id is missing or malformed, or a
// search has nothing to search by.
absl::StatusOr<EndpointCall> BuildEndpointCall(const Endpoint& endpoint,
                                               std::string_view arguments_json);

namespace endpoints {

inline constexpr Endpoint kSearchCustomers{HttpMethod::kGet, "/v1/customers/search"};
inline constexpr Endpoint kCreateCustomer{HttpMethod::kPost, "/v1/customers"};
inline constexpr Endpoint kUpdateCustomer{HttpMethod::kPost, "/v1/customers/{customer_id:cus_}"};
inline constexpr Endpoint kDeleteCustomer{HttpMethod::kDelete, "/v1/customers/{customer_id:cus_}"};
inline constexpr Endpoint kSearchCharges{HttpMethod::kGet, "/v1/charges/search"};
inline constexpr Endpoint kCaptureCharge{HttpMethod::kPost,
                                         "/v1/charges/{charge_id:ch_,py_}/capture"};
inline constexpr Endpoint kListPaymentIntents{HttpMethod::kGet, "/v1/payment_intents"};
inline constexpr Endpoint kGetPaymentIntent{HttpMethod::kGet,
                                            "/v1/payment_intents/{payment_intent_id:pi_}"};
inline constexpr Endpoint kSearchPaymentIntents{HttpMethod::kGet, "/v1/payment_intents/search"};
inline constexpr Endpoint kCreatePaymentIntent{HttpMethod::kPost, "/v1/payment_intents"};
inline constexpr Endpoint kCancelPaymentIntent{
    HttpMethod::kPost, "/v1/payment_intents/{payment_intent_id:pi_}/cancel"};
inline constexpr Endpoint kCapturePaymentIntent{
    HttpMethod::kPost, "/v1/payment_intents/{payment_intent_id:pi_}/capture"};
inline constexpr Endpoint kListPaymentMethods{HttpMethod::kGet,
                                              "/v1/customers/{customer_id:cus_}/payment_methods"};
inline constexpr Endpoint kGetPaymentMethod{HttpMethod::kGet,
                                            "/v1/payment_methods/{payment_method_id:pm_,card_}"};
inline constexpr Endpoint kDetachPaymentMethod{
    HttpMethod::kPost, "/v1/payment_methods/{payment_method_id:pm_,card_}/detach"};
inline constexpr Endpoint kGetBalance{HttpMethod::kGet, "/v1/balance"};
inline constexpr Endpoint kListBalanceTransactions{HttpMethod::kGet, "/v1/balance_transactions"};
inline constexpr Endpoint kGetBalanceTransaction{
    HttpMethod::kGet, "/v1/balance_transactions/{balance_transaction_id:txn_}"};
inline constexpr Endpoint kListEvents{HttpMethod::kGet, "/v1/events"};
inline constexpr Endpoint kGetEvent{HttpMethod::kGet, "/v1/events/{event_id:evt_}"};
inline constexpr Endpoint kListPaymentLinks{HttpMethod::kGet, "/v1/payment_links"};
inline constexpr Endpoint kListCoupons{HttpMethod::kGet, "/v1/coupons"};
inline constexpr Endpoint kGetCoupon{HttpMethod::kGet, "/v1/coupons/{coupon_id:}"};
inline constexpr Endpoint kListPromotionCodes{HttpMethod::kGet, "/v1/promotion_codes"};
inline constexpr Endpoint kGetPromotionCode{HttpMethod::kGet,
                                            "/v1/promotion_codes/{promotion_code_id:promo_}"};
inline constexpr Endpoint kSearchSubscriptions{HttpMethod::kGet, "/v1/subscriptions/search"};
inline constexpr Endpoint kCreateSubscription{HttpMethod::kPost, "/v1/subscriptions"};
inline constexpr Endpoint kUpdateSubscription{HttpMethod::kPost,
                                              "/v1/subscriptions/{subscription_id:sub_}"};
inline constexpr Endpoint kSearchInvoices{HttpMethod::kGet, "/v1/invoices/search"};
inline constexpr Endpoint kListProducts{HttpMethod::kGet, "/v1/products"};
inline constexpr Endpoint kGetProduct{HttpMethod::kGet, "/v1/products/{product_id:prod_}"};
inline constexpr Endpoint kListPrices{HttpMethod::kGet, "/v1/prices"};
inline constexpr Endpoint kGetPrice{HttpMethod::kGet, "/v1/prices/{price_id:price_}"};
inline constexpr Endpoint kCreatePrice{HttpMethod::kPost, "/v1/prices"};

}  // namespace endpoints
}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_ENDPOINTS_H_
