#include "policy/policy.h"

#include <functional>

#include "common/error_detail.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::policy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::CurrencyAmount Usd(int64_t amount) {
  v1::CurrencyAmount out;
  out.set_currency("usd");
  out.set_amount_minor(amount);
  return out;
}

ActionFacts Refund(int64_t amount) {
  ActionFacts facts{.action = "create_refund",
                    .capability = "full_refunds",
                    .action_class = ActionClass::kWrite,
                    .caller_verified = true,
                    .now = kNow};
  facts.refund = RefundFacts{.amount = amount,
                             .currency = "usd",
                             .reason = "duplicate",
                             .charge_created = kNow - absl::Hours(24),
                             .risk_level = "normal"};
  return facts;
}

struct RuleCase {
  const char* name;
  std::function<void(v1::TenantPolicy&)> set_policy;
  std::function<void(ActionFacts&)> set_facts;
  Verdict verdict;
  const char* rule;
};

class DecideTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(DecideTest, AppliesTheRule) {
  const RuleCase& test = GetParam();
  v1::TenantPolicy policy;
  test.set_policy(policy);
  ActionFacts facts = Refund(1000);
  test.set_facts(facts);
  const Decision decision = Decide(policy, facts);
  EXPECT_EQ(decision.verdict, test.verdict)
      << VerdictName(decision.verdict) << ": " << decision.message;
  EXPECT_EQ(decision.rule, test.rule);
  if (test.verdict != Verdict::kAllow) {
    EXPECT_FALSE(decision.reason.empty());
    EXPECT_FALSE(decision.message.empty());
    EXPECT_FALSE(decision.say.empty());
  }
}

void NoPolicy(v1::TenantPolicy&) {}
void NoFacts(ActionFacts&) {}

INSTANTIATE_TEST_SUITE_P(Rules, DecideTest,
                         ::
                             testing::
                                 Values(RuleCase{"default_allows_refunds", NoPolicy, NoFacts,
                                                 Verdict::kAllow, ""},
                                        RuleCase{"default_refuses_coupons", NoPolicy,
                                                 [](ActionFacts& f) {
                                                   f.action = "create_coupon";
                                                   f.capability = "coupons";
                                                   f.refund.reset();
                                                   f.coupon = CouponFacts{.percent_off = 10};
                                                 },
                                                 Verdict::kDeny, "enabled_actions"},
                                        RuleCase{"capability_enabled_by_name",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("coupons");
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.action = "create_coupon";
                                                   f.capability = "coupons";
                                                   f.refund.reset();
                                                 },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"single_action_enabled",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("create_refund");
                                                 },
                                                 NoFacts, Verdict::kAllow, ""},
                                        RuleCase{"partial_refunds_not_enabled",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("full_refunds");
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "partial_refunds";
                                                 },
                                                 Verdict::kDeny, "enabled_actions"},
                                        RuleCase{"all_enables_everything",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("all");
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "secure_payments";
                                                 },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"writes_need_a_verified_caller", NoPolicy,
                                                 [](ActionFacts& f) { f.caller_verified = false; },
                                                 Verdict::kNeedsVerification, "verified_actions"},
                                        RuleCase{"reads_do_not", NoPolicy,
                                                 [](ActionFacts& f) {
                                                   f.caller_verified = false;
                                                   f.action_class = ActionClass::kRead;
                                                   f.capability = "view_payments";
                                                   f.refund.reset();
                                                 },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"listed_verified_actions_only",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_verified_actions("create_coupon");
                                                 },
                                                 [](ActionFacts& f) { f.caller_verified = false; },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"destructive_needs_confirmation",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("cancel_subscriptions");
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.action = "cancel_subscription";
                                                   f.capability = "cancel_subscriptions";
                                                   f.action_class = ActionClass::kDestructive;
                                                   f.refund.reset();
                                                   f.subscription = SubscriptionFacts{};
                                                 },
                                                 Verdict::kNeedsConfirmation,
                                                 "destructive_actions"},
                                        RuleCase{"listed_actions_need_confirmation",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_confirmed_actions("create_refund");
                                                 },
                                                 NoFacts, Verdict::kNeedsConfirmation,
                                                 "confirmed_actions"},
                                        RuleCase{"and_pass_once_confirmed",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_confirmed_actions("create_refund");
                                                 },
                                                 [](ActionFacts& f) { f.confirmed = true; },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"reason_required",
                                                 [](v1::TenantPolicy& p) {
                                                   p.mutable_refunds()->set_require_reason(true);
                                                 },
                                                 [](ActionFacts& f) { f.refund->reason.clear(); },
                                                 Verdict::kDeny, "refunds.require_reason"},
                                        RuleCase{"charge_too_old",
                                                 [](v1::TenantPolicy& p) {
                                                   p.mutable_refunds()->set_max_charge_age_days(30);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.refund->charge_created =
                                                       kNow - absl::Hours(24 * 31);
                                                 },
                                                 Verdict::kDeny, "refunds.max_charge_age_days"},
                                        RuleCase{"charge_young_enough",
                                                 [](v1::TenantPolicy& p) {
                                                   p.mutable_refunds()->set_max_charge_age_days(30);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.refund->charge_created =
                                                       kNow - absl::Hours(24 * 29);
                                                 },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"tenant_daily_limit",
                                                 [](v1::TenantPolicy& p) {
                                                   *p.mutable_refunds()->add_daily_limit() =
                                                       Usd(5000);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.usage.tenant_refunded_today = 4500;
                                                 },
                                                 Verdict::kDeny, "refunds.daily_limit"},
                                        RuleCase{"tenant_daily_limit_exactly_reached",
                                                 [](v1::TenantPolicy& p) {
                                                   *p.mutable_refunds()->add_daily_limit() =
                                                       Usd(5000);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.usage.tenant_refunded_today = 4000;
                                                 },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"daily_limit_of_another_currency",
                                                 [](v1::TenantPolicy& p) {
                                                   *p.mutable_refunds()->add_daily_limit() =
                                                       Usd(10);
                                                 },
                                                 [](ActionFacts& f) { f.refund->currency = "eur"; },
                                                 Verdict::kAllow, ""},
                                        RuleCase{"customer_daily_limit",
                                                 [](v1::TenantPolicy& p) {
                                                   *p.mutable_refunds()
                                                        ->add_daily_limit_per_customer() =
                                                       Usd(1500);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.usage.customer_refunded_today = 600;
                                                 },
                                                 Verdict::kDeny, "refunds.daily_limit_per_customer"},
                                        RuleCase{
                                            "disputed_refused", NoPolicy,
                                            [](ActionFacts& f) { f.refund->disputed = true; },
                                            Verdict::kDeny, "refunds.escalate_disputed"},
                                        RuleCase{
                                            "highest_risk_escalated",
                                            [](v1::TenantPolicy& p) {
                                              p.mutable_refunds()->set_escalate_disputed(true);
                                            },
                                            [](ActionFacts& f) {
                                              f.refund->risk_level = "highest";
                                            },
                                            Verdict::kNeedsApproval, "refunds.escalate_disputed"},
                                        RuleCase{"fraudulent_refused", NoPolicy,
                                                 [](ActionFacts& f) {
                                                   f.refund->fraudulent = true;
                                                 },
                                                 Verdict::kDeny, "refunds.escalate_disputed"},
                                        RuleCase{
                                            "above_auto_refund_needs_approval",
                                            [](v1::TenantPolicy& p) {
                                              *p.mutable_refunds()->add_max_auto_refund() =
                                                  Usd(999);
                                            },
                                            NoFacts,
                                            Verdict::kNeedsApproval, "refunds.max_auto_refund"},
                                        RuleCase{"denial_wins_over_approval",
                                                 [](v1::TenantPolicy& p) {
                                                   *p.mutable_refunds()->add_max_auto_refund() =
                                                       Usd(10);
                                                   *p.mutable_refunds()->add_daily_limit() =
                                                       Usd(100);
                                                 },
                                                 NoFacts, Verdict::kDeny, "refunds.daily_limit"},
                                        RuleCase{"coupon_percent_over_max",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("coupons");
                                                   p.mutable_coupons()->set_max_percent_off(20);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "coupons";
                                                   f.refund.reset();
                                                   f.coupon = CouponFacts{.percent_off = 25};
                                                 },
                                                 Verdict::kDeny, "coupons.max_percent_off"},
                                        RuleCase{"coupon_amount_in_unlisted_currency",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("coupons");
                                                   *p.mutable_coupons()->add_max_amount_off() =
                                                       Usd(1000);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "coupons";
                                                   f.refund.reset();
                                                   f.coupon = CouponFacts{.amount_off = 500,
                                                                          .currency = "eur"};
                                                 },
                                                 Verdict::kDeny, "coupons.max_amount_off"},
                                        RuleCase{"coupon_daily_count",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("coupons");
                                                   p.mutable_coupons()->set_max_percent_off(50);
                                                   p.mutable_coupons()->set_daily_count(3);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "coupons";
                                                   f.refund.reset();
                                                   f.coupon = CouponFacts{.percent_off = 10};
                                                   f.usage.coupons_today = 3;
                                                 },
                                                 Verdict::kDeny, "coupons.daily_count"},
                                        RuleCase{"immediate_cancel_refused",
                                                 [](v1::TenantPolicy& p) {
                                                   p.add_enabled_actions("cancel_subscriptions");
                                                   p.mutable_subscriptions()
                                                       ->set_cancel_at_period_end_only(true);
                                                 },
                                                 [](ActionFacts& f) {
                                                   f.capability = "cancel_subscriptions";
                                                   f.confirmed = true;
                                                   f.action_class = ActionClass::kDestructive;
                                                   f.refund.reset();
                                                   f.subscription = SubscriptionFacts{
                                                       .cancel_immediately = true};
                                                 },
                                                 Verdict::kDeny,
                                                 "subscriptions.cancel_at_period_end_only"}),
                         [](const ::testing::TestParamInfo<RuleCase>& info) {
                           return info.param.name;
                         });

TEST(DecisionTest, ToStatusCarriesReasonAndSay) {
  v1::TenantPolicy policy;
  *policy.mutable_refunds()->add_daily_limit() = Usd(500);
  const Decision decision = Decide(policy, Refund(1000));
  const absl::Status status = decision.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), HasSubstr("$5.00"));
  const std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), "refund_over_daily_limit");
  EXPECT_FALSE(detail->say().empty());
  EXPECT_TRUE(Decide(v1::TenantPolicy(), Refund(1)).ToStatus().ok());
}

TEST(DecisionTest, TheConfirmationQuestionSaysWhatTheActionDoes) {
  v1::TenantPolicy policy;
  policy.add_confirmed_actions("create_refund");
  ActionFacts facts = Refund(4900);
  EXPECT_EQ(Decide(policy, facts).say, "Just to confirm: do you want me to go ahead?");
  facts.summary = "refund $49.00 to your Visa ending in 4242";
  const Decision asked = Decide(policy, facts);
  EXPECT_EQ(asked.say, "Just to confirm: shall I refund $49.00 to your Visa ending in 4242?");
  EXPECT_THAT(asked.message, HasSubstr("context.confirmed set or the confirmation_token"));
  // A tenant that requires the token says so to the orchestrator.
  policy.set_confirmation_token_required(true);
  EXPECT_THAT(Decide(policy, facts).message,
              AllOf(HasSubstr("with the confirmation_token of this answer"),
                    Not(HasSubstr("context.confirmed"))));
}

}  // namespace
}  // namespace payvox::policy
