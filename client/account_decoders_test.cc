#include "client/stripe_decoders.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(AccountDecodersTest, DecodesAnEventKeepingItsObjectForLater) {
  absl::StatusOr<Event> event = DecodeEvent(R"({
    "id": "evt_1", "object": "event", "type": "charge.refunded", "api_version": "2024-06-20",
    "created": 1790000000, "livemode": false, "pending_webhooks": 1,
    "data": {"object": {"id": "ch_1", "object": "charge", "amount": 500, "currency": "usd",
                        "refunded": true}, "previous_attributes": {"refunded": false}}
  })");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->id, "evt_1");
  EXPECT_EQ(event->type, "charge.refunded");
  EXPECT_EQ(event->object_type, "charge");
  EXPECT_EQ(event->object_id, "ch_1");
  // The kept object decodes with its own decoder.
  absl::StatusOr<Charge> charge = DecodeCharge(event->object_json);
  ASSERT_TRUE(charge.ok()) << charge.status();
  EXPECT_TRUE(charge->refunded);

  EXPECT_THAT(DecodeEvent(R"({"id": "evt_1", "type": "x", "data": {}})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("data.object")));
  EXPECT_THAT(DecodeEvent(R"({"id": "evt_1", "type": "x"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("data")));
  absl::StatusOr<List<Event>> events = DecodeEventList(R"({"object": "list", "has_more": true,
    "data": [{"id": "evt_2", "type": "invoice.paid", "data": {"object": {"id": "in_1",
      "object": "invoice"}}}]})");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_TRUE(events->has_more);
  EXPECT_EQ(events->data[0].object_type, "invoice");
}

TEST(AccountDecodersTest, DecodesBalanceAndBalanceTransactions) {
  absl::StatusOr<Balance> balance = DecodeBalance(R"({"object": "balance", "livemode": false,
    "available": [{"amount": 12000, "currency": "usd", "source_types": {"card": 12000}}],
    "pending": [{"amount": 300, "currency": "eur"}]})");
  ASSERT_TRUE(balance.ok()) << balance.status();
  ASSERT_EQ(balance->available.size(), 1u);
  EXPECT_EQ(balance->available[0].amount, 12000);
  EXPECT_EQ(balance->pending[0].currency, "eur");
  EXPECT_THAT(DecodeBalance(R"({"available": [{"currency": "usd"}]})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("amount")));

  absl::StatusOr<List<BalanceTransaction>> transactions =
      DecodeBalanceTransactionList(R"({"object": "list", "has_more": false, "data": [
        {"id": "txn_1", "amount": 4900, "fee": 172, "net": 4728, "currency": "usd",
         "type": "charge", "status": "available", "source": {"id": "ch_1"},
         "available_on": 1790100000, "created": 1790000000, "description": null}]})");
  ASSERT_TRUE(transactions.ok()) << transactions.status();
  EXPECT_EQ(transactions->data[0].net, 4728);
  EXPECT_EQ(transactions->data[0].source, "ch_1");
}

TEST(AccountDecodersTest, DecodesLinksPortalSessionsAndWebhookEndpoints) {
  absl::StatusOr<PaymentLink> link =
      DecodePaymentLink(R"({"id": "plink_1", "url": "https://buy.stripe.com/x", "active": true})");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->url, "https://buy.stripe.com/x");
  absl::StatusOr<BillingPortalSession> session = DecodeBillingPortalSession(
      R"({"id": "bps_1", "object": "billing_portal.session", "customer": "cus_1",
          "url": "https://billing.stripe.com/p/session/x", "return_url": null, "created": 5})");
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->customer, "cus_1");
  EXPECT_THAT(DecodeBillingPortalSession(R"({"id": "bps_1"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("url")));

  absl::StatusOr<WebhookEndpoint> endpoint = DecodeWebhookEndpoint(R"({"id": "we_1",
    "url": "https://payvox.example/stripe", "status": "enabled", "secret": "whsec_abc",
    "enabled_events": ["charge.refunded", "invoice.payment_failed"], "created": 7})");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_THAT(endpoint->enabled_events, ElementsAre("charge.refunded", "invoice.payment_failed"));
  EXPECT_EQ(endpoint->secret, "whsec_abc");
  EXPECT_THAT(DecodeWebhookEndpoint(R"({"id": "we_1", "url": "u", "enabled_events": [1]})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("enabled_events")));
}

}  // namespace
}  // namespace payvox::stripe
