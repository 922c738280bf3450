#include "app/operations_watch.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/testing/fake_clock.h"
#include "common/testing/fake_sleeper.h"
#include "common/testing/run_coroutine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;
using ::testing::HasSubstr;
using ::testing::Not;

v1::TenantPolicy DailyLimit(const std::string& currency, int64_t amount_minor) {
  v1::TenantPolicy policy;
  v1::CurrencyAmount* limit = policy.mutable_refunds()->add_daily_limit();
  limit->set_currency(currency);
  limit->set_amount_minor(amount_minor);
  return policy;
}

class OperationsWatchTest : public ::testing::Test {
 protected:
  OperationsWatchTest()
      : store_(*SqliteStore::Open({}, clock_)),
        executor_(*store_, {.threads = 1}),
        sleeper_(clock_),
        watch_(executor_, clock_, sleeper_, registry_,
               {.config_tenant = "acme", .default_policy = DailyLimit("usd", 50000)}) {}

  void Approval(const std::string& tenant, const std::string& id, absl::Time created) {
    StoredApproval stored;
    stored.approval.set_approval_id(id);
    stored.approval.set_tenant_id(tenant);
    stored.approval.set_action("create_refund");
    stored.approval.set_state("pending");
    stored.approval.set_created(absl::ToUnixSeconds(created));
    stored.approval.set_expires_at(absl::ToUnixSeconds(created + absl::Hours(24)));
    ASSERT_TRUE(store_->CreateApproval(stored).ok());
  }

  void Audit(const std::string& tenant) {
    v1::AuditRecord record;
    record.set_tenant_id(tenant);
    record.set_call_id("call-1");
    record.set_action("create_refund");
    record.set_kind("decision");
    record.set_decision("allow");
    ASSERT_TRUE(store_->AppendAudit(record).ok());
  }

  std::string Today() const {
    return absl::FormatCivilTime(absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone()));
  }

  testing::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor executor_;
  testing::FakeSleeper sleeper_;
  metrics::Registry registry_;
  OperationsWatch watch_;
};

TEST_F(OperationsWatchTest, ReadsEveryTenantsApprovalsLimitsAndChain) {
  // "acme" lives in the config only, with the default policy; "beta" is
  // stored, with a policy of its own.
  ASSERT_TRUE(store_
                  ->CreateTenant({.tenant_id = "beta", .created = clock_.Now()},
                                 {.tenant_id = "beta", .token_hash = "h", .created = clock_.Now()})
                  .ok());
  ASSERT_TRUE(store_->SetPolicy("beta", DailyLimit("eur", 10000)).ok());
  Approval("acme", "apv_1", clock_.Now() - absl::Minutes(30));
  Approval("acme", "apv_2", clock_.Now() - absl::Minutes(5));
  ASSERT_TRUE(store_
                  ->ReserveUsage({.key = {"acme", kRefundUsage, "usd", Today()},
                                  .idempotency_key = "k1",
                                  .amount = 40000,
                                  .expires_at = clock_.Now() + absl::Hours(1)})
                  .ok());
  Audit("acme");
  Audit("acme");

  ASSERT_TRUE(RunCoroutine(watch_.SweepOnce(/*check_audit=*/true)).ok());
  const std::string text = registry_.Render();
  EXPECT_THAT(text, HasSubstr(R"(payvox_approvals_pending{tenant="acme"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_approvals_pending{tenant="beta"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_approval_oldest_pending_seconds{tenant="acme"} 1800)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_approval_oldest_pending_seconds{tenant="beta"} 0)"));
  EXPECT_THAT(
      text, HasSubstr(R"(payvox_refund_daily_limit_used_ratio{tenant="acme",currency="usd"} 0.8)"));
  EXPECT_THAT(text,
              HasSubstr(R"(payvox_refund_daily_limit_used_ratio{tenant="beta",currency="eur"} 0)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(tenant="beta",currency="usd")")));
  EXPECT_THAT(text, HasSubstr(R"(payvox_audit_chain_intact{tenant="acme"} 1)"));

  // A record removed from the chain shows at the next check, not before.
  Audit("acme");
  ASSERT_TRUE(
      store_->ExecForTesting("DELETE FROM audit WHERE tenant = 'acme' AND sequence = 2").ok());
  ASSERT_TRUE(RunCoroutine(watch_.SweepOnce(/*check_audit=*/false)).ok());
  EXPECT_THAT(registry_.Render(), HasSubstr(R"(payvox_audit_chain_intact{tenant="acme"} 1)"));
  ASSERT_TRUE(RunCoroutine(watch_.SweepOnce(/*check_audit=*/true)).ok());
  EXPECT_THAT(registry_.Render(), HasSubstr(R"(payvox_audit_chain_intact{tenant="acme"} 0)"));
}

TEST_F(OperationsWatchTest, AnApprovalDecidedOrExpiredNoLongerWaits) {
  Approval("acme", "apv_1", clock_.Now() - absl::Minutes(30));
  ASSERT_TRUE(RunCoroutine(watch_.SweepOnce(false)).ok());
  EXPECT_THAT(registry_.Render(), HasSubstr(R"(payvox_approvals_pending{tenant="acme"} 1)"));
  ASSERT_TRUE(store_->DecideApproval("acme", "apv_1", true, "ops", "", clock_.Now()).ok());
  Approval("acme", "apv_2", clock_.Now());
  clock_.Advance(absl::Hours(25));  // apv_2 expires unanswered
  ASSERT_TRUE(RunCoroutine(watch_.SweepOnce(false)).ok());
  const std::string text = registry_.Render();
  EXPECT_THAT(text, HasSubstr(R"(payvox_approvals_pending{tenant="acme"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_approval_oldest_pending_seconds{tenant="acme"} 0)"));
}

TEST_F(OperationsWatchTest, RunChecksTheChainAtOnceAndThenEveryCheckInterval) {
  Audit("acme");
  Audit("acme");
  Audit("acme");
  CancelSignal stop;
  // Whether the chain read as intact after each sweep, one a minute.
  std::vector<bool> intact;
  OperationsWatch watch(
      executor_, clock_, sleeper_, registry_,
      {.interval = absl::Minutes(1),
       .audit_check_interval = absl::Minutes(10),
       .config_tenant = "acme",
       .on_sweep = [&](const absl::Status& swept) {
         ASSERT_TRUE(swept.ok()) << swept;
         intact.push_back(absl::StrContains(registry_.Render(),
                                            R"(payvox_audit_chain_intact{tenant="acme"} 1)"));
         // Broken after the first check.
         if (intact.size() == 1) {
           ASSERT_TRUE(
               store_->ExecForTesting("DELETE FROM audit WHERE tenant = 'acme' AND sequence = 2")
                   .ok());
         }
         if (intact.size() == 12) stop.Cancel();
       }});
  RunCoroutine(watch.Run(stop));
  // Sweeps at 0, 1, ..., 11 minutes: the chain is read at 0 and at 10.
  EXPECT_THAT(intact, ::testing::ElementsAre(true, true, true, true, true, true, true, true, true,
                                             true, false, false));
}

}  // namespace
}  // namespace payvox
