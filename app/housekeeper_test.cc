#include "app/housekeeper.h"

#include <vector>

#include "common/testing/fake_clock.h"
#include "common/testing/fake_sleeper.h"
#include "common/testing/run_coroutine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;

class HousekeeperTest : public ::testing::Test {
 protected:
  HousekeeperTest()
      : store_(*SqliteStore::Open({}, clock_)),
        executor_(*store_, {.threads = 1}),
        sleeper_(clock_) {}

  // A pending refund reservation held for `hold`.
  void Reserve(const std::string& key, absl::Duration hold) {
    ASSERT_TRUE(store_
                    ->ReserveUsage({.key = {"acme", "refund", "usd", "2026-11-23"},
                                    .idempotency_key = key,
                                    .amount = 500,
                                    .expires_at = clock_.Now() + hold})
                    .ok());
  }

  void Remember(const std::string& key, absl::Duration lifetime) {
    ASSERT_TRUE(store_
                    ->SaveIdempotencyRecord({.tenant_id = "acme",
                                             .key = key,
                                             .action = "create_refund",
                                             .fingerprint = "f",
                                             .response = "r",
                                             .expires_at = clock_.Now() + lifetime})
                    .ok());
  }

  int64_t Reserved() {
    return store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total;
  }

  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor executor_;
  testing::FakeSleeper sleeper_;
};

TEST_F(HousekeeperTest, SweepReleasesExpiredHoldsAndRecordsOnly) {
  Reserve("short", absl::Minutes(5));
  Reserve("long", absl::Hours(24));
  Remember("old", absl::Minutes(5));
  Remember("new", absl::Hours(24));
  Housekeeper housekeeper(executor_, clock_, sleeper_, {});

  absl::StatusOr<HousekeepingReport> report = RunCoroutine(housekeeper.SweepOnce());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->reservations_expired, 0);
  EXPECT_EQ(Reserved(), 1000);

  clock_.Advance(absl::Minutes(10));
  report = RunCoroutine(housekeeper.SweepOnce());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->reservations_expired, 1);
  EXPECT_EQ(report->idempotency_records_expired, 1);
  EXPECT_EQ(Reserved(), 500);
  EXPECT_TRUE(store_->FindIdempotencyRecord("acme", "new", clock_.Now())->has_value());
}

TEST_F(HousekeeperTest, RunSweepsEveryIntervalUntilStopped) {
  CancelSignal stop;
  std::vector<HousekeepingReport> reports;
  Reserve("a", absl::Seconds(90));
  Housekeeper housekeeper(executor_, clock_, sleeper_,
                          {.interval = absl::Minutes(1),
                           .on_sweep = [&](const absl::StatusOr<HousekeepingReport>& report) {
                             ASSERT_TRUE(report.ok()) << report.status();
                             reports.push_back(*report);
                             if (reports.size() == 3) stop.Cancel();
                           }});
  RunCoroutine(housekeeper.Run(stop));
  ASSERT_EQ(reports.size(), 3u);
  // The hold of 90 s ends between the first sweep (60 s) and the second.
  EXPECT_EQ(reports[0].reservations_expired, 0);
  EXPECT_EQ(reports[1].reservations_expired, 1);
  EXPECT_EQ(reports[2].reservations_expired, 0);
  EXPECT_THAT(sleeper_.sleeps(), ::testing::Each(absl::Minutes(1)));
}

}  // namespace
}  // namespace payvox
