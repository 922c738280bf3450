#include "sandbox/emulator.h"

#include "client/stripe_decoders.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::sandbox {
namespace {

using ::testing::HasSubstr;

class EmulatorTest : public ::testing::Test {
 protected:
  EmulatorTest() : emulator_(clock_, {.id_seed = 7}) { SeedDemoData(emulator_); }

  EmulatorResponse Call(std::string method, std::string target, std::string body = "",
                        std::string idempotency_key = "",
                        std::string authorization = "Bearer sk_test_sandbox") {
    return emulator_.Handle({std::move(method), std::move(target), std::move(authorization),
                             std::move(idempotency_key), std::move(body)});
  }

  static std::string Header(const EmulatorResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  testing::FakeClock clock_;
  StripeEmulator emulator_;
};

TEST_F(EmulatorTest, AcceptsOnlyTestSecretAndRestrictedKeys) {
  EXPECT_EQ(Call("GET", "/v1/customers", "", "", "").status, 401);
  EXPECT_THAT(Call("GET", "/v1/customers", "", "", "Bearer pk_test_1").body,
              HasSubstr("publishable"));
  EXPECT_EQ(Call("GET", "/v1/customers", "", "", "Bearer sk_live_1").status, 401);
  EXPECT_EQ(Call("GET", "/v1/customers", "", "", "Bearer rk_test_1").status, 200);
  // HTTP Basic with the key as user name, as Stripe accepts it.
  EXPECT_EQ(Call("GET", "/v1/customers", "", "", "Basic c2tfdGVzdF8xOg==").status, 200);
}

TEST_F(EmulatorTest, ListsCustomersByEmailInStripesEnvelope) {
  EmulatorResponse response = Call("GET", "/v1/customers?email=sam.lee%40example.com&limit=10");
  ASSERT_EQ(response.status, 200) << response.body;
  auto list = stripe::DecodeCustomerList(response.body);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->data.size(), 2u);
  EXPECT_EQ(list->data[0].id, "cus_DemoSamanthaLee");  // newest first
  EXPECT_FALSE(list->has_more);
  EXPECT_THAT(response.body, HasSubstr(R"("object":"list")"));
}

TEST_F(EmulatorTest, SearchesCustomersByPhoneAndEmail) {
  auto phone = stripe::DecodeCustomerList(
      Call("GET", "/v1/customers/search?query=phone%3A%22%2B14155550101%22").body);
  ASSERT_TRUE(phone.ok()) << phone.status();
  ASSERT_EQ(phone->data.size(), 1u);
  EXPECT_EQ(phone->data[0].name, "Jenny Rosen");
  EXPECT_EQ(Call("GET", "/v1/customers/search?query=bogus").status, 400);
  EXPECT_EQ(Call("GET", "/v1/customers/search").status, 400);
}

TEST_F(EmulatorTest, PaginatesChargesNewestFirst) {
  auto first =
      stripe::DecodeChargeList(Call("GET", "/v1/charges?customer=cus_DemoJennyRosen&limit=2").body);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->data.size(), 2u);
  EXPECT_TRUE(first->has_more);
  EXPECT_EQ(first->data[0].id, "ch_DemoJennyDuplicate");
  EXPECT_EQ(first->data[0].card.last4, "4242");
  auto second = stripe::DecodeChargeList(
      Call("GET",
           "/v1/charges?customer=cus_DemoJennyRosen&limit=2&starting_after=" + first->data[1].id)
          .body);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->data.size(), 1u);
  EXPECT_EQ(second->data[0].id, "ch_DemoJennyFailed");
  EXPECT_EQ(second->data[0].status, "failed");
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(Call("GET", "/v1/charges?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/v1/charges?limit=2&starting_after=ch_nope").status, 404);
}

TEST_F(EmulatorTest, RefundsPartiallyThenRefusesOverRefundAndRepeat) {
  EmulatorResponse partial =
      Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=900", "k1");
  ASSERT_EQ(partial.status, 200) << partial.body;
  EmulatorResponse over = Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=4001", "k2");
  EXPECT_EQ(over.status, 400);
  EXPECT_THAT(over.body, HasSubstr("amount_too_large"));
  EXPECT_THAT(over.body, HasSubstr("$40.00"));
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan", "k3").status, 200);
  auto charge = stripe::DecodeCharge(Call("GET", "/v1/charges/ch_DemoJennyPlan").body);
  ASSERT_TRUE(charge.ok());
  EXPECT_EQ(charge->amount_refunded, 4900);
  EXPECT_TRUE(charge->refunded);
  EmulatorResponse again = Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan", "k4");
  EXPECT_EQ(again.status, 400);
  EXPECT_THAT(again.body, HasSubstr("charge_already_refunded"));
}

TEST_F(EmulatorTest, RefundValidation) {
  EXPECT_THAT(Call("POST", "/v1/refunds", "", "a").body, HasSubstr("parameter_missing"));
  EXPECT_EQ(Call("POST", "/v1/refunds", "charge=ch_nope", "b").status, 404);
  EXPECT_THAT(Call("POST", "/v1/refunds", "charge=ch_DemoJennyFailed", "c").body,
              HasSubstr("charge_not_refundable"));
  EXPECT_THAT(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=-5", "d").body,
              HasSubstr("amount_too_small"));
  EXPECT_THAT(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=abc", "e").body,
              HasSubstr("parameter_invalid_integer"));
  EXPECT_THAT(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&reason=because", "f").body,
              HasSubstr("Invalid reason"));
  EXPECT_THAT(Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&colour=red", "g").body,
              HasSubstr("parameter_unknown"));
  EXPECT_EQ(Call("POST", "/v1/refunds", "charge=%zz", "h").status, 400);
}

TEST_F(EmulatorTest, RefundsByPaymentIntentWithMetadata) {
  EmulatorResponse response = Call(
      "POST", "/v1/refunds", "payment_intent=pi_DemoJennyDuplicate&metadata%5Bcall_id%5D=c-1", "k");
  ASSERT_EQ(response.status, 200) << response.body;
  auto refund = stripe::DecodeRefund(response.body);
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->charge, "ch_DemoJennyDuplicate");
  EXPECT_THAT(response.body, HasSubstr(R"("call_id":"c-1")"));
  auto listed =
      stripe::DecodeRefundList(Call("GET", "/v1/refunds?charge=ch_DemoJennyDuplicate").body);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->data.size(), 1u);
}

TEST_F(EmulatorTest, IdempotencyKeyReplaysTheFirstAnswerAndRefusesOtherParameters) {
  EmulatorResponse first =
      Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=100", "same");
  ASSERT_EQ(first.status, 200);
  EmulatorResponse replay =
      Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=100", "same");
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(Header(replay, "Idempotent-Replayed"), "true");
  auto charge = stripe::DecodeCharge(Call("GET", "/v1/charges/ch_DemoJennyPlan").body);
  EXPECT_EQ(charge->amount_refunded, 100);  // refunded once

  EmulatorResponse mismatch =
      Call("POST", "/v1/refunds", "charge=ch_DemoJennyPlan&amount=200", "same");
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_THAT(mismatch.body, HasSubstr("idempotency_error"));

  // Errors are saved too: the same failing request replays its error.
  EmulatorResponse failed = Call("POST", "/v1/refunds", "charge=ch_nope", "bad");
  EXPECT_EQ(Call("POST", "/v1/refunds", "charge=ch_nope", "bad").body, failed.body);
}

TEST_F(EmulatorTest, CreatesAndRetrievesCustomersWithSeededIds) {
  EmulatorResponse created =
      Call("POST", "/v1/customers", "email=new%40example.com&name=New+One&metadata%5Bk%5D=v", "c1");
  ASSERT_EQ(created.status, 200) << created.body;
  auto customer = stripe::DecodeCustomer(created.body);
  ASSERT_TRUE(customer.ok());
  EXPECT_EQ(customer->name, "New One");
  EXPECT_EQ(Call("GET", "/v1/customers/" + customer->id).status, 200);
  EXPECT_EQ(Call("POST", "/v1/customers", "email=not-an-email", "c2").status, 400);

  // Same seed, same ids.
  testing::FakeClock clock;
  StripeEmulator twin(clock, {.id_seed = 7});
  auto twin_customer = stripe::DecodeCustomer(
      twin.Handle({"POST", "/v1/customers", "Bearer sk_test_x", "c1", "email=a%40b.c"}).body);
  EXPECT_EQ(twin_customer->id, customer->id);
}

TEST_F(EmulatorTest, CardsAndUnknownRoutes) {
  auto cards = stripe::DecodePaymentMethodList(
      Call("GET", "/v1/customers/cus_DemoSamLee/payment_methods?type=card").body);
  ASSERT_TRUE(cards.ok()) << cards.status();
  ASSERT_EQ(cards->data.size(), 1u);
  EXPECT_EQ(cards->data[0].card.brand, "amex");
  EXPECT_EQ(Call("GET", "/v1/customers/cus_nope/payment_methods").status, 404);
  EXPECT_EQ(Call("GET", "/v1/payment_methods/pm_DemoSamAmex").status, 200);
  EmulatorResponse unknown = Call("DELETE", "/v1/charges");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("Unrecognized request URL"));
}

// The routing table: a literal segment wins over an id in its place, an id
// route answers for the object it names, and a path one segment longer or
// shorter than every pattern is unrecognized.
TEST_F(EmulatorTest, TheRoutingTableMatchesWholePaths) {
  EXPECT_EQ(Call("GET", "/v1/customers/search?query=email%3A%22x%40y.z%22").status, 200);
  EXPECT_EQ(Call("GET", "/v1/customers/cus_DemoSamLee").status, 200);
  EmulatorResponse missing = Call("GET", "/v1/charges/ch_nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("No such charge"));
  for (const char* target : {"/v1/customers/cus_DemoSamLee/payment_methods/pm_1",
                             "/v1/balance/extra", "/v1/charges/ch_1/capture/now"}) {
    const EmulatorResponse response = Call("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_THAT(response.body, HasSubstr("Unrecognized request URL")) << target;
  }
}

TEST_F(EmulatorTest, PathsOutsideTheApiAreUnrecognized) {
  for (const char* target : {"/", "", "/v1", "/v2/charges", "//"}) {
    for (const char* method : {"GET", "POST", "DELETE"}) {
      const EmulatorResponse response = Call(method, target);
      EXPECT_EQ(response.status, 404) << method << " " << target;
      EXPECT_THAT(response.body, HasSubstr("Unrecognized request URL"));
    }
  }
}

}  // namespace
}  // namespace payvox::sandbox
