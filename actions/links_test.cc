// Unit tests of the links and hand-off families against a scripted Stripe.
#include "actions/links.h"

#include "actions/handoff.h"
#include "actions/testing/action_test_env.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class LinksTest : public ActionTest {
 protected:
  LinksTest() {
    v1::TenantPolicy policy;
    for (const char* capability : {"payment_links", "portal_links", "secure_payments"}) {
      policy.add_enabled_actions(capability);
    }
    actions_.PolicyChanged(policy);
  }
};

TEST_F(LinksTest, APaymentLinkBelongsToNoCustomerAndNeedsNoVerification) {
  stripe_.Answer("POST /v1/payment_links", 200,
                 R"({"id": "plink_1", "url": "https://buy.stripe.com/test_1"})");
  v1::CreatePaymentLinkRequest request;
  *request.mutable_context() = Context("link-1");
  request.set_price_id("price_basic");
  absl::StatusOr<v1::CreatePaymentLinkResponse> link =
      RunCoroutine(actions_.links.CreatePaymentLink(request, absl::InfiniteFuture()));
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->url(), "https://buy.stripe.com/test_1");
  EXPECT_EQ(stripe_.requests().back().params.Find("line_items[0][quantity]"), "1");
}

TEST_F(LinksTest, APortalSessionNeedsTheCustomersVerification) {
  stripe_.Answer("POST /v1/billing_portal/sessions", 200,
                 R"({"id": "bps_1", "url": "https://billing.stripe.com/p/session/test_1"})");
  v1::CreatePortalSessionRequest request;
  *request.mutable_context() = Context("portal-1");
  request.set_customer_id("cus_1");
  EXPECT_THAT(RunCoroutine(actions_.links.CreatePortalSession(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(stripe_.requests().empty());
  ASSERT_TRUE(Verify("4242")->verified());
  *request.mutable_context() = Context("portal-2");
  EXPECT_TRUE(
      RunCoroutine(actions_.links.CreatePortalSession(request, absl::InfiniteFuture())).ok());
}

TEST_F(LinksTest, TheHandOffCreatesACardOnlyIntentLinkedToTheCallAndItsSession) {
  stripe_.Answer("POST /v1/payment_intents", 200,
                 R"({"id": "pi_1", "object": "payment_intent", "amount": 2500, "currency": "usd",
                     "status": "requires_payment_method", "client_secret": "pi_1_secret_x"})");
  ASSERT_TRUE(Verify("4242")->verified());
  v1::StartSecurePaymentRequest request;
  *request.mutable_context() = Context("pay-1");
  request.set_customer_id("cus_1");
  request.mutable_amount()->set_amount_minor(2500);
  request.mutable_amount()->set_currency("usd");
  absl::StatusOr<v1::StartSecurePaymentResponse> started =
      RunCoroutine(actions_.handoff.StartSecurePayment(request, absl::InfiniteFuture()));
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_THAT(started->handoff_session_id(), ::testing::StartsWith("hos_"));
  EXPECT_THAT(started->say(), HasSubstr("$25.00"));
  const stripe::StripeRequest sent = stripe_.requests().back();
  EXPECT_EQ(sent.params.Find("payment_method_types[]"), "card");
  EXPECT_EQ(sent.params.Find("metadata[payvox_call_id]"), "call-1");
  EXPECT_EQ(sent.params.Find("metadata[payvox_handoff_session]"), started->handoff_session_id());
  absl::StatusOr<std::optional<HandoffSession>> stored = store_->FindHandoffSession("acme", "pi_1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->session_id, started->handoff_session_id());
}

}  // namespace
}  // namespace payvox
