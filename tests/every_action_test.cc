// Every voice action end to end: gRPC into payvoxd, Stripe's wire format out
// to the sandbox, and back with a sentence the agent can say. Reads run
// through Execute (the same code as their typed RPC); writes through their
// typed RPC where they have one, with the policy, verification,
// confirmation and state rules each depends on; bad input of every kind is
// answered with the gRPC code that tells the orchestrator what to do next.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::ActionService::Stub;

class EveryActionTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({
      "grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2, "tenant_id": "acme",
      "policy": {"enabled_actions": ["all"],
                 "coupons": {"max_percent_off": 50, "daily_count": 3,
                             "max_amount_off": [{"currency": "usd", "amount_minor": 5000}]}}
    })";
  }

  grpc::Status Execute(const std::string& action, const std::string& arguments,
                       v1::ExecuteResponse* response, const std::string& request_id = "",
                       bool confirmed = false) {
    v1::ExecuteRequest request;
    *request.mutable_context() = Context(request_id);
    request.mutable_context()->set_confirmed(confirmed);
    request.set_action(action);
    request.set_arguments_json(arguments);
    return Invoke(&Stub::Execute, request, response);
  }

  void VerifyAs(const std::string& customer, const std::string& last4) {
    v1::VerifyIdentityResponse verified;
    ASSERT_TRUE(Verify(customer, last4, &verified).ok());
    ASSERT_TRUE(verified.verified()) << customer;
  }

  static v1::CallContext Confirmed(const std::string& request_id) {
    v1::CallContext context = Context(request_id);
    context.set_confirmed(true);
    return context;
  }
};

TEST_F(EveryActionTest, ReadsAnswerWithSpeechReadyFacts) {
  struct Case {
    const char* action;
    const char* arguments;
    const char* say;
    const char* result;
  };
  for (const Case& c : {
           Case{"get_payment", R"({"payment_id": "ch_DemoJennyFailed"})",
                "didn't go through: the bank declined it for insufficient funds", "\"charge\""},
           Case{"get_payment", R"({"payment_id": "pi_DemoJennyPlan"})", "went through",
                "\"subscription_id\":\"sub_DemoJennyPro\""},
           Case{"get_payment", R"({"payment_id": "in_DemoSamOpen"})", "is open; $150.00 is due on",
                "\"invoice\""},
           Case{"find_duplicate_charges", R"({"customer_id": "cus_DemoJennyRosen"})",
                "I see 2 charges of $49.00", "\"refund_charge_id\":\"ch_DemoJennyDuplicate\""},
           Case{"list_refunds", R"({"customer_id": "cus_DemoJennyRosen"})",
                "I don't see any refunds", "I don't see any refunds"},
           Case{"list_subscriptions", R"({"customer_id": "cus_DemoJennyRosen"})",
                "Your Pro monthly plan at $49.00 a month renews on", "\"renewal_date_display\""},
           Case{"get_subscription", R"({"subscription_id": "sub_DemoHiroStarter"})",
                "at ¥5,000 a month is paused", "\"paused\":true"},
           Case{"get_subscription", R"({"subscription_id": "sub_DemoSamTeam"})",
                "$297.00 a month ends on", "\"cancel_at_period_end\":true"},
           Case{"list_invoices", R"({"customer_id": "cus_DemoSamLee", "status": "open"})",
                "I see 1 invoice", "in_DemoSamOpen"},
           Case{"get_invoice", R"({"invoice_id": "in_DemoJennyNovember"})",
                "Invoice DEMO-0001 for $49.00 is paid", "\"status\":\"paid\""},
           Case{"get_invoice", R"({"invoice_id": "in_DemoLaylaDraft"})", "KWD 45.000 is a draft",
                "\"status\":\"draft\""},
           Case{"get_upcoming_invoice", R"({"customer_id": "cus_DemoJennyRosen"})",
                "Your next bill is $49.00 on", "\"amount_due\""},
           Case{"search_customers", R"({"name_contains": "Lee"})", "I found 2 customers",
                "search_result"},
           Case{"search_charges", R"({"customer": "cus_DemoJennyRosen", "amount_over": 4000})",
                "I found 2 charges", "ch_DemoJennyPlan"},
           Case{"list_payment_intents", R"({"customer": "cus_DemoJennyRosen"})",
                "I found 2 payments", "pi_DemoJennyDuplicate"},
           Case{"get_payment_intent", R"({"payment_intent_id": "pi_DemoSamHold"})",
                "$80.00 is authorized but not collected yet", "requires_capture"},
           Case{"search_payment_intents", R"({"status": "requires_capture"})", "I found 1 payment",
                "pi_DemoSamHold"},
           Case{"search_invoices", R"({"status": "open"})", "I found 1 invoice", "in_DemoSamOpen"},
           Case{"search_subscriptions", R"({"customer": "cus_DemoHiroTanaka"})",
                "I found 1 subscription", "sub_DemoHiroStarter"},
           Case{"list_products", "{}", "I found 3 products", "prod_DemoPro"},
           Case{"get_product", R"({"product_id": "prod_DemoTeam"})", "Team plan.", "prod_DemoTeam"},
           Case{"list_prices", R"({"product": "prod_DemoPro", "type": "recurring"})",
                "I found 2 prices", "price_DemoProYearly"},
           Case{"get_price", R"({"price_id": "price_DemoProYearly"})",
                "Pro yearly: $490.00 a year.", "\"unit_amount\":49000"},
           Case{"list_payment_methods", R"({"customer_id": "cus_DemoJennyRosen"})",
                "Visa ending in 4242", "pm_DemoJennyVisa"},
           Case{"get_payment_method", R"({"payment_method_id": "pm_DemoSamAmex"})",
                "American Express ending in 0005", "pm_DemoSamAmex"},
           Case{"get_balance", "{}", "The available balance is", "\"available\""},
           Case{"list_balance_transactions", R"({"type": "charge"})", "I found",
                "txn_ch_DemoJennyPlan"},
           Case{"get_balance_transaction", R"({"balance_transaction_id": "txn_ch_DemoSamLunch"})",
                "A charge of $25.99", "\"fee\""},
           Case{"list_events", "{}", "I didn't find any events", "\"data\":[]"},
           Case{"list_coupons", "{}", "I didn't find any coupons", "\"data\":[]"},
           Case{"list_promotion_codes", "{}", "I didn't find any promotion codes", "\"data\":[]"},
           Case{"list_payment_links", "{}", "I didn't find any payment links", "\"data\":[]"},
       }) {
    SCOPED_TRACE(c.action);
    v1::ExecuteResponse response;
    const grpc::Status status = Execute(c.action, c.arguments, &response);
    ASSERT_TRUE(status.ok()) << c.arguments << ": " << status.error_message();
    EXPECT_THAT(response.say(), HasSubstr(c.say)) << c.arguments;
    EXPECT_THAT(response.result_json(), HasSubstr(c.result)) << c.arguments;
    EXPECT_THAT(response.result_json(), Not(HasSubstr("client_secret")));
  }
}

TEST_F(EveryActionTest, SearchValuesCannotChangeTheQuery) {
  // A caller-supplied name that tries to widen the query matches nothing.
  v1::ExecuteResponse response;
  ASSERT_TRUE(Execute("search_customers",
                      R"({"name_contains": "x\" OR email:\"jenny.rosen@example.com"})", &response)
                  .ok());
  EXPECT_THAT(response.say(), HasSubstr("I didn't find any customers"));
  v1::ExecuteResponse empty;
  const grpc::Status status = Execute("search_charges", "{}", &empty);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("at least one filter"));
}

TEST_F(EveryActionTest, CouponWithAnEasyToSayOneTimeCode) {
  v1::CreateCouponRequest request;
  *request.mutable_context() = Context("coupon-1");
  request.set_percent_off(20);
  request.set_duration("repeating");
  request.set_duration_in_months(3);
  request.set_customer_id("cus_DemoJennyRosen");
  v1::CreateCouponResponse response;
  // The customer's verification comes first.
  grpc::Status status = Invoke(&Stub::CreateCoupon, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  VerifyAs("cus_DemoJennyRosen", "4242");
  status = Invoke(&Stub::CreateCoupon, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(response.say(), HasSubstr("20% off for 3 months"));
  const std::string code = response.coupon().code();
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(code.find_first_of("0O1IL2Z5S6G8B"), std::string::npos) << code;
  EXPECT_THAT(response.say(), HasSubstr(response.coupon().code_spoken()));
  // A retry is the same coupon and code.
  v1::CreateCouponResponse retry;
  ASSERT_TRUE(Invoke(&Stub::CreateCoupon, request, &retry).ok());
  EXPECT_EQ(retry.coupon().id(), response.coupon().id());
  EXPECT_EQ(retry.coupon().code(), code);
  v1::ExecuteResponse codes;
  ASSERT_TRUE(
      Execute("list_promotion_codes", R"({"customer": "cus_DemoJennyRosen"})", &codes).ok());
  EXPECT_THAT(codes.say(), HasSubstr("I found 1 promotion code"));

  // Over the tenant's cap: refused by policy.
  request.set_percent_off(60);
  *request.mutable_context() = Context("coupon-2");
  status = Invoke(&Stub::CreateCoupon, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailOf(status).reason(), "coupon_over_limit");
}

TEST_F(EveryActionTest, SubscriptionLifecycleFollowsStripesRules) {
  VerifyAs("cus_DemoJennyRosen", "4242");
  v1::PauseSubscriptionRequest pause;
  *pause.mutable_context() = Context("pause-1");
  pause.set_subscription_id("sub_DemoJennyPro");
  v1::PauseSubscriptionResponse paused;
  ASSERT_TRUE(Invoke(&Stub::PauseSubscription, pause, &paused).ok());
  EXPECT_TRUE(paused.subscription().paused());
  EXPECT_THAT(paused.say(), HasSubstr("paused billing"));
  *pause.mutable_context() = Context("pause-2");
  grpc::Status status = Invoke(&Stub::PauseSubscription, pause, &paused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "subscription_already_paused");

  v1::ResumeSubscriptionRequest resume;
  *resume.mutable_context() = Context("resume-1");
  resume.set_subscription_id("sub_DemoJennyPro");
  v1::ResumeSubscriptionResponse resumed;
  ASSERT_TRUE(Invoke(&Stub::ResumeSubscription, resume, &resumed).ok());
  EXPECT_FALSE(resumed.subscription().paused());
  EXPECT_THAT(resumed.say(), HasSubstr("back on"));

  // Cancelling is destructive: it needs the caller's confirmation.
  v1::CancelSubscriptionRequest cancel;
  *cancel.mutable_context() = Context("cancel-1");
  cancel.set_subscription_id("sub_DemoJennyPro");
  cancel.set_reason("Too expensive");
  v1::CancelSubscriptionResponse canceled;
  status = Invoke(&Stub::CancelSubscription, cancel, &canceled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "needs_confirmation");
  EXPECT_EQ(DetailOf(status).say(),
            "Just to confirm: shall I cancel your Pro monthly subscription at the end of this "
            "billing period? This can't be undone.");
  EXPECT_THAT(DetailOf(status).confirmation_token(), ::testing::StartsWith("pvxc_"));
  *cancel.mutable_context() = Confirmed("cancel-1");
  ASSERT_TRUE(Invoke(&Stub::CancelSubscription, cancel, &canceled).ok());
  EXPECT_TRUE(canceled.subscription().cancel_at_period_end());
  EXPECT_THAT(canceled.say(), HasSubstr("You keep access until"));
  cancel.set_immediately(true);
  *cancel.mutable_context() = Confirmed("cancel-2");
  ASSERT_TRUE(Invoke(&Stub::CancelSubscription, cancel, &canceled).ok());
  EXPECT_EQ(canceled.subscription().status(), v1::SUBSCRIPTION_STATUS_CANCELED);

  // A canceled subscription can be neither paused nor canceled again.
  *pause.mutable_context() = Context("pause-3");
  status = Invoke(&Stub::PauseSubscription, pause, &paused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("canceled subscription cannot be paused"));
  *cancel.mutable_context() = Confirmed("cancel-3");
  EXPECT_EQ(Invoke(&Stub::CancelSubscription, cancel, &canceled).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(EveryActionTest, PlanChangePreviewsFirstAndAppliesOnlyWhenConfirmed) {
  VerifyAs("cus_DemoJennyRosen", "4242");
  v1::ChangeSubscriptionPlanRequest request;
  *request.mutable_context() = Context("plan-1");
  request.set_subscription_id("sub_DemoJennyPro");
  request.set_new_price_id("price_DemoTeamMonthly");
  v1::ChangeSubscriptionPlanResponse preview;
  ASSERT_TRUE(Invoke(&Stub::ChangeSubscriptionPlan, request, &preview).ok());
  EXPECT_FALSE(preview.applied());
  // 28 of 30 days left: 9900 * 28/30 - 4900 * 28/30.
  EXPECT_EQ(preview.proration().amount_minor(), 9240 - 4573);
  EXPECT_THAT(preview.say(), HasSubstr("costs $46.67"));
  EXPECT_THAT(preview.say(), HasSubstr("Shall I go ahead?"));
  EXPECT_EQ(preview.subscription().price_id(), "price_DemoProMonthly");

  // The preview's token applies the change, as the flag does.
  request.mutable_context()->set_confirmation_token(preview.confirmation_token());
  v1::ChangeSubscriptionPlanResponse applied;
  ASSERT_TRUE(Invoke(&Stub::ChangeSubscriptionPlan, request, &applied).ok());
  EXPECT_TRUE(applied.applied());
  EXPECT_EQ(applied.subscription().price_id(), "price_DemoTeamMonthly");
  EXPECT_THAT(applied.say(), HasSubstr("Team monthly"));

  request.set_new_price_id("price_DemoStarterYen");  // another currency
  *request.mutable_context() = Context("plan-2");
  EXPECT_EQ(Invoke(&Stub::ChangeSubscriptionPlan, request, &preview).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EveryActionTest, InvoicesMoveThroughTheirStates) {
  VerifyAs("cus_DemoLaylaHaddad", "0077");
  v1::FinalizeInvoiceRequest finalize;
  *finalize.mutable_context() = Context("fin-1");
  finalize.set_invoice_id("in_DemoLaylaDraft");
  v1::FinalizeInvoiceResponse finalized;
  ASSERT_TRUE(Invoke(&Stub::FinalizeInvoice, finalize, &finalized).ok());
  EXPECT_EQ(finalized.invoice().status(), "open");
  EXPECT_THAT(finalized.say(), HasSubstr("KWD 45.000 is open"));
  *finalize.mutable_context() = Context("fin-2");
  grpc::Status status = Invoke(&Stub::FinalizeInvoice, finalize, &finalized);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "invoice_not_draft");

  v1::VoidInvoiceRequest void_request;
  *void_request.mutable_context() = Context("void-1");
  void_request.set_invoice_id("in_DemoLaylaDraft");
  v1::VoidInvoiceResponse voided;
  EXPECT_EQ(Invoke(&Stub::VoidInvoice, void_request, &voided).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // needs confirmation
  *void_request.mutable_context() = Confirmed("void-1");
  ASSERT_TRUE(Invoke(&Stub::VoidInvoice, void_request, &voided).ok());
  EXPECT_EQ(voided.invoice().status(), "void");
  *void_request.mutable_context() = Confirmed("void-2");
  status = Invoke(&Stub::VoidInvoice, void_request, &voided);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("Only open invoices can be voided"));

  VerifyAs("cus_DemoSamLee", "0005");
  v1::SendInvoiceRequest send;
  *send.mutable_context() = Context("send-1");
  send.set_invoice_id("in_DemoSamOpen");
  v1::SendInvoiceResponse sent;
  ASSERT_TRUE(Invoke(&Stub::SendInvoice, send, &sent).ok());
  EXPECT_THAT(sent.say(), HasSubstr("emailed the invoice"));

  v1::CreateInvoiceRequest create;
  *create.mutable_context() = Context("inv-1");
  create.set_customer_id("cus_DemoSamLee");
  create.set_days_until_due(14);
  v1::InvoiceLine* line = create.add_lines();
  line->set_description("Extra seats");
  line->mutable_amount()->set_amount_minor(1500);
  line->mutable_amount()->set_currency("usd");
  line->set_quantity(2);
  line = create.add_lines();
  line->set_description("Setup");
  line->mutable_amount()->set_amount_minor(2500);
  line->mutable_amount()->set_currency("usd");
  v1::CreateInvoiceResponse created;
  ASSERT_TRUE(Invoke(&Stub::CreateInvoice, create, &created).ok());
  EXPECT_EQ(created.invoice().status(), "draft");
  EXPECT_EQ(created.invoice().total().amount_minor(), 5500);
  EXPECT_EQ(created.invoice().lines_size(), 2);
  EXPECT_THAT(created.say(), HasSubstr("drafted an invoice for $55.00"));
  // A retry creates nothing new.
  v1::CreateInvoiceResponse again;
  ASSERT_TRUE(Invoke(&Stub::CreateInvoice, create, &again).ok());
  EXPECT_EQ(again.invoice().id(), created.invoice().id());

  line->mutable_amount()->set_currency("eur");
  *create.mutable_context() = Context("inv-2");
  status = Invoke(&Stub::CreateInvoice, create, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("lines[1].amount.currency"));
}

TEST_F(EveryActionTest, LinksAndTheSecureHandOff) {
  v1::CreatePaymentLinkRequest link;
  *link.mutable_context() = Context("link-1");
  link.set_price_id("price_DemoProMonthly");
  v1::CreatePaymentLinkResponse made;
  ASSERT_TRUE(Invoke(&Stub::CreatePaymentLink, link, &made).ok());
  EXPECT_THAT(made.url(), HasSubstr("https://buy.stripe.com/"));
  EXPECT_THAT(made.say(), Not(HasSubstr("https://")));
  link.set_price_id("price_Nope");
  *link.mutable_context() = Context("link-2");
  EXPECT_EQ(Invoke(&Stub::CreatePaymentLink, link, &made).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::CreatePortalSessionRequest portal;
  *portal.mutable_context() = Context("portal-1");
  portal.set_customer_id("cus_DemoJennyRosen");
  portal.set_return_url("https://example.com/account");
  v1::CreatePortalSessionResponse session;
  EXPECT_EQ(Invoke(&Stub::CreatePortalSession, portal, &session).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // not verified
  VerifyAs("cus_DemoJennyRosen", "4242");
  ASSERT_TRUE(Invoke(&Stub::CreatePortalSession, portal, &session).ok());
  EXPECT_THAT(session.url(), HasSubstr("https://billing.stripe.com/"));

  v1::StartSecurePaymentRequest secure;
  *secure.mutable_context() = Context("pay-1");
  secure.set_customer_id("cus_DemoJennyRosen");
  secure.mutable_amount()->set_amount_minor(2000);
  secure.mutable_amount()->set_currency("usd");
  secure.set_description("Overdue balance");
  v1::StartSecurePaymentResponse started;
  ASSERT_TRUE(Invoke(&Stub::StartSecurePayment, secure, &started).ok());
  EXPECT_THAT(started.payment_intent_id(), HasSubstr("pi_"));
  EXPECT_THAT(started.handoff_session_id(), HasSubstr("hos_"));
  EXPECT_FALSE(started.client_secret().empty());
  EXPECT_THAT(started.say(), HasSubstr("$20.00"));
  EXPECT_THAT(started.say(), HasSubstr("keypad"));
  v1::StartSecurePaymentResponse retry;
  ASSERT_TRUE(Invoke(&Stub::StartSecurePayment, secure, &retry).ok());
  EXPECT_EQ(retry.payment_intent_id(), started.payment_intent_id());
  v1::ExecuteResponse intent;
  ASSERT_TRUE(
      Execute("get_payment_intent",
              absl::StrCat(R"({"payment_intent_id": ")", started.payment_intent_id(), R"("})"),
              &intent)
          .ok());
  EXPECT_THAT(intent.result_json(), HasSubstr("\"payvox_call_id\":\"call-1\""));

  secure.set_description("card 4000 0566 5566 5556 exp 12/30");
  *secure.mutable_context() = Context("pay-2");
  const grpc::Status status = Invoke(&Stub::StartSecurePayment, secure, &started);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), Not(HasSubstr("4000")));
}

TEST_F(EveryActionTest, StripeEntriesWriteUnderTheSameRules) {
  v1::ExecuteResponse created;
  ASSERT_TRUE(Execute("create_customer", R"({"name": "Ana Silva", "email": "ana@example.com"})",
                      &created, "cust-1")
                  .ok());
  EXPECT_EQ(created.say(), "I've set up your account.");
  EXPECT_THAT(created.result_json(), HasSubstr("\"name\":\"Ana Silva\""));

  // Changing Jenny's account needs Jenny verified in this call.
  v1::ExecuteResponse updated;
  grpc::Status status =
      Execute("update_customer", R"({"customer_id": "cus_DemoJennyRosen", "name": "Jenny R."})",
              &updated, "upd-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  VerifyAs("cus_DemoJennyRosen", "4242");
  ASSERT_TRUE(Execute("update_customer",
                      R"({"customer_id": "cus_DemoJennyRosen", "name": "Jenny R.",
                          "metadata": {"preferred": "email"}})",
                      &updated, "upd-1")
                  .ok());
  EXPECT_THAT(updated.result_json(), HasSubstr("\"preferred\":\"email\""));

  // Removing a card is destructive.
  v1::ExecuteResponse detached;
  status = Execute("detach_payment_method", R"({"payment_method_id": "pm_DemoJennyVisa"})",
                   &detached, "det-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "needs_confirmation");
  // Another customer's card is refused: the caller is verified as Jenny only.
  status = Execute("detach_payment_method", R"({"payment_method_id": "pm_DemoSamAmex"})", &detached,
                   "det-2", true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "needs_verification");

  // A succeeded payment cannot be canceled (Stripe's rule).
  v1::ExecuteResponse canceled;
  status = Execute("cancel_payment_intent", R"({"payment_intent_id": "pi_DemoJennyPlan"})",
                   &canceled, "cancel-pi", true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("status of succeeded"));

  // Sam's authorization is captured once.
  VerifyAs("cus_DemoSamLee", "0005");
  v1::ExecuteResponse captured;
  ASSERT_TRUE(Execute("capture_payment_intent", R"({"payment_intent_id": "pi_DemoSamHold"})",
                      &captured, "cap-1")
                  .ok());
  EXPECT_EQ(captured.say(), "I've collected that payment.");
  EXPECT_THAT(captured.result_json(), HasSubstr("\"status\":\"succeeded\""));
  // The same request again is answered from payvox's record, not Stripe.
  v1::ExecuteResponse replayed;
  ASSERT_TRUE(Execute("capture_payment_intent", R"({"payment_intent_id": "pi_DemoSamHold"})",
                      &replayed, "cap-1")
                  .ok());
  EXPECT_EQ(replayed.result_json(), captured.result_json());
  status = Execute("capture_payment_intent", R"({"payment_intent_id": "pi_DemoSamHold"})",
                   &replayed, "cap-2");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::ExecuteResponse price;
  ASSERT_TRUE(Execute("create_price",
                      R"({"product": "prod_DemoPro", "currency": "usd", "unit_amount": 9900,
                          "nickname": "Pro plus", "recurring": {"interval": "month"}})",
                      &price, "price-1")
                  .ok());
  EXPECT_THAT(price.result_json(), HasSubstr("\"id\":\"price_"));

  v1::ExecuteResponse subscribed;
  ASSERT_TRUE(Execute("create_subscription",
                      R"({"customer": "cus_DemoJennyRosen",
                          "items": [{"price": "price_DemoProYearly"}]})",
                      &subscribed, "sub-1")
                  .ok());
  EXPECT_EQ(subscribed.say(), "Your subscription has started.");

  // Everything that changed is in Stripe's event log.
  v1::ExecuteResponse events;
  ASSERT_TRUE(Execute("list_events", R"({"type": "customer.subscription.*"})", &events).ok());
  EXPECT_THAT(events.say(), HasSubstr("customer.subscription.created"));
}

TEST_F(EveryActionTest, WhatACallMadeCanBeReadBack) {
  VerifyAs("cus_DemoJennyRosen", "4242");
  v1::CreateRefundResponse refund;
  ASSERT_TRUE(Refund("refund-1", "ch_DemoJennyDuplicate", 0, &refund).ok());
  v1::GetRefundRequest get_refund;
  *get_refund.mutable_context() = Context();
  get_refund.set_refund_id(refund.refund().id());
  v1::GetRefundResponse got;
  ASSERT_TRUE(Invoke(&Stub::GetRefund, get_refund, &got).ok());
  EXPECT_EQ(got.refund().amount().amount_minor(), 4900);
  EXPECT_THAT(got.say(), HasSubstr("Your refund of $49.00 was sent on"));
  v1::ListRefundsRequest by_charge;
  *by_charge.mutable_context() = Context();
  by_charge.set_charge_id("ch_DemoJennyDuplicate");
  v1::ListRefundsResponse refunds;
  ASSERT_TRUE(Invoke(&Stub::ListRefunds, by_charge, &refunds).ok());
  ASSERT_EQ(refunds.refunds_size(), 1);
  // The duplicate is gone once refunded.
  v1::ExecuteResponse duplicates;
  ASSERT_TRUE(
      Execute("find_duplicate_charges", R"({"customer_id": "cus_DemoJennyRosen"})", &duplicates)
          .ok());
  EXPECT_THAT(duplicates.say(), HasSubstr("I don't see any duplicate charges"));

  // The refund is a Stripe event.
  v1::ExecuteResponse events;
  ASSERT_TRUE(Execute("list_events", R"({"type": "charge.refunded"})", &events).ok());
  const size_t at = events.result_json().find("\"id\":\"evt_");
  ASSERT_NE(at, std::string::npos) << events.result_json();
  const std::string event_id = events.result_json().substr(at + 6, 28);
  v1::ExecuteResponse event;
  ASSERT_TRUE(
      Execute("get_event", absl::StrCat(R"({"event_id": ")", event_id, R"("})"), &event).ok());
  EXPECT_THAT(event.say(), HasSubstr("A charge.refunded event on"));

  // A coupon without a customer, read back by id.
  v1::CreateCouponRequest coupon;
  *coupon.mutable_context() = Context("coupon-amount");
  coupon.mutable_amount_off()->set_amount_minor(1000);
  coupon.mutable_amount_off()->set_currency("usd");
  coupon.set_duration("forever");
  v1::CreateCouponResponse made;
  ASSERT_TRUE(Invoke(&Stub::CreateCoupon, coupon, &made).ok());
  EXPECT_THAT(made.say(), HasSubstr("$10.00 off for as long as you subscribe"));
  v1::ExecuteResponse read;
  ASSERT_TRUE(
      Execute("get_coupon", absl::StrCat(R"({"coupon_id": ")", made.coupon().id(), R"("})"), &read)
          .ok());
  EXPECT_THAT(read.say(), HasSubstr("$10.00 off"));

  // Deleting an account: verified, confirmed, and then it is gone.
  VerifyAs("cus_DemoHiroTanaka", "4444");
  v1::ExecuteResponse deleted;
  ASSERT_TRUE(Execute("delete_customer", R"({"customer_id": "cus_DemoHiroTanaka"})", &deleted,
                      "delete-1", true)
                  .ok());
  EXPECT_EQ(deleted.say(), "Your account is deleted.");
  v1::FindCustomerRequest find;
  *find.mutable_context() = Context();
  find.set_customer_id("cus_DemoHiroTanaka");
  v1::FindCustomerResponse found;
  EXPECT_EQ(Invoke(&Stub::FindCustomer, find, &found).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(EveryActionTest, BadInputGetsTheCodeThatSaysWhatToDoNext) {
  struct Case {
    std::function<grpc::Status()> call;
    grpc::StatusCode code;
    const char* message;
  };
  auto get_payment = [this](const std::string& id) {
    v1::GetPaymentRequest request;
    *request.mutable_context() = Context();
    request.set_payment_id(id);
    v1::GetPaymentResponse response;
    return Invoke(&Stub::GetPayment, request, &response);
  };
  auto get_subscription = [this](const std::string& id) {
    v1::GetSubscriptionRequest request;
    *request.mutable_context() = Context();
    request.set_subscription_id(id);
    v1::GetSubscriptionResponse response;
    return Invoke(&Stub::GetSubscription, request, &response);
  };
  auto secure = [this](int64_t amount, const std::string& currency) {
    v1::StartSecurePaymentRequest request;
    *request.mutable_context() = Context("bad-pay");
    request.set_customer_id("cus_DemoJennyRosen");
    request.mutable_amount()->set_amount_minor(amount);
    request.mutable_amount()->set_currency(currency);
    v1::StartSecurePaymentResponse response;
    return Invoke(&Stub::StartSecurePayment, request, &response);
  };
  auto execute = [this](const std::string& action, const std::string& arguments) {
    v1::ExecuteResponse response;
    return Execute(action, arguments, &response, "bad-exec");
  };
  const std::vector<Case> cases = {
      {[&] { return get_payment("cus_DemoJennyRosen"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "payment_id must be a Stripe id starting with ch_"},
      {[&] { return get_payment("ch_Unknown"); }, grpc::StatusCode::NOT_FOUND, "ch_Unknown"},
      {[&] { return get_subscription("in_DemoSamOpen"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "subscription_id"},
      {[&] { return get_subscription("sub_Missing"); }, grpc::StatusCode::NOT_FOUND, "sub_Missing"},
      {[&] { return secure(0, "usd"); }, grpc::StatusCode::INVALID_ARGUMENT, "amount.amount_minor"},
      {[&] { return secure(100'000'000, "usd"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "amount.amount_minor"},
      {[&] { return secure(500, "USD"); }, grpc::StatusCode::INVALID_ARGUMENT, "amount.currency"},
      {[&] {
         v1::ListInvoicesRequest request;
         *request.mutable_context() = Context();
         request.set_customer_id("cus_DemoSamLee");
         request.set_status("late");
         v1::ListInvoicesResponse response;
         return Invoke(&Stub::ListInvoices, request, &response);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "status must be"},
      {[&] {
         v1::CreateCouponRequest request;
         *request.mutable_context() = Context("bad-coupon");
         request.set_percent_off(10);
         request.mutable_amount_off()->set_amount_minor(100);
         request.mutable_amount_off()->set_currency("usd");
         v1::CreateCouponResponse response;
         return Invoke(&Stub::CreateCoupon, request, &response);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "exactly one of percent_off and amount_off"},
      {[&] {
         v1::FindDuplicateChargesRequest request;
         *request.mutable_context() = Context();
         request.set_customer_id("cus_DemoJennyRosen");
         request.set_window_seconds(-5);
         v1::FindDuplicateChargesResponse response;
         return Invoke(&Stub::FindDuplicateCharges, request, &response);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "window_seconds"},
      {[&] {
         v1::CancelSubscriptionRequest request;
         *request.mutable_context() = Context();  // no request_id
         request.set_subscription_id("sub_DemoJennyPro");
         v1::CancelSubscriptionResponse response;
         return Invoke(&Stub::CancelSubscription, request, &response);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "context.request_id is required"},
      {[&] { return execute("get_price", R"({"price_id": "prod_DemoPro"})"); },
       grpc::StatusCode::INVALID_ARGUMENT, "price_id must be a Stripe id starting with price_"},
      {[&] { return execute("get_event", R"({"event_id": "evt_Missing"})"); },
       grpc::StatusCode::NOT_FOUND, "evt_Missing"},
      {[&] {
         return execute("create_payment_intent", R"({"amount": 500, "currency": "dollars"})");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "currency must be at most 3 characters"},
      {[&] { return execute("create_payment_intent", R"({"amount": 500, "currency": "xyz"})"); },
       grpc::StatusCode::INVALID_ARGUMENT, "currency"},
      {[&] {
         return execute("update_customer",
                        R"({"customer_id": "cus_DemoJennyRosen",
                            "metadata": {"note": "4242424242424242"}})");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "card number"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const grpc::Status status = cases[i].call();
    EXPECT_EQ(status.error_code(), cases[i].code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(cases[i].message));
  }
}

// Saved answers (the replies kept for retries) are sealed at rest: the
// store's file holds no client_secret, email or key that a write's answer
// carried.
class SavedAnswersAtRestTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return absl::StrCat(R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
      "tenant_id": "acme", "policy": {"enabled_actions": ["all"]}, "store_path": ")",
                        StorePath(), R"("})");
  }
  static std::string StorePath() {
    return absl::StrCat(::testing::TempDir(), "/payvox-answers-", ::getpid(), ".db");
  }
  static std::string FileBytes(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), {});
  }
  void TearDown() override {
    PayvoxdTest::TearDown();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((StorePath() + suffix).c_str());
  }
};

TEST_F(SavedAnswersAtRestTest, TheStoreHoldsNoSecretOrEmailInClear) {
  v1::VerifyIdentityResponse verified;
  ASSERT_TRUE(Verify("cus_DemoJennyRosen", "4242", &verified).ok());
  v1::StartSecurePaymentRequest secure;
  *secure.mutable_context() = Context("pay-1");
  secure.set_customer_id("cus_DemoJennyRosen");
  secure.mutable_amount()->set_amount_minor(2000);
  secure.mutable_amount()->set_currency("usd");
  v1::StartSecurePaymentResponse started;
  ASSERT_TRUE(Invoke(&Stub::StartSecurePayment, secure, &started).ok());
  ASSERT_FALSE(started.client_secret().empty());

  v1::ExecuteRequest create;
  *create.mutable_context() = Context("customer-1");
  create.set_action("create_customer");
  create.set_arguments_json(
      R"({"name": "Ana Silva", "email": "ana.at.rest@example.com",
          "description": "pasted sk_test_typedintoanote123"})");
  v1::ExecuteResponse created;
  ASSERT_TRUE(Invoke(&Stub::Execute, create, &created).ok());
  ASSERT_THAT(created.result_json(), HasSubstr("ana.at.rest@example.com"));

  // A retry is still answered from the saved answer.
  v1::StartSecurePaymentResponse retry;
  ASSERT_TRUE(Invoke(&Stub::StartSecurePayment, secure, &retry).ok());
  EXPECT_EQ(retry.client_secret(), started.client_secret());

  const std::string at_rest = FileBytes(StorePath()) + FileBytes(StorePath() + "-wal");
  ASSERT_THAT(at_rest, HasSubstr(started.payment_intent_id())) << "the file was read";
  EXPECT_THAT(at_rest, Not(HasSubstr(started.client_secret())));
  EXPECT_THAT(at_rest, Not(HasSubstr("ana.at.rest@example.com")));
  EXPECT_THAT(at_rest, Not(HasSubstr("sk_test_typedintoanote123")));
}

}  // namespace
}  // namespace payvox::testing
