// Unit tests of the coupons family against a scripted Stripe.
#include "actions/coupons.h"

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

class CouponsTest : public ActionTest {
 protected:
  CouponsTest() {
    stripe_.Answer("POST /v1/coupons", 200,
                   R"({"id": "co_1", "object": "coupon", "percent_off": 20, "duration": "once"})");
    stripe_.Answer("POST /v1/promotion_codes", 200,
                   R"({"id": "promo_1", "object": "promotion_code", "code": "KX7PRT",
                       "customer": "cus_1", "coupon": {"id": "co_1", "percent_off": 20}})");
  }

  // AllowCoupons enables coupons up to 50% off, `daily_count` a day.
  void AllowCoupons(int daily_count) {
    v1::TenantPolicy policy;
    policy.add_enabled_actions("coupons");
    policy.mutable_coupons()->set_daily_count(daily_count);
    policy.mutable_coupons()->set_max_percent_off(50);
    actions_.PolicyChanged(policy);
  }

  absl::StatusOr<v1::CreateCouponResponse> Coupon(const char* request_id,
                                                  const char* customer = "cus_1") {
    v1::CreateCouponRequest request;
    *request.mutable_context() = Context(request_id);
    request.set_percent_off(20);
    request.set_customer_id(customer);
    return RunCoroutine(actions_.coupons.CreateCoupon(request, absl::InfiniteFuture()));
  }

  size_t Posts(absl::string_view path) const {
    size_t posts = 0;
    for (const stripe::StripeRequest& request : stripe_.requests()) {
      posts += request.method == stripe::HttpMethod::kPost && request.path == path;
    }
    return posts;
  }
};

TEST_F(CouponsTest, ACustomersCouponNeedsTheirVerificationThenGetsASpokenCode) {
  AllowCoupons(0);
  EXPECT_THAT(Coupon("c-1"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Posts("/v1/coupons"), 0u);
  ASSERT_TRUE(Verify("4242")->verified());
  absl::StatusOr<v1::CreateCouponResponse> coupon = Coupon("c-2");
  ASSERT_TRUE(coupon.ok()) << coupon.status();
  EXPECT_EQ(coupon->coupon().code(), "KX7PRT");
  EXPECT_THAT(coupon->say(), HasSubstr("Your code is"));
  // One code for this customer only, redeemable once, keyed from the write.
  const stripe::StripeRequest promotion = stripe_.requests().back();
  EXPECT_EQ(promotion.params.Find("customer"), "cus_1");
  EXPECT_EQ(promotion.params.Find("max_redemptions"), "1");
  EXPECT_THAT(promotion.idempotency_key, ::testing::EndsWith("_promo"));
}

TEST_F(CouponsTest, TheDailyCountIsALimitOfThePipeline) {
  AllowCoupons(1);
  ASSERT_TRUE(Coupon("c-1", "").ok());
  absl::StatusOr<v1::CreateCouponResponse> second = Coupon("c-2", "");
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Posts("/v1/coupons"), 1u);
  // A retry of the first is its saved answer, not a second coupon.
  ASSERT_TRUE(Coupon("c-1", "").ok());
  EXPECT_EQ(Posts("/v1/coupons"), 1u);
}

TEST_F(CouponsTest, InputIsCheckedBeforeStripe) {
  v1::CreateCouponRequest request;
  *request.mutable_context() = Context("c-1");
  request.set_percent_off(120);
  EXPECT_THAT(RunCoroutine(actions_.coupons.CreateCoupon(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("percent_off")));
  EXPECT_TRUE(stripe_.requests().empty());
}

}  // namespace
}  // namespace payvox
