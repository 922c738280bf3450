// Stripe's state rules for the resources beyond customers, charges and
// refunds, as the sandbox enforces them.
#include "client/stripe_decoders.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"

namespace payvox::sandbox {
namespace {

using ::testing::HasSubstr;

class EmulatorBillingTest : public ::testing::Test {
 protected:
  EmulatorBillingTest() : emulator_(clock_, {.id_seed = 11}) { SeedDemoData(emulator_); }

  EmulatorResponse Call(std::string method, std::string target, std::string body = "") {
    return emulator_.Handle(
        {std::move(method), std::move(target), "Bearer sk_test_sandbox", "", std::move(body)});
  }

  testing::FakeClock clock_;
  StripeEmulator emulator_;
};

TEST_F(EmulatorBillingTest, CanceledSubscriptionCannotBePausedOrCanceledAgain) {
  ASSERT_EQ(Call("DELETE", "/v1/subscriptions/sub_DemoJennyPro").status, 200);
  EmulatorResponse pause =
      Call("POST", "/v1/subscriptions/sub_DemoJennyPro", "pause_collection%5Bbehavior%5D=void");
  EXPECT_EQ(pause.status, 400);
  EXPECT_THAT(pause.body, HasSubstr("subscription_canceled"));
  EXPECT_EQ(Call("DELETE", "/v1/subscriptions/sub_DemoJennyPro").status, 400);
  // Metadata may still change.
  EXPECT_EQ(Call("POST", "/v1/subscriptions/sub_DemoJennyPro", "metadata%5Bk%5D=v").status, 200);
  // Canceled subscriptions are listed only when asked for.
  auto listed = stripe::DecodeSubscriptionList(
      Call("GET", "/v1/subscriptions?customer=cus_DemoJennyRosen").body);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->data.empty());
}

TEST_F(EmulatorBillingTest, PausesAndResumesCollection) {
  auto paused = stripe::DecodeSubscription(
      Call("POST", "/v1/subscriptions/sub_DemoJennyPro", "pause_collection%5Bbehavior%5D=void")
          .body);
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_EQ(paused->pause_behavior, "void");
  auto resumed = stripe::DecodeSubscription(
      Call("POST", "/v1/subscriptions/sub_DemoJennyPro", "pause_collection=").body);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->pause_behavior, "");
  // /resume is for subscriptions whose status is paused, not for paused
  // collection.
  EXPECT_THAT(Call("POST", "/v1/subscriptions/sub_DemoJennyPro/resume").body,
              HasSubstr("subscription_not_paused"));
}

TEST_F(EmulatorBillingTest, UpcomingInvoicePreviewsProrationWithoutChangingAnything) {
  // Jenny is 2 days into a 30-day period: 28/30 of the period is left.
  EmulatorResponse response =
      Call("GET",
           "/v1/invoices/upcoming?customer=cus_DemoJennyRosen&subscription=sub_DemoJennyPro"
           "&subscription_items%5B0%5D%5Bid%5D=si_DemoJennyPro"
           "&subscription_items%5B0%5D%5Bprice%5D=price_DemoTeamMonthly");
  ASSERT_EQ(response.status, 200) << response.body;
  auto upcoming = stripe::DecodeInvoice(response.body);
  ASSERT_TRUE(upcoming.ok()) << upcoming.status();
  ASSERT_EQ(upcoming->lines.size(), 3u);
  EXPECT_TRUE(upcoming->lines[0].proration);
  EXPECT_EQ(upcoming->lines[0].amount, -4573);  // -4900 * 28/30
  EXPECT_EQ(upcoming->lines[1].amount, 9240);   //  9900 * 28/30
  EXPECT_EQ(upcoming->lines[2].amount, 9900);   // the next period
  auto still = stripe::DecodeSubscription(Call("GET", "/v1/subscriptions/sub_DemoJennyPro").body);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->items[0].price.id, "price_DemoProMonthly");
  // A price in another currency cannot replace it.
  EXPECT_EQ(Call("GET",
                 "/v1/invoices/upcoming?customer=cus_DemoJennyRosen"
                 "&subscription_items%5B0%5D%5Bid%5D=si_DemoJennyPro"
                 "&subscription_items%5B0%5D%5Bprice%5D=price_DemoStarterYen")
                .status,
            400);
  // Sam's subscription ends with the period: nothing is upcoming.
  EXPECT_THAT(Call("GET", "/v1/invoices/upcoming?customer=cus_DemoSamLee").body,
              HasSubstr("invoice_upcoming_none"));
}

TEST_F(EmulatorBillingTest, InvoicesMoveFromDraftToOpenToVoidOnly) {
  EXPECT_THAT(Call("POST", "/v1/invoices/in_DemoLaylaDraft/void").body,
              HasSubstr("This invoice is draft"));
  auto open = stripe::DecodeInvoice(Call("POST", "/v1/invoices/in_DemoLaylaDraft/finalize").body);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->status, "open");
  EXPECT_FALSE(open->number.empty());
  EXPECT_EQ(Call("POST", "/v1/invoices/in_DemoLaylaDraft/finalize").status, 400);
  // Charged automatically: it cannot be sent by email.
  EXPECT_THAT(Call("POST", "/v1/invoices/in_DemoLaylaDraft/send").body, HasSubstr("send_invoice"));
  EXPECT_EQ(Call("POST", "/v1/invoices/in_DemoSamOpen/send").status, 200);
  auto voided = stripe::DecodeInvoice(Call("POST", "/v1/invoices/in_DemoLaylaDraft/void").body);
  ASSERT_TRUE(voided.ok());
  EXPECT_EQ(voided->status, "void");
  EXPECT_EQ(Call("POST", "/v1/invoices/in_DemoLaylaDraft/void").status, 400);
  EXPECT_EQ(Call("POST", "/v1/invoices/in_DemoJennyNovember/void").status, 400);  // paid
}

TEST_F(EmulatorBillingTest, DraftInvoiceTakesItemsThenFinalizes) {
  auto draft = stripe::DecodeInvoice(
      Call("POST", "/v1/invoices",
           "customer=cus_DemoSamLee&collection_method=send_invoice&days_until_due=14")
          .body);
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->status, "draft");
  EXPECT_EQ(Call("POST", "/v1/invoiceitems",
                 "customer=cus_DemoSamLee&currency=usd&amount=1200&description=Extra&invoice=" +
                     draft->id)
                .status,
            200);
  // Another customer's invoice and a finalized invoice take no items.
  EXPECT_EQ(Call("POST", "/v1/invoiceitems",
                 "customer=cus_DemoJennyRosen&currency=usd&amount=1&invoice=" + draft->id)
                .status,
            400);
  auto open = stripe::DecodeInvoice(Call("POST", "/v1/invoices/" + draft->id + "/finalize").body);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->total, 1200);
  EXPECT_THAT(Call("POST", "/v1/invoiceitems",
                   "customer=cus_DemoSamLee&currency=usd&amount=1&invoice=" + draft->id)
                  .body,
              HasSubstr("invoice_not_editable"));
}

TEST_F(EmulatorBillingTest, PaymentIntentStatesGuardCaptureAndCancel) {
  // Succeeded intents can be neither captured nor canceled.
  EXPECT_THAT(Call("POST", "/v1/payment_intents/pi_DemoJennyPlan/capture").body,
              HasSubstr("payment_intent_unexpected_state"));
  EXPECT_THAT(Call("POST", "/v1/payment_intents/pi_DemoJennyPlan/cancel").body,
              HasSubstr("payment_intent_unexpected_state"));
  // An authorization is captured once, for at most its amount.
  EXPECT_EQ(
      Call("POST", "/v1/payment_intents/pi_DemoSamHold/capture", "amount_to_capture=9000").status,
      400);
  auto captured = stripe::DecodePaymentIntent(
      Call("POST", "/v1/payment_intents/pi_DemoSamHold/capture", "amount_to_capture=6000").body);
  ASSERT_TRUE(captured.ok()) << captured.status();
  EXPECT_EQ(captured->status, "succeeded");
  EXPECT_EQ(captured->amount_received, 6000);
  EXPECT_THAT(Call("POST", "/v1/charges/ch_DemoSamHold/capture").body,
              HasSubstr("charge_already_captured"));
}

TEST_F(EmulatorBillingTest, ConfirmWithTestCardsSucceedsOrDeclines) {
  auto intent = stripe::DecodePaymentIntent(
      Call("POST", "/v1/payment_intents", "amount=2000&currency=usd&customer=cus_DemoJennyRosen")
          .body);
  ASSERT_TRUE(intent.ok()) << intent.status();
  EXPECT_EQ(intent->status, "requires_payment_method");
  EmulatorResponse declined = Call("POST", "/v1/payment_intents/" + intent->id + "/confirm",
                                   "payment_method=pm_card_chargeDeclinedInsufficientFunds");
  EXPECT_EQ(declined.status, 402);
  EXPECT_THAT(declined.body, HasSubstr("insufficient_funds"));
  auto paid = stripe::DecodePaymentIntent(
      Call("POST", "/v1/payment_intents/" + intent->id + "/confirm", "payment_method=pm_card_visa")
          .body);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->status, "succeeded");
  // Both outcomes were recorded as events, newest first.
  auto events = stripe::DecodeEventList(Call("GET", "/v1/events?type=payment_intent.*").body);
  ASSERT_TRUE(events.ok());
  ASSERT_GE(events->data.size(), 3u);
  EXPECT_EQ(events->data[0].type, "payment_intent.succeeded");
  EXPECT_EQ(events->data[1].type, "payment_intent.payment_failed");
}

TEST_F(EmulatorBillingTest, CouponsNeedExactlyOneDiscountAndPromotionCodesAreUnique) {
  EXPECT_EQ(Call("POST", "/v1/coupons", "duration=once").status, 400);
  EXPECT_EQ(Call("POST", "/v1/coupons", "percent_off=10&amount_off=5&currency=usd").status, 400);
  EXPECT_EQ(Call("POST", "/v1/coupons", "percent_off=120").status, 400);
  EXPECT_EQ(Call("POST", "/v1/coupons", "percent_off=10&duration=repeating").status, 400);
  auto coupon = stripe::DecodeCoupon(
      Call("POST", "/v1/coupons", "percent_off=15&duration=repeating&duration_in_months=3").body);
  ASSERT_TRUE(coupon.ok()) << coupon.status();
  EXPECT_EQ(Call("POST", "/v1/promotion_codes", "coupon=" + coupon->id + "&code=SAVE15").status,
            200);
  EXPECT_THAT(Call("POST", "/v1/promotion_codes", "coupon=" + coupon->id + "&code=save15").body,
              HasSubstr("already exists"));
}

TEST_F(EmulatorBillingTest, SearchesChargesInvoicesAndIntentsByTypedFields) {
  auto charges = stripe::DecodeChargeList(
      Call("GET",
           "/v1/charges/search?query=customer%3A%22cus_DemoJennyRosen%22%20AND%20amount%3E%3D4900")
          .body);
  ASSERT_TRUE(charges.ok()) << charges.status();
  EXPECT_EQ(charges->data.size(), 2u);
  auto invoices =
      stripe::DecodeInvoiceList(Call("GET", "/v1/invoices/search?query=status%3A%22open%22").body);
  ASSERT_TRUE(invoices.ok());
  ASSERT_EQ(invoices->data.size(), 1u);
  EXPECT_EQ(invoices->data[0].id, "in_DemoSamOpen");
  EXPECT_EQ(Call("GET", "/v1/payment_intents/search?query=card%3A%224242%22").status, 400);
}

TEST_F(EmulatorBillingTest, CustomersAreUpdatedAndDeleted) {
  auto updated = stripe::DecodeCustomer(
      Call("POST", "/v1/customers/cus_DemoHiroTanaka", "name=Hiro%20T.").body);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "Hiro T.");
  auto deleted = stripe::DecodeCustomer(Call("DELETE", "/v1/customers/cus_DemoHiroTanaka").body);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(Call("POST", "/v1/customers/cus_DemoHiroTanaka", "name=x").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/customers/cus_DemoHiroTanaka").status, 404);
}

TEST_F(EmulatorBillingTest, BalanceAndTransactionsFollowChargesAndRefunds) {
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoSamLunch&amount=599").status, 200);
  auto refunds = stripe::DecodeBalanceTransactionList(
      Call("GET", "/v1/balance_transactions?type=refund").body);
  ASSERT_TRUE(refunds.ok()) << refunds.status();
  ASSERT_EQ(refunds->data.size(), 1u);
  EXPECT_EQ(refunds->data[0].amount, -599);
  EXPECT_EQ(Call("GET", "/v1/balance_transactions/" + refunds->data[0].id).status, 200);
  auto balance = stripe::DecodeBalance(Call("GET", "/v1/balance").body);
  ASSERT_TRUE(balance.ok()) << balance.status();
  EXPECT_FALSE(balance->available.empty());
}

}  // namespace
}  // namespace payvox::sandbox
