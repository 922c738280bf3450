#include "client/stripe_decoders.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSubscription[] = R"({
  "id": "sub_1", "object": "subscription", "customer": {"id": "cus_1", "object": "customer"},
  "status": "active", "current_period_start": 1790000000, "current_period_end": 1792592000,
  "cancel_at_period_end": true, "cancel_at": 1792592000, "canceled_at": null, "trial_end": null,
  "pause_collection": {"behavior": "void", "resumes_at": 1795000000},
  "latest_invoice": "in_9", "created": 1780000000, "metadata": {"plan": "pro", "seats": "3"},
  "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=sub_1",
    "data": [{"id": "si_1", "object": "subscription_item", "quantity": 3,
      "price": {"id": "price_pro", "object": "price", "product": "prod_pro", "currency": "usd",
        "unit_amount": 2900, "nickname": "Pro monthly", "type": "recurring", "active": true,
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}}}]}
})";

TEST(BillingDecodersTest, DecodesASubscriptionWithItemsAndPrices) {
  absl::StatusOr<Subscription> subscription = DecodeSubscription(kSubscription);
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  EXPECT_EQ(subscription->id, "sub_1");
  EXPECT_EQ(subscription->customer, "cus_1");
  EXPECT_EQ(subscription->status, "active");
  EXPECT_EQ(subscription->current_period_end, 1792592000);
  EXPECT_TRUE(subscription->cancel_at_period_end);
  EXPECT_EQ(subscription->canceled_at, 0);
  EXPECT_EQ(subscription->pause_behavior, "void");
  EXPECT_EQ(subscription->pause_resumes_at, 1795000000);
  EXPECT_EQ(subscription->latest_invoice, "in_9");
  ASSERT_EQ(subscription->metadata.size(), 2u);
  EXPECT_EQ(subscription->metadata[1], std::make_pair(std::string("seats"), std::string("3")));
  ASSERT_EQ(subscription->items.size(), 1u);
  const SubscriptionItem& item = subscription->items[0];
  EXPECT_EQ(item.quantity, 3);
  EXPECT_EQ(item.price.id, "price_pro");
  EXPECT_EQ(item.price.product, "prod_pro");
  EXPECT_EQ(item.price.unit_amount, 2900);
  EXPECT_EQ(item.price.interval, "month");
  EXPECT_EQ(item.price.interval_count, 1);
}

TEST(BillingDecodersTest, DecodesInvoicesWithLinesIncludingUpcomingOnesWithoutId) {
  absl::StatusOr<Invoice> invoice = DecodeInvoice(R"({
    "object": "invoice", "customer": "cus_1", "subscription": "sub_1", "status": "draft",
    "currency": "jpy", "amount_due": 1500, "amount_paid": 0, "amount_remaining": 1500,
    "subtotal": 1500, "total": 1500, "created": 1790000000, "due_date": null,
    "next_payment_attempt": 1792592000, "attempt_count": 0, "paid": false,
    "hosted_invoice_url": null,
    "lines": {"object": "list", "has_more": true, "data": [
      {"id": "il_1", "amount": -500, "currency": "jpy", "description": "Unused time",
       "quantity": 1, "price": {"id": "price_basic"}, "proration": true,
       "period": {"start": 1790000000, "end": 1792592000}},
      {"id": "il_2", "amount": 2000, "currency": "jpy", "description": "Pro", "quantity": 1,
       "price": "price_pro", "proration": false, "period": {"start": 1, "end": 2}}]}
  })");
  ASSERT_TRUE(invoice.ok()) << invoice.status();
  EXPECT_EQ(invoice->id, "");
  EXPECT_EQ(invoice->currency, "jpy");
  EXPECT_EQ(invoice->amount_due, 1500);
  EXPECT_EQ(invoice->next_payment_attempt, 1792592000);
  ASSERT_EQ(invoice->lines.size(), 2u);
  EXPECT_TRUE(invoice->lines_has_more);
  EXPECT_EQ(invoice->lines[0].amount, -500);
  EXPECT_TRUE(invoice->lines[0].proration);
  EXPECT_EQ(invoice->lines[0].price, "price_basic");
  EXPECT_EQ(invoice->lines[0].period_end, 1792592000);
  EXPECT_EQ(invoice->lines[1].price, "price_pro");

  absl::StatusOr<List<Invoice>> invoices = DecodeInvoiceList(R"({"object": "search_result",
    "data": [{"id": "in_1", "currency": "usd", "status": "open", "number": "A-0001"}],
    "has_more": false, "next_page": null})");
  ASSERT_TRUE(invoices.ok()) << invoices.status();
  EXPECT_EQ(invoices->data[0].number, "A-0001");
}

TEST(BillingDecodersTest, DecodesCouponsAndPromotionCodes) {
  absl::StatusOr<PromotionCode> promotion = DecodePromotionCode(R"({
    "id": "promo_1", "object": "promotion_code", "code": "KX7PRT", "active": true,
    "customer": "cus_1", "max_redemptions": 1, "times_redeemed": 0, "expires_at": 1793000000,
    "coupon": {"id": "co_1", "object": "coupon", "name": "Sorry", "percent_off": 12.5,
      "amount_off": null, "currency": null, "duration": "repeating", "duration_in_months": 3,
      "max_redemptions": null, "times_redeemed": 4, "redeem_by": null, "valid": true}
  })");
  ASSERT_TRUE(promotion.ok()) << promotion.status();
  EXPECT_EQ(promotion->code, "KX7PRT");
  EXPECT_EQ(promotion->customer, "cus_1");
  EXPECT_EQ(promotion->coupon.percent_off, 12.5);
  EXPECT_EQ(promotion->coupon.amount_off, 0);
  EXPECT_EQ(promotion->coupon.duration_in_months, 3);
  EXPECT_TRUE(promotion->coupon.valid);

  absl::StatusOr<Coupon> amount_off = DecodeCoupon(
      R"({"id": "co_2", "amount_off": 500, "currency": "usd", "duration": "once", "percent_off": null})");
  ASSERT_TRUE(amount_off.ok()) << amount_off.status();
  EXPECT_EQ(amount_off->amount_off, 500);
  EXPECT_EQ(amount_off->percent_off, 0);
}

TEST(BillingDecodersTest, DecodesProductsAndPriceLists) {
  absl::StatusOr<List<Product>> products = DecodeProductList(R"({"object": "list",
    "data": [{"id": "prod_1", "name": "Pro", "active": true, "default_price": "price_1"}],
    "has_more": false})");
  ASSERT_TRUE(products.ok()) << products.status();
  EXPECT_EQ(products->data[0].name, "Pro");
  EXPECT_EQ(products->data[0].default_price, "price_1");
  absl::StatusOr<List<Price>> prices = DecodePriceList(R"({"object": "list", "has_more": false,
    "data": [{"id": "price_1", "currency": "kwd", "unit_amount": 12345, "type": "one_time",
              "recurring": null}]})");
  ASSERT_TRUE(prices.ok()) << prices.status();
  EXPECT_EQ(prices->data[0].type, "one_time");
  EXPECT_EQ(prices->data[0].interval, "");
}

TEST(BillingDecodersTest, MissingFieldsAndWrongTypesAreNamed) {
  EXPECT_THAT(DecodeSubscription(R"({"id": "sub_1"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"status\" is missing")));
  EXPECT_THAT(DecodeSubscription(R"({"id": "sub_1", "status": "active", "items": []})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("\"items\" is not an object")));
  EXPECT_THAT(DecodeCoupon(R"({"id": "co_1", "percent_off": "ten"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("percent_off")));
  EXPECT_THAT(DecodeInvoice(R"({"id": "in_1"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("currency")));
  EXPECT_THAT(DecodePromotionCode(R"({"id": "promo_1"})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("code")));
  EXPECT_THAT(DecodePrice(R"({"id": "price_1", "currency": "usd", "recurring": 5})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("recurring")));
  EXPECT_THAT(DecodeSubscription(R"({"id": "sub_1", "status": "active", "metadata": {"k": 1}})"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("not a string")));
}

}  // namespace
}  // namespace payvox::stripe
