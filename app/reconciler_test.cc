#include "app/reconciler.h"

#include "absl/strings/str_cat.h"
#include "client/testing/fake_stripe_client.h"
#include "common/testing/fake_clock.h"
#include "common/testing/fake_sleeper.h"
#include "common/testing/run_coroutine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;

v1::AuditRecord RefundIntent(const std::string& request_id) {
  v1::AuditRecord intent;
  intent.set_tenant_id("acme");
  intent.set_call_id("call-1");
  intent.set_request_id(request_id);
  intent.set_action("create_refund");
  intent.set_customer_id("cus_1");
  intent.set_target_id("ch_1");
  intent.set_kind("intent");
  intent.set_decision("allow");
  intent.set_idempotency_key("pvx_" + request_id);
  intent.set_ok(true);
  return intent;
}

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest()
      : store_(*SqliteStore::Open({}, clock_)),
        store_executor_(*store_, {.threads = 1}),
        sleeper_(clock_),
        reconciler_(
            [this](const std::string& tenant) -> stripe::StripeClient* {
              return tenant == "acme" ? &stripe_ : nullptr;
            },
            store_executor_, clock_, sleeper_,
            {.on_run = [this](const absl::StatusOr<ReconcileReport>& report) {
              runs_.push_back(report);
              if (runs_.size() == 7) stop_.Cancel();
            }}) {}

  // What a process started a second after the records so far settles.
  absl::StatusOr<ReconcileReport> ReconcileAfterRestart() {
    clock_.Advance(absl::Seconds(1));
    return RunCoroutine(reconciler_.Run(clock_.Now(), ReconcileScope::kAfterRestart, CallBounds()));
  }

  void Reserve(const std::string& request_id) {
    ASSERT_TRUE(store_
                    ->ReserveUsage({.key = {"acme", "refund", "usd", "2026-11-23"},
                                    .idempotency_key = "pvx_" + request_id,
                                    .amount = 500})
                    .ok());
  }

  // A refund attempt answered "Stripe's answer never came": its intent, a
  // failed completion, the reservation kept.
  void AnswerNeverCame(const std::string& request_id) {
    absl::StatusOr<StartedAction> started = store_->StartAction(
        {.reservation = ReservationRequest{.key = {"acme", "refund", "usd", "2026-11-23"},
                                           .idempotency_key = "pvx_" + request_id,
                                           .amount = 500},
         .intent = RefundIntent(request_id)});
    ASSERT_TRUE(started.ok()) << started.status();
    v1::AuditRecord completion = RefundIntent(request_id);
    completion.set_kind("completion");
    completion.set_completes_sequence(started->intent.sequence());
    completion.set_ok(false);
    completion.set_result("UNAVAILABLE");
    ASSERT_TRUE(store_
                    ->FinishAction({.reservation_id = started->reservation_id,
                                    .settlement = Settlement::kKeep,
                                    .completion = completion})
                    .ok());
  }

  int64_t Refunded() {
    return store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total;
  }

  testing::FakeClock clock_;
  stripe::testing::FakeStripeClient stripe_;
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor store_executor_;
  testing::FakeSleeper sleeper_;
  CancelSignal stop_;
  std::vector<absl::StatusOr<ReconcileReport>> runs_;
  Reconciler reconciler_;
};

constexpr char kNoRefunds[] = R"({"object": "list", "has_more": false, "data": []})";
constexpr char kRefundOfR1[] = R"({"object": "list", "has_more": false, "data": [
    {"id": "re_1", "amount": 500, "currency": "usd", "charge": "ch_1",
     "metadata": {"payvox_call_id": "call-1", "payvox_request_id": "r-1"}}]})";

// Found by a fault campaign: after a restart a retry of the request took
// the crashed attempt's reservation over, and the reconciler, finding no
// refund at Stripe yet, released it; the retry's refund then went through
// and its completion failed ("no reservation"), the limit never counting
// it. The reconciler now records the dead attempt "not sent" and leaves
// the reservation to the retry.
TEST_F(ReconcilerTest, LeavesAReservationARetryTookOverToTheRetry) {
  Reserve("r-1");
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-1")).ok());
  clock_.Advance(absl::Seconds(1));
  const absl::Time restarted = clock_.Now();
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<StartedAction> retry = store_->StartAction(
      {.reservation = ReservationRequest{.key = {"acme", "refund", "usd", "2026-11-23"},
                                         .idempotency_key = "pvx_r-1",
                                         .amount = 500},
       .intent = RefundIntent("r-1")});
  ASSERT_TRUE(retry.ok()) << retry.status();
  stripe_.Answer("GET /v1/refunds", 200, kNoRefunds);

  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(restarted, ReconcileScope::kAfterRestart, CallBounds()));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->settled_not_sent, 1);
  EXPECT_EQ(Refunded(), 500);  // still held, by the retry

  v1::AuditRecord done = RefundIntent("r-1");
  done.set_kind("completion");
  done.set_completes_sequence(retry->intent.sequence());
  done.set_result("re_1");
  EXPECT_TRUE(store_
                  ->FinishAction({.reservation_id = retry->reservation_id,
                                  .settlement = Settlement::kCommit,
                                  .completion = done})
                  .ok());
  EXPECT_EQ(Refunded(), 500);
  EXPECT_TRUE(store_->OpenIntents()->empty());
}

// An answer that never came, and no retry: settled while payvoxd runs, by
// what Stripe has, once it is older than any attempt can last.
TEST_F(ReconcilerTest, SettlesAnswersThatNeverCameWhileRunning) {
  AnswerNeverCame("r-1");
  AnswerNeverCame("r-2");
  stripe_.Answer("GET /v1/refunds", 200, kRefundOfR1);

  absl::StatusOr<ReconcileReport> early = RunCoroutine(reconciler_.Run(
      clock_.Now() - absl::Minutes(5), ReconcileScope::kWhileRunning, CallBounds()));
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->settled_done + early->settled_not_sent, 0);  // too recent
  EXPECT_TRUE(stripe_.requests().empty());

  clock_.Advance(absl::Minutes(6));
  absl::StatusOr<ReconcileReport> report = RunCoroutine(reconciler_.Run(
      clock_.Now() - absl::Minutes(5), ReconcileScope::kWhileRunning, CallBounds()));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->settled_done, 1);
  EXPECT_EQ(report->settled_not_sent, 1);
  EXPECT_EQ(Refunded(), 500);  // r-1 counts for good, r-2's room is back

  v1::QueryAuditRequest query;
  query.set_tenant_id("acme");
  std::vector<v1::AuditRecord> trail = *store_->QueryAudit(query);
  ASSERT_EQ(trail.size(), 6u);
  EXPECT_EQ(trail[4].completes_sequence(), trail[0].sequence());
  EXPECT_EQ(trail[4].result(), "re_1");
  EXPECT_TRUE(trail[4].ok());
  EXPECT_EQ(trail[5].completes_sequence(), trail[2].sequence());
  EXPECT_EQ(trail[5].result(), "not_sent");
  EXPECT_TRUE(store_->VerifyAuditChain("acme")->intact());
  // Settled once: a later run finds nothing to do.
  EXPECT_TRUE(store_->UnsettledIntents(clock_.Now())->empty());
}

TEST_F(ReconcilerTest, WatchSettlesAtStartThenWhatBecomesOldEnough) {
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-0")).ok());  // before the crash
  clock_.Advance(absl::Seconds(1));
  const absl::Time started = clock_.Now();
  clock_.Advance(absl::Seconds(1));
  AnswerNeverCame("r-1");  // in this process
  stripe_.Answer("GET /v1/refunds", 200, kRefundOfR1);

  // Runs at start, then every minute, until the seventh (the fixture stops it).
  RunCoroutine(reconciler_.Watch(started, stop_));
  ASSERT_EQ(runs_.size(), 7u);
  for (const auto& run : runs_) ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(runs_[0]->settled_not_sent, 1);  // r-0; r-1 is this process's own
  EXPECT_EQ(runs_[0]->settled_done, 0);
  for (int i = 1; i <= 5; ++i) {  // r-1 is not older than five minutes yet
    EXPECT_EQ(runs_[i]->settled_done + runs_[i]->settled_not_sent, 0) << i;
  }
  EXPECT_EQ(runs_[6]->settled_done, 1);  // six minutes on
  EXPECT_EQ(Refunded(), 500);
}

// Replicas sharing the store: a replica reconciles only while it holds the
// lease, and never settles an intent younger than settle_after, which
// another replica may be calling Stripe for.
TEST_F(ReconcilerTest, OnASharedStoreOnlyTheLeaseHolderRunsAndYoungIntentsWait) {
  const absl::Time started = clock_.Now();
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-elsewhere")).ok());  // another replica's
  ASSERT_TRUE(*store_->HoldLease("reconciler", "replica-a", started, started + absl::Minutes(3)));
  std::vector<absl::Time> ran_at;
  std::vector<absl::StatusOr<ReconcileReport>> runs;
  CancelSignal stop;
  Reconciler replica_b([this](const std::string&) -> stripe::StripeClient* { return &stripe_; },
                       store_executor_, clock_, sleeper_,
                       {.on_run =
                            [&](const absl::StatusOr<ReconcileReport>& report) {
                              ran_at.push_back(clock_.Now());
                              runs.push_back(report);
                              if (runs.size() == 3) stop.Cancel();
                            },
                        .lease_holder = "replica-b"});
  RunCoroutine(replica_b.Watch(started, stop));
  ASSERT_EQ(runs.size(), 3u);
  // replica-a's lease ran out after three minutes (it stopped renewing).
  EXPECT_EQ(ran_at[0], started + absl::Minutes(3));
  // The intent was two minutes old at the first run: left alone, as it is
  // by the runs after it, which read only pending reservations.
  for (const auto& run : runs) {
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->settled_done + run->settled_not_sent, 0);
  }
  EXPECT_EQ(store_->OpenIntents()->size(), 1u);
  EXPECT_FALSE(*store_->HoldLease("reconciler", "replica-a", clock_.Now(), clock_.Now()));
}

TEST(ReconcilerOptionsTest, WaitsLongerThanAnyStripeRequestLasts) {
  EXPECT_GT(ReconcilerOptions().settle_after, stripe::kLongestRequest);
}

TEST_F(ReconcilerTest, SettlesIntentsByWhatStripeHas) {
  // r-done reached Stripe before the crash; r-lost did not.
  for (const char* id : {"r-done", "r-lost"}) {
    Reserve(id);
    ASSERT_TRUE(store_->AppendAudit(RefundIntent(id)).ok());
  }
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": false, "data": [
      {"id": "re_other", "amount": 100, "currency": "usd", "charge": "ch_1",
       "metadata": {"payvox_call_id": "call-9", "payvox_request_id": "r-lost"}},
      {"id": "re_done", "amount": 500, "currency": "usd", "charge": "ch_1",
       "metadata": {"payvox_call_id": "call-1", "payvox_request_id": "r-done"}}]})");

  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->settled_done, 1);
  EXPECT_EQ(report->settled_not_sent, 1);
  EXPECT_TRUE(store_->OpenIntents()->empty());

  v1::QueryAuditRequest query;
  query.set_tenant_id("acme");
  std::vector<v1::AuditRecord> trail = *store_->QueryAudit(query);
  ASSERT_EQ(trail.size(), 4u);
  EXPECT_EQ(trail[2].kind(), "completion");
  EXPECT_EQ(trail[2].result(), "re_done");
  EXPECT_TRUE(trail[2].ok());
  EXPECT_EQ(trail[3].result(), "not_sent");
  EXPECT_FALSE(trail[3].ok());
  EXPECT_TRUE(store_->VerifyAuditChain("acme")->intact());
  // The refund that happened still counts toward the limit; the lost one does not.
  EXPECT_EQ(store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total, 500);
  EXPECT_EQ(stripe_.requests().front().params.Find("charge"), "ch_1");
}

// A charge with more refunds than one page: the intent's refund is found
// on a later page, not recorded "not sent".
TEST_F(ReconcilerTest, PagesThroughEveryRefundOfTheCharge) {
  Reserve("r-old");
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-old")).ok());
  std::string newer;
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&newer, i == 0 ? "" : ",", R"({"id": "re_newer)", i,
                    R"(", "amount": 1, "currency": "usd", "charge": "ch_1", "metadata": {}})");
  }
  stripe_.AnswerOnce(
      "GET /v1/refunds", 200,
      absl::StrCat(R"({"object": "list", "has_more": true, "data": [)", newer, "]}"));
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": false, "data": [
      {"id": "re_old", "amount": 500, "currency": "usd", "charge": "ch_1",
       "metadata": {"payvox_call_id": "call-1", "payvox_request_id": "r-old"}}]})");
  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->settled_done, 1);
  EXPECT_EQ(report->settled_not_sent, 0);
  ASSERT_EQ(stripe_.requests().size(), 2u);
  EXPECT_EQ(stripe_.requests()[1].params.Find("starting_after"), "re_newer99");
  EXPECT_EQ(store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total, 500);
}

// Stripe never ending its pages is no answer: the intent stays open.
TEST_F(ReconcilerTest, AListThatNeverEndsLeavesTheIntentOpen) {
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-1")).ok());
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": true, "data": [
      {"id": "re_x", "amount": 1, "currency": "usd", "charge": "ch_1", "metadata": {}}]})");
  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->left_open, 1);
  EXPECT_EQ(stripe_.requests().size(), 100u);  // bounded
}

TEST_F(ReconcilerTest, ReleasesReservationsWhoseRequestDiedBeforeItsIntent) {
  Reserve("r-no-intent");
  Reserve("r-with-intent");
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-with-intent")).ok());
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": false, "data": []})");
  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->orphans_released, 1);
  EXPECT_EQ(report->settled_not_sent, 1);
  EXPECT_EQ(store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total, 0);
}

TEST_F(ReconcilerTest, LeavesIntentsOpenWhileStripeCannotTell) {
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-1")).ok());
  stripe_.Fail("GET /v1/refunds", absl::UnavailableError("down"));
  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->left_open, 1);
  EXPECT_EQ(store_->OpenIntents()->size(), 1u);
}

TEST_F(ReconcilerTest, AsksEachTenantsOwnStripeAndLeavesUnconnectedTenantsOpen) {
  // globex's intent must not be settled by what acme's account holds (it
  // would look "not sent" there): globex has no client now, so it waits.
  v1::AuditRecord globex = RefundIntent("r-globex");
  globex.set_tenant_id("globex");
  ASSERT_TRUE(store_->AppendAudit(globex).ok());
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": false, "data": []})");
  absl::StatusOr<ReconcileReport> report = ReconcileAfterRestart();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->left_open, 1);
  EXPECT_EQ(report->settled_not_sent, 0);
  EXPECT_EQ(store_->OpenIntents()->size(), 1u);
}

}  // namespace
}  // namespace payvox
