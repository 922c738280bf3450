#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/policy.h"

namespace payvox::policy {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

const std::vector<std::string> kActions = {"create_refund", "create_coupon", "list_charges"};

absl::Status Check(const std::function<void(v1::TenantPolicy&)>& edit) {
  v1::TenantPolicy policy;
  edit(policy);
  return ValidatePolicy(policy, kActions);
}

TEST(ValidatePolicyTest, AcceptsAFullPolicy) {
  EXPECT_TRUE(Check([](v1::TenantPolicy& p) {
                p.add_enabled_actions("full_refunds");
                p.add_enabled_actions("create_coupon");
                p.add_verified_actions("create_refund");
                auto* limit = p.mutable_refunds()->add_daily_limit();
                limit->set_currency("jpy");
                limit->set_amount_minor(50000);
                p.mutable_coupons()->set_max_percent_off(15);
                p.mutable_subscriptions()->set_proration_behavior("none");
                p.set_verification_ttl_seconds(600);
              }).ok());
  EXPECT_TRUE(ValidatePolicy(v1::TenantPolicy(), {}).ok());
}

TEST(ValidatePolicyTest, NamesTheBadField) {
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.add_enabled_actions("launch_rockets"); }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policy.enabled_actions[0]: \"launch_rockets\"")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.add_verified_actions("coupons"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("verified_actions[0]")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.add_confirmed_actions("refund_everything"); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("confirmed_actions[0]")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) {
                auto* limit = p.mutable_refunds()->add_daily_limit();
                limit->set_currency("usd");
                limit->set_amount_minor(100);
                limit = p.mutable_refunds()->add_daily_limit();
                limit->set_currency("USD!");
                limit->set_amount_minor(100);
              }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policy.refunds.daily_limit[1].currency")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) {
                for (int i = 0; i < 2; ++i) {
                  auto* limit = p.mutable_refunds()->add_max_auto_refund();
                  limit->set_currency("eur");
                  limit->set_amount_minor(100);
                }
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) {
                auto* limit = p.mutable_coupons()->add_max_amount_off();
                limit->set_currency("usd");
                limit->set_amount_minor(0);
              }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("coupons.max_amount_off[0].amount_minor")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.mutable_coupons()->set_max_percent_off(120); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_percent_off")));
  EXPECT_THAT(
      Check([](v1::TenantPolicy& p) { p.mutable_refunds()->set_max_charge_age_days(5000); }),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_charge_age_days")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) {
                p.mutable_subscriptions()->set_proration_behavior("sometimes");
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("proration_behavior")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.set_verification_ttl_seconds(5); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("verification_ttl")));
  EXPECT_THAT(Check([](v1::TenantPolicy& p) { p.set_max_verification_attempts(11); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_verification")));
}

}  // namespace
}  // namespace payvox::policy
