// sqlite_store_test.cc: what only SqliteStore does (its file, its schema
// versions); the Store interface's tests are store_conformance_test.cc.
#include "store/sqlite_store.h"

#include <cstdio>

#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;

const VerificationKey kJenny{"acme", "call-1", "cus_1"};

std::unique_ptr<SqliteStore> OpenStore(const Clock& clock, const std::string& path = ":memory:") {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open({.path = path}, clock);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

TEST(SqliteStoreTest, StateSurvivesReopeningTheFile) {
  testing::FakeClock clock;
  const std::string path = ::testing::TempDir() + "/payvox_reopen.db";
  std::remove(path.c_str());
  {
    auto store = OpenStore(clock, path);
    ASSERT_TRUE(store->MarkVerified(kJenny, clock.Now() + absl::Minutes(5)).ok());
    v1::TenantPolicy policy;
    policy.add_enabled_actions("coupons");
    ASSERT_TRUE(store->SetPolicy("acme", policy).ok());
  }
  auto store = OpenStore(clock, path);
  EXPECT_EQ(store->GetVerification(kJenny)->verified_until, clock.Now() + absl::Minutes(5));
  absl::StatusOr<std::optional<v1::TenantPolicy>> policy = store->GetPolicy("acme");
  ASSERT_TRUE(policy.ok() && policy->has_value());
  EXPECT_EQ((*policy)->enabled_actions(0), "coupons");
  EXPECT_FALSE(store->GetPolicy("other")->has_value());
}

TEST(SqliteStoreTest, RefusesADatabaseFromANewerPayvox) {
  testing::FakeClock clock;
  const std::string path = ::testing::TempDir() + "/payvox_newer.db";
  std::remove(path.c_str());
  { ASSERT_TRUE(OpenStore(clock, path)->ExecForTesting("PRAGMA user_version = 999").ok()); }
  EXPECT_THAT(SqliteStore::Open({.path = path}, clock),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("newer")));
}

TEST(SqliteStoreTest, MigratesADatabaseOfTheFirstSchema) {
  testing::FakeClock clock;
  const std::string path = ::testing::TempDir() + "/payvox_schema1.db";
  std::remove(path.c_str());
  const UsageKey refunds{"acme", "refund", "usd", "2026-11-23"};
  {
    auto store = OpenStore(clock, path);
    ASSERT_TRUE(store->ReserveUsage({.key = refunds, .customer_id = "cus_1", .amount = 300}).ok());
    ASSERT_TRUE(store->ReserveUsage({.key = refunds, .customer_id = "cus_2", .amount = 200}).ok());
    ASSERT_TRUE(store->ReserveUsage({.key = refunds, .amount = 50}).ok());
    // Back to the first schema, reservations and all.
    ASSERT_TRUE(store
                    ->ExecForTesting(
                        "DROP TABLE idempotency; DROP TRIGGER usage_on_reserve; "
                        "DROP TRIGGER usage_on_release; DROP TABLE usage_totals; "
                        "DROP TABLE handoff_sessions; DROP TABLE events; DROP TABLE tenant_tokens; "
                        "DROP TABLE tenants; DROP TABLE webhook_endpoints; DROP TABLE job_leases; "
                        "DROP TABLE in_flight; DROP TABLE replicas; "
                        "DROP INDEX reservations_pending; "
                        "ALTER TABLE reservations DROP COLUMN attempted; "
                        "PRAGMA user_version = 1")
                    .ok());
  }
  auto store = OpenStore(clock, path);
  ASSERT_NE(store, nullptr);
  // The totals start from the reservations already there, and follow them.
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->tenant_total, 550);
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->tenant_count, 3);
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->customer_total, 300);
  EXPECT_EQ(store->GetUsage(refunds, "", "")->customer_total, 50);
  const int64_t id = *store->ReserveUsage({.key = refunds, .customer_id = "cus_1", .amount = 25});
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->customer_total, 325);
  ASSERT_TRUE(store->ReleaseReservation(id).ok());
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->customer_total, 300);
  EXPECT_EQ(store->GetUsage(refunds, "cus_2", "")->tenant_total, 550);
  // Reservations already there count as attempted when they were made.
  EXPECT_EQ(*store->ReleaseOrphanReservations(clock.Now() - absl::Seconds(1)), 0);
  // A retry's own reservation is left out of the totals it is decided on.
  ASSERT_TRUE(store
                  ->ReserveUsage({.key = refunds,
                                  .idempotency_key = "pvx_retried",
                                  .customer_id = "cus_1",
                                  .amount = 40})
                  .ok());
  const Usage without_own = *store->GetUsage(refunds, "cus_1", "pvx_retried");
  EXPECT_EQ(without_own.tenant_total, 550);
  EXPECT_EQ(without_own.tenant_count, 3);
  EXPECT_EQ(without_own.customer_total, 300);
  EXPECT_EQ(store->GetUsage(refunds, "cus_1", "")->tenant_total, 590);
  EXPECT_EQ(store->GetUsage(refunds, "cus_2", "pvx_retried")->customer_total, 200);
  EXPECT_TRUE(
      store
          ->SaveIdempotencyRecord(
              {.tenant_id = "acme", .key = "k", .action = "a", .fingerprint = "f", .response = "r"})
          .ok());
}

}  // namespace
}  // namespace payvox
