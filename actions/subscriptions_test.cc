// Unit tests of the subscriptions family against a scripted Stripe.
#include "actions/subscriptions.h"

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

constexpr char kActive[] = R"({"id": "sub_1", "object": "subscription", "customer": "cus_1",
  "status": "active", "current_period_end": 1792592000,
  "items": {"object": "list", "has_more": false, "data": [{"id": "si_1", "quantity": 1,
    "price": {"id": "price_basic", "currency": "usd", "unit_amount": 900, "nickname": "Basic",
      "recurring": {"interval": "month", "interval_count": 1}}}]}})";

class SubscriptionsTest : public ActionTest {
 protected:
  SubscriptionsTest() {
    stripe_.Answer("GET /v1/subscriptions/sub_1", 200, kActive);
    stripe_.Answer("POST /v1/subscriptions/sub_1", 200, kActive);
    stripe_.Answer("DELETE /v1/subscriptions/sub_1", 200, kActive);
    v1::TenantPolicy policy;
    for (const char* capability : {"view_subscriptions", "cancel_subscriptions",
                                   "pause_subscriptions", "change_subscription_plans"}) {
      policy.add_enabled_actions(capability);
    }
    actions_.PolicyChanged(policy);
  }

  v1::CallContext Confirmed(const char* request_id) {
    v1::CallContext context = Context(request_id);
    context.set_confirmed(true);
    return context;
  }

  const stripe::StripeRequest& Last() {
    last_ = stripe_.requests();
    return last_.back();
  }

  std::vector<stripe::StripeRequest> last_;
};

TEST_F(SubscriptionsTest, CancelAtThePeriodsEndOrAtOnce) {
  ASSERT_TRUE(Verify("4242")->verified());
  v1::CancelSubscriptionRequest request;
  *request.mutable_context() = Confirmed("cancel-1");
  request.set_subscription_id("sub_1");
  request.set_reason("moving abroad");
  absl::StatusOr<v1::CancelSubscriptionResponse> later =
      RunCoroutine(actions_.subscriptions.CancelSubscription(request, absl::InfiniteFuture()));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(Last().method, stripe::HttpMethod::kPost);
  EXPECT_EQ(Last().params.Find("cancel_at_period_end"), "true");
  EXPECT_EQ(Last().params.Find("cancellation_details[comment]"), "moving abroad");
  EXPECT_THAT(later->say(), HasSubstr("You keep access until"));

  *request.mutable_context() = Confirmed("cancel-2");
  request.set_immediately(true);
  ASSERT_TRUE(
      RunCoroutine(actions_.subscriptions.CancelSubscription(request, absl::InfiniteFuture()))
          .ok());
  EXPECT_EQ(Last().method, stripe::HttpMethod::kDelete);
  EXPECT_EQ(Last().params.Find("cancel_at_period_end"), std::nullopt);
}

TEST_F(SubscriptionsTest, AStateThatForbidsTheChangeIsSaidWithoutAWrite) {
  stripe_.Answer("GET /v1/subscriptions/sub_1", 200,
                 R"({"id": "sub_1", "customer": "cus_1", "status": "active",
                     "pause_collection": {"behavior": "void"}, "items": {"data": []}})");
  ASSERT_TRUE(Verify("4242")->verified());
  v1::PauseSubscriptionRequest request;
  *request.mutable_context() = Context("pause-1");
  request.set_subscription_id("sub_1");
  EXPECT_THAT(
      RunCoroutine(actions_.subscriptions.PauseSubscription(request, absl::InfiniteFuture())),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already paused")));
  EXPECT_EQ(Last().method, stripe::HttpMethod::kGet);
}

TEST_F(SubscriptionsTest, APlanChangeIsPreviewedThenAppliedAtThePreviewsDate) {
  stripe_.Answer("GET /v1/invoices/upcoming", 200,
                 R"({"object": "invoice", "customer": "cus_1", "currency": "usd",
                     "lines": {"data": [
                       {"amount": 1500, "currency": "usd", "proration": true},
                       {"amount": 2900, "currency": "usd", "proration": false}]}})");
  ASSERT_TRUE(Verify("4242")->verified());
  v1::ChangeSubscriptionPlanRequest request;
  *request.mutable_context() = Context("plan-1");
  request.set_subscription_id("sub_1");
  request.set_new_price_id("price_pro");
  absl::StatusOr<v1::ChangeSubscriptionPlanResponse> preview =
      RunCoroutine(actions_.subscriptions.ChangeSubscriptionPlan(request, absl::InfiniteFuture()));
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_FALSE(preview->applied());
  EXPECT_EQ(preview->proration().amount_minor(), 1500);
  EXPECT_THAT(preview->say(), HasSubstr("Shall I go ahead?"));
  EXPECT_EQ(Last().path, "/v1/invoices/upcoming");
  const std::string previewed_date(*Last().params.Find("subscription_proration_date"));

  *request.mutable_context() = Confirmed("plan-1");
  absl::StatusOr<v1::ChangeSubscriptionPlanResponse> applied =
      RunCoroutine(actions_.subscriptions.ChangeSubscriptionPlan(request, absl::InfiniteFuture()));
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(applied->applied());
  EXPECT_EQ(Last().path, "/v1/subscriptions/sub_1");
  EXPECT_EQ(Last().params.Find("items[0][price]"), "price_pro");
  EXPECT_EQ(Last().params.Find("proration_date"), previewed_date);
}

}  // namespace
}  // namespace payvox
