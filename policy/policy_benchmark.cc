// Decision latency: the policy check runs before every action.
#include <benchmark/benchmark.h>

#include "policy/policy.h"

namespace payvox::policy {
namespace {

v1::TenantPolicy RealisticPolicy() {
  v1::TenantPolicy policy;
  for (const char* capability : {"view_payments", "view_refunds", "full_refunds", "coupons"}) {
    policy.add_enabled_actions(capability);
  }
  policy.mutable_refunds()->set_require_reason(true);
  policy.mutable_refunds()->set_max_charge_age_days(90);
  for (const char* currency : {"eur", "gbp", "usd"}) {
    auto* limit = policy.mutable_refunds()->add_daily_limit();
    limit->set_currency(currency);
    limit->set_amount_minor(500000);
    auto* per_customer = policy.mutable_refunds()->add_daily_limit_per_customer();
    per_customer->set_currency(currency);
    per_customer->set_amount_minor(20000);
    auto* automatic = policy.mutable_refunds()->add_max_auto_refund();
    automatic->set_currency(currency);
    automatic->set_amount_minor(10000);
  }
  return policy;
}

void BM_DecideRefund(benchmark::State& state) {
  const v1::TenantPolicy policy = RealisticPolicy();
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  ActionFacts facts{.action = "create_refund",
                    .capability = "full_refunds",
                    .action_class = ActionClass::kWrite,
                    .caller_verified = true,
                    .now = now};
  facts.refund = RefundFacts{.amount = 4900,
                             .currency = "usd",
                             .reason = "duplicate",
                             .charge_created = now - absl::Hours(48),
                             .risk_level = "normal"};
  facts.usage = {.tenant_refunded_today = 12000, .customer_refunded_today = 0};
  for (auto _ : state) {
    Decision decision = Decide(policy, facts);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_DecideRefund);

}  // namespace
}  // namespace payvox::policy
