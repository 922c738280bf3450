#include "app/reconciler.h"

#include "absl/strings/str_cat.h"
#include "client/testing/fake_stripe_client.h"
#include "common/testing/fake_clock.h"
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
        reconciler_(
            [this](const std::string& tenant) -> stripe::StripeClient* {
              return tenant == "acme" ? &stripe_ : nullptr;
            },
            store_executor_) {}

  void Reserve(const std::string& request_id) {
    ASSERT_TRUE(store_
                    ->ReserveUsage({.key = {"acme", "refund", "usd", "2026-11-23"},
                                    .idempotency_key = "pvx_" + request_id,
                                    .amount = 500})
                    .ok());
  }

  testing::FakeClock clock_;
  stripe::testing::FakeStripeClient stripe_;
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor store_executor_;
  Reconciler reconciler_;
};

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

  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
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
  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
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
  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->left_open, 1);
  EXPECT_EQ(stripe_.requests().size(), 100u);  // bounded
}

TEST_F(ReconcilerTest, ReleasesReservationsWhoseRequestDiedBeforeItsIntent) {
  Reserve("r-no-intent");
  Reserve("r-with-intent");
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-with-intent")).ok());
  stripe_.Answer("GET /v1/refunds", 200, R"({"object": "list", "has_more": false, "data": []})");
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->orphans_released, 1);
  EXPECT_EQ(report->settled_not_sent, 1);
  EXPECT_EQ(store_->GetUsage({"acme", "refund", "usd", "2026-11-23"}, "", "")->tenant_total, 0);
}

TEST_F(ReconcilerTest, LeavesIntentsOpenWhileStripeCannotTell) {
  ASSERT_TRUE(store_->AppendAudit(RefundIntent("r-1")).ok());
  stripe_.Fail("GET /v1/refunds", absl::UnavailableError("down"));
  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
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
  absl::StatusOr<ReconcileReport> report =
      RunCoroutine(reconciler_.Run(clock_.Now(), CallBounds()));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->left_open, 1);
  EXPECT_EQ(report->settled_not_sent, 0);
  EXPECT_EQ(store_->OpenIntents()->size(), 1u);
}

}  // namespace
}  // namespace payvox
