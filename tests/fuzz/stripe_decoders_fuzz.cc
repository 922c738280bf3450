// Fuzzes the payments decoder family (customers, payment methods, charges,
// refunds, payment intents) and the error mapping with arbitrary bytes as
// they could arrive from a Stripe-compatible server.
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/stripe_decoders.h"
#include "client/stripe_errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)payvox::stripe::DecodeCustomer(body);
  (void)payvox::stripe::DecodeCustomerList(body);
  (void)payvox::stripe::DecodePaymentMethodList(body);
  (void)payvox::stripe::DecodeCharge(body);
  (void)payvox::stripe::DecodeChargeList(body);
  (void)payvox::stripe::DecodeRefund(body);
  (void)payvox::stripe::DecodeRefundList(body);
  (void)payvox::stripe::DecodePaymentMethod(body);
  (void)payvox::stripe::DecodePaymentIntent(body);
  (void)payvox::stripe::DecodePaymentIntentList(body);
  (void)payvox::stripe::StripeErrorToStatus(402, body, "req_fuzz");
  return 0;
}
