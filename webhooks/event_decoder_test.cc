#include "webhooks/event_decoder.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"

namespace payvox::webhooks {
namespace {

using ::testing::HasSubstr;

// Events come from the sandbox, which records them as Stripe does.
class EventDecoderTest : public ::testing::Test {
 protected:
  EventDecoderTest() : emulator_(clock_, {.id_seed = 3}) { sandbox::SeedDemoData(emulator_); }

  sandbox::EmulatorResponse Call(std::string method, std::string target, std::string body = "") {
    return emulator_.Handle(
        {std::move(method), std::move(target), "Bearer sk_test_x", "", std::move(body)});
  }

  // LatestEvent is the newest event of `type`, as its webhook body.
  std::string LatestEvent(const std::string& type) {
    const std::string list = Call("GET", absl::StrCat("/v1/events?limit=1&type=", type)).body;
    simdjson::dom::parser parser;
    std::string_view id;
    EXPECT_EQ(parser.parse(list)["data"].at(0)["id"].get_string().get(id), simdjson::SUCCESS)
        << list;
    return Call("GET", absl::StrCat("/v1/events/", std::string(id))).body;
  }

  testing::FakeClock clock_;
  sandbox::StripeEmulator emulator_;
};

TEST_F(EventDecoderTest, RefundsAndFailedHandOffsBecomeTypedEvents) {
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=900").status, 200);
  absl::StatusOr<DecodedEvent> refunded = DecodeEvent(LatestEvent("charge.refunded"));
  ASSERT_TRUE(refunded.ok()) << refunded.status();
  EXPECT_TRUE(refunded->typed);
  EXPECT_EQ(refunded->event.customer_id(), "cus_DemoJennyRosen");
  EXPECT_EQ(refunded->event.object_id(), "ch_DemoJennyPlan");
  EXPECT_EQ(refunded->event.amount().display(), "$9.00");
  EXPECT_EQ(refunded->event.say(), "A refund of $9.00 was issued for a payment of $49.00.");

  ASSERT_EQ(Call("POST", "/v1/payment_intents",
                 "amount=2000&currency=usd&customer=cus_DemoJennyRosen"
                 "&metadata%5Bpayvox_call_id%5D=call-7&metadata%5Bpayvox_handoff_session%5D=hos_1"
                 "&payment_method=pm_card_chargeDeclinedInsufficientFunds&confirm=true")
                .status,
            402);
  absl::StatusOr<DecodedEvent> failed = DecodeEvent(LatestEvent("payment_intent.payment_failed"));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->event.call_id(), "call-7");
  EXPECT_EQ(failed->handoff_session_id, "hos_1");
  EXPECT_EQ(failed->event.failure_reason(), "the bank declined it for insufficient funds");
  EXPECT_THAT(failed->event.say(), HasSubstr("$20.00 didn't go through"));
}

TEST_F(EventDecoderTest, SubscriptionAndInvoiceEvents) {
  ASSERT_EQ(
      Call("POST", "/v1/subscriptions/sub_DemoJennyPro", "pause_collection%5Bbehavior%5D=void")
          .status,
      200);
  absl::StatusOr<DecodedEvent> paused = DecodeEvent(LatestEvent("customer.subscription.paused"));
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_EQ(paused->event.say(), "The Pro monthly subscription was paused.");
  ASSERT_EQ(Call("POST", "/v1/invoices/in_DemoSamOpen/void").status, 200);
  absl::StatusOr<DecodedEvent> voided = DecodeEvent(LatestEvent("invoice.voided"));
  ASSERT_TRUE(voided.ok()) << voided.status();
  EXPECT_FALSE(voided->typed);  // not one of api.md's types: stored as generic
  EXPECT_EQ(voided->event.object_id(), "in_DemoSamOpen");
  EXPECT_EQ(voided->event.customer_id(), "cus_DemoSamLee");
}

TEST_F(EventDecoderTest, MalformedBodiesAreRefusedNamingWhy) {
  EXPECT_FALSE(DecodeEvent("").ok());
  EXPECT_FALSE(DecodeEvent("{").ok());
  EXPECT_FALSE(DecodeEvent(R"({"id":"evt_1","object":"event"})").ok());
  EXPECT_FALSE(DecodeEvent(R"({"id":"x","object":"event","type":"charge.failed",
                               "data":{"object":{"id":"ch_1","object":"charge"}}})")
                   .ok());
  const absl::StatusOr<DecodedEvent> bad_charge =
      DecodeEvent(R"({"id":"evt_1","object":"event","type":"charge.failed","created":1,
                      "data":{"object":{"id":"ch_1","object":"charge","amount":"lots"}}})");
  ASSERT_FALSE(bad_charge.ok());
  EXPECT_THAT(std::string(bad_charge.status().message()), HasSubstr("charge.failed"));
}

}  // namespace
}  // namespace payvox::webhooks
