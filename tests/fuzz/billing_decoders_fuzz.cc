// Fuzzes the billing decoder family (products, prices, coupons, promotion
// codes, subscriptions, invoices) with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/stripe_decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)payvox::stripe::DecodeProduct(body);
  (void)payvox::stripe::DecodeProductList(body);
  (void)payvox::stripe::DecodePrice(body);
  (void)payvox::stripe::DecodePriceList(body);
  (void)payvox::stripe::DecodeCoupon(body);
  (void)payvox::stripe::DecodeCouponList(body);
  (void)payvox::stripe::DecodePromotionCode(body);
  (void)payvox::stripe::DecodePromotionCodeList(body);
  (void)payvox::stripe::DecodeSubscription(body);
  (void)payvox::stripe::DecodeSubscriptionList(body);
  (void)payvox::stripe::DecodeInvoice(body);
  (void)payvox::stripe::DecodeInvoiceList(body);
  return 0;
}
