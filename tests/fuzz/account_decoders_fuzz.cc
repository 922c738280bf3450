// Fuzzes the account, links and events decoder family (payment links,
// billing portal sessions, balance, balance transactions, events, webhook
// endpoints) with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/stripe_decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)payvox::stripe::DecodePaymentLink(body);
  (void)payvox::stripe::DecodePaymentLinkList(body);
  (void)payvox::stripe::DecodeBillingPortalSession(body);
  (void)payvox::stripe::DecodeBalance(body);
  (void)payvox::stripe::DecodeBalanceTransaction(body);
  (void)payvox::stripe::DecodeBalanceTransactionList(body);
  (void)payvox::stripe::DecodeEvent(body);
  (void)payvox::stripe::DecodeEventList(body);
  (void)payvox::stripe::DecodeWebhookEndpoint(body);
  (void)payvox::stripe::DecodeWebhookEndpointList(body);
  return 0;
}
