#include "client/stripe_api.h"

#include "client/testing/fake_stripe_client.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(StripeApiTest, ListChargesBuildsTheQuery) {
  testing::FakeStripeClient stripe;
  stripe.Answer("GET /v1/charges", 200, R"({"object":"list","data":[],"has_more":false})");
  StripeApi api(stripe);
  auto charges = RunCoroutine(
      api.ListCharges({.customer = "cus_1", .limit = 5, .starting_after = "ch_9"}, {}));
  ASSERT_TRUE(charges.ok()) << charges.status();
  ASSERT_EQ(stripe.requests().size(), 1u);
  EXPECT_THAT(
      stripe.requests()[0].params.entries(),
      ElementsAre(Pair("customer", "cus_1"), Pair("starting_after", "ch_9"), Pair("limit", "5")));
}

TEST(StripeApiTest, RefundCarriesIdempotencyKeyAndMetadata) {
  testing::FakeStripeClient stripe;
  stripe.Answer(
      "POST /v1/refunds", 200,
      R"({"id":"re_1","amount":500,"currency":"usd","charge":"ch_1","status":"succeeded"})");
  StripeApi api(stripe);
  auto refund = RunCoroutine(api.CreateRefund(
      {.charge = "ch_1", .amount = 500, .reason = "duplicate", .metadata = {{"call_id", "c1"}}},
      {.idempotency_key = "pvx_abc"}));
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(refund->id, "re_1");
  const StripeRequest sent = stripe.requests().at(0);
  EXPECT_EQ(sent.idempotency_key, "pvx_abc");
  EXPECT_THAT(sent.params.entries(),
              ElementsAre(Pair("charge", "ch_1"), Pair("amount", "500"),
                          Pair("reason", "duplicate"), Pair("metadata[call_id]", "c1")));
}

TEST(StripeApiTest, IdsAreValidatedBeforeTheyReachAPath) {
  testing::FakeStripeClient stripe;
  StripeApi api(stripe);
  EXPECT_THAT(RunCoroutine(api.GetCustomer("../v1/balance", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("customer_id")));
  EXPECT_THAT(RunCoroutine(api.GetCharge("cus_1", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ch_")));
  EXPECT_THAT(RunCoroutine(api.GetCharge("", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  EXPECT_THAT(RunCoroutine(api.ListCharges({.limit = 101}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_THAT(RunCoroutine(api.CreateRefund({.charge = "ch_1", .payment_intent = "pi_1"}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(stripe.requests().empty());
}

TEST(StripeApiTest, StripeErrorsAndUndecodableBodiesSurface) {
  testing::FakeStripeClient stripe;
  stripe.Answer(
      "GET /v1/charges/ch_404", 404,
      R"({"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such charge: 'ch_404'"}})");
  stripe.Answer("GET /v1/charges/ch_bad", 200, R"({"id":"ch_bad"})");
  StripeApi api(stripe);
  EXPECT_THAT(RunCoroutine(api.GetCharge("ch_404", {})), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RunCoroutine(api.GetCharge("ch_bad", {})), StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace payvox::stripe
