#include "client/stripe_decoders.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kCharge[] = R"({
  "id": "ch_3Demo", "object": "charge", "amount": 4900, "amount_refunded": 900,
  "currency": "usd", "customer": "cus_Jenny", "description": "Pro plan",
  "invoice": {"id": "in_1", "object": "invoice"}, "payment_intent": null,
  "status": "succeeded", "failure_code": null, "failure_message": null,
  "created": 1790000000, "paid": true, "refunded": false, "disputed": false,
  "outcome": {"risk_level": "normal", "reason": null, "type": "authorized"},
  "payment_method_details": {"type": "card",
    "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030,
             "checks": {"cvc_check": "pass"}}},
  "metadata": {"a": "b"}, "some_future_field": [1, {"x": null}]
})";

TEST(StripeDecodersTest, DecodesAChargeIgnoringUnknownFields) {
  absl::StatusOr<Charge> charge = DecodeCharge(kCharge);
  ASSERT_TRUE(charge.ok()) << charge.status();
  EXPECT_EQ(charge->id, "ch_3Demo");
  EXPECT_EQ(charge->amount, 4900);
  EXPECT_EQ(charge->amount_refunded, 900);
  EXPECT_EQ(charge->currency, "usd");
  EXPECT_EQ(charge->customer, "cus_Jenny");
  EXPECT_EQ(charge->invoice, "in_1");  // expanded object reduced to its id
  EXPECT_EQ(charge->payment_intent, "");
  EXPECT_EQ(charge->status, "succeeded");
  EXPECT_EQ(charge->risk_level, "normal");
  EXPECT_TRUE(charge->paid);
  EXPECT_EQ(charge->card.brand, "visa");
  EXPECT_EQ(charge->card.last4, "4242");
  EXPECT_EQ(charge->card.exp_year, 2030);
}

TEST(StripeDecodersTest, DecodesListsAndSearchResults) {
  const std::string list =
      std::string(R"({"object":"list","url":"/v1/charges","has_more":true,"data":[)") + kCharge +
      "," + kCharge + "]}";
  absl::StatusOr<List<Charge>> charges = DecodeChargeList(list);
  ASSERT_TRUE(charges.ok()) << charges.status();
  EXPECT_EQ(charges->data.size(), 2u);
  EXPECT_TRUE(charges->has_more);

  absl::StatusOr<List<Customer>> customers = DecodeCustomerList(
      R"({"object":"search_result","data":[{"id":"cus_1","email":"a@b.c","name":null}],"has_more":false,"next_page":null})");
  ASSERT_TRUE(customers.ok()) << customers.status();
  ASSERT_EQ(customers->data.size(), 1u);
  EXPECT_EQ(customers->data[0].email, "a@b.c");
  EXPECT_EQ(customers->data[0].name, "");
}

TEST(StripeDecodersTest, DecodesPaymentMethodsRefundsAndErrors) {
  absl::StatusOr<PaymentMethod> method = DecodePaymentMethod(
      R"({"id":"pm_1","type":"card","customer":"cus_1","card":{"brand":"mastercard","last4":"4444"}})");
  ASSERT_TRUE(method.ok()) << method.status();
  EXPECT_EQ(method->card.last4, "4444");

  absl::StatusOr<Refund> refund = DecodeRefund(
      R"({"id":"re_1","amount":100,"currency":"usd","charge":"ch_1","status":"succeeded","reason":"duplicate"})");
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(refund->reason, "duplicate");

  absl::StatusOr<ErrorBody> error = DecodeErrorBody(
      R"({"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","param":null}})");
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_EQ(error->decline_code, "insufficient_funds");
  EXPECT_EQ(error->param, "");
}

TEST(StripeDecodersTest, MissingRequiredFieldsAreNamed) {
  EXPECT_THAT(DecodeCharge(R"({"id":"ch_1","currency":"usd"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"amount\" is missing")));
  EXPECT_THAT(DecodeCustomer(R"({"email":"x"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"id\" is missing")));
  EXPECT_THAT(DecodeChargeList(R"({"object":"list","has_more":false})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"data\" is missing")));
}

TEST(StripeDecodersTest, WrongTypesAreNamed) {
  EXPECT_THAT(DecodeCharge(R"({"id":"ch_1","amount":"4900","currency":"usd"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"amount\" is not a number")));
  EXPECT_THAT(DecodeCharge(R"({"id":"ch_1","amount":49.5,"currency":"usd"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("64-bit integer")));
  EXPECT_THAT(DecodeCharge(R"({"id":7,"amount":1,"currency":"usd"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"id\" is not a string")));
  EXPECT_THAT(DecodeChargeList(R"({"object":"charge","data":[]})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("is not a list")));
  EXPECT_THAT(DecodeChargeList(R"({"data":[1]})"), StatusIs(absl::StatusCode::kInternal));
}

TEST(StripeDecodersTest, MalformedJsonIsAnErrorNotACrash) {
  for (const char* body : {"", "{", "[]", "null", R"({"id":"ch_1")", R"({"id":"ch_1",})",
                           R"({"id":"ch_1","amount":1,"currency":"usd"} trailing)", "\xff\xfe",
                           R"({"id":"ch_\u00"})"}) {
    EXPECT_FALSE(DecodeCharge(body).ok()) << body;
  }
}

TEST(StripeDecodersTest, DecodesAPaymentIntentWithItsLastError) {
  absl::StatusOr<PaymentIntent> intent = DecodePaymentIntent(R"({
    "id": "pi_1", "object": "payment_intent", "amount": 2500, "amount_received": 0,
    "currency": "eur", "customer": "cus_1", "status": "requires_payment_method",
    "payment_method": null, "latest_charge": {"id": "ch_9"}, "cancellation_reason": null,
    "created": 1790000000, "metadata": {"payvox_session": "hs_1"},
    "last_payment_error": {"type": "card_error", "code": "card_declined",
                           "decline_code": "insufficient_funds", "message": "Declined"}
  })");
  ASSERT_TRUE(intent.ok()) << intent.status();
  EXPECT_EQ(intent->status, "requires_payment_method");
  EXPECT_EQ(intent->latest_charge, "ch_9");
  EXPECT_EQ(intent->last_decline_code, "insufficient_funds");
  ASSERT_EQ(intent->metadata.size(), 1u);
  EXPECT_EQ(intent->metadata[0].second, "hs_1");
  EXPECT_THAT(DecodePaymentIntent(R"({"id": "pi_1", "currency": "eur"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("amount")));
}

}  // namespace
}  // namespace payvox::stripe
