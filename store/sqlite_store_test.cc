#include "store/sqlite_store.h"

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
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

TEST(SqliteStoreTest, AttemptsAreCountedPerCallAndCustomer) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<VerificationState> state = store.ReserveVerificationAttempt(kJenny, 3);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->attempts_used, i);
  }
  EXPECT_THAT(store.ReserveVerificationAttempt(kJenny, 3),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Another call, or another customer, starts afresh.
  EXPECT_TRUE(store.ReserveVerificationAttempt({"acme", "call-2", "cus_1"}, 3).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt({"acme", "call-1", "cus_2"}, 3).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt({"other", "call-1", "cus_1"}, 3).ok());
}

TEST(SqliteStoreTest, ReleasedAttemptsCanBeTakenAgain) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  ASSERT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
  ASSERT_TRUE(store.ReleaseVerificationAttempt(kJenny).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
}

TEST(SqliteStoreTest, ConcurrentGuessesNeverExceedTheLimit) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        if (store.ReserveVerificationAttempt(kJenny, 3).ok()) ++granted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 3);
}

TEST(SqliteStoreTest, VerificationIsRemembered) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, absl::InfinitePast());
  const absl::Time until = clock.Now() + absl::Minutes(30);
  ASSERT_TRUE(store.MarkVerified(kJenny, until).ok());
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, until);
}

TEST(SqliteStoreTest, OldVerificationStateIsSwept) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  ASSERT_TRUE(store->ReserveVerificationAttempt(kJenny, 1).ok());
  EXPECT_FALSE(store->ReserveVerificationAttempt(kJenny, 1).ok());
  clock.Advance(absl::Hours(25));
  ASSERT_TRUE(store->ExpireReservations(clock.Now()).ok());
  EXPECT_TRUE(store->ReserveVerificationAttempt(kJenny, 1).ok());
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
                        "DROP TABLE tenants; DROP TABLE webhook_endpoints; "
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

IdempotencyRecord RefundAnswer(absl::Time expires_at, std::string fingerprint = "fp-1",
                               std::string response = "refund re_1") {
  return {.tenant_id = "acme",
          .key = "pvx_key1",
          .action = "create_refund",
          .fingerprint = std::move(fingerprint),
          .response = std::move(response),
          .expires_at = expires_at};
}

TEST(SqliteStoreTest, IdempotencyRecordsAnswerRetriesUntilTheyExpire) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  const absl::Time expiry = clock.Now() + absl::Hours(24);
  EXPECT_FALSE(store.FindIdempotencyRecord("acme", "pvx_key1", clock.Now())->has_value());
  ASSERT_TRUE(store.SaveIdempotencyRecord(RefundAnswer(expiry)).ok());

  absl::StatusOr<std::optional<IdempotencyRecord>> found =
      store.FindIdempotencyRecord("acme", "pvx_key1", clock.Now());
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->action, "create_refund");
  EXPECT_EQ((*found)->fingerprint, "fp-1");
  EXPECT_EQ((*found)->response, "refund re_1");
  EXPECT_EQ((*found)->expires_at, expiry);
  // Keys are per tenant.
  EXPECT_FALSE(store.FindIdempotencyRecord("other", "pvx_key1", clock.Now())->has_value());

  // The same request may replace its answer; another request may not.
  ASSERT_TRUE(store.SaveIdempotencyRecord(RefundAnswer(expiry, "fp-1", "refund re_1 v2")).ok());
  EXPECT_EQ((*store.FindIdempotencyRecord("acme", "pvx_key1", clock.Now()))->response,
            "refund re_1 v2");
  EXPECT_THAT(store.SaveIdempotencyRecord(RefundAnswer(expiry, "fp-2")),
              StatusIs(absl::StatusCode::kAborted, ::testing::HasSubstr("different request")));

  // Expired, it is neither found nor in the way of a new request.
  clock.Advance(absl::Hours(25));
  EXPECT_FALSE(store.FindIdempotencyRecord("acme", "pvx_key1", clock.Now())->has_value());
  ASSERT_TRUE(
      store.SaveIdempotencyRecord(RefundAnswer(clock.Now() + absl::Hours(24), "fp-2")).ok());
  clock.Advance(absl::Hours(25));
  EXPECT_EQ(*store.ExpireIdempotencyRecords(clock.Now()), 1);
  EXPECT_EQ(*store.ExpireIdempotencyRecords(clock.Now()), 0);
}

UsageKey RefundsToday() { return {"acme", "refund", "usd", "2026-11-23"}; }

v1::AuditRecord RefundRecord(const std::string& kind) {
  v1::AuditRecord record;
  record.set_tenant_id("acme");
  record.set_call_id("call-1");
  record.set_action("create_refund");
  record.set_kind(kind);
  return record;
}

TEST(SqliteStoreTest, AnActionStartsAndFinishesInOneCommitEach) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  const ReservationRequest reservation{
      .key = RefundsToday(), .idempotency_key = "pvx_a", .amount = 700, .tenant_limit = 1000};
  absl::StatusOr<StartedAction> started =
      store.StartAction({.reservation = reservation, .intent = RefundRecord("intent")});
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_GT(started->reservation_id, 0);
  EXPECT_EQ(started->intent.sequence(), 1);
  EXPECT_EQ(store.OpenIntents()->size(), 1u);

  // Over the limit: neither the reservation nor the intent is written.
  ReservationRequest too_much = reservation;
  too_much.idempotency_key = "pvx_b";
  EXPECT_THAT(store.StartAction({.reservation = too_much, .intent = RefundRecord("intent")}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store.OpenIntents()->size(), 1u);
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_count, 1);

  v1::AuditRecord completion = RefundRecord("completion");
  completion.set_completes_sequence(started->intent.sequence());
  const IdempotencyRecord answer{.tenant_id = "acme",
                                 .key = "pvx_a",
                                 .action = "create_refund",
                                 .fingerprint = "f",
                                 .response = "re_1",
                                 .expires_at = clock.Now() + absl::Hours(1)};
  ASSERT_TRUE(store
                  .FinishAction({.reservation_id = started->reservation_id,
                                 .settlement = Settlement::kCommit,
                                 .completion = completion,
                                 .answer = answer})
                  .ok());
  EXPECT_TRUE(store.OpenIntents()->empty());
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 700);
  EXPECT_EQ((*store.FindIdempotencyRecord("acme", "pvx_a", clock.Now()))->response, "re_1");
  // Committed: a release no longer gives the room back.
  ASSERT_TRUE(store.ReleaseReservation(started->reservation_id).ok());
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 700);

  // Released on a refusal; kept when the answer is unknown.
  for (const Settlement settlement : {Settlement::kRelease, Settlement::kKeep}) {
    ReservationRequest next = reservation;
    next.idempotency_key = settlement == Settlement::kRelease ? "pvx_c" : "pvx_d";
    next.amount = 100;
    absl::StatusOr<StartedAction> other =
        store.StartAction({.reservation = next, .intent = RefundRecord("intent")});
    ASSERT_TRUE(other.ok()) << other.status();
    v1::AuditRecord done = RefundRecord("completion");
    done.set_completes_sequence(other->intent.sequence());
    ASSERT_TRUE(store
                    .FinishAction({.reservation_id = other->reservation_id,
                                   .settlement = settlement,
                                   .completion = done})
                    .ok());
  }
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 800);

  // An answer for a key held by another request is dropped, the rest kept.
  absl::StatusOr<StartedAction> last = store.StartAction({.intent = RefundRecord("intent")});
  ASSERT_TRUE(last.ok());
  v1::AuditRecord done = RefundRecord("completion");
  done.set_completes_sequence(last->intent.sequence());
  IdempotencyRecord conflicting = answer;
  conflicting.fingerprint = "other";
  conflicting.response = "re_2";
  ASSERT_TRUE(store.FinishAction({.completion = done, .answer = conflicting}).ok());
  EXPECT_TRUE(store.OpenIntents()->empty());
  EXPECT_EQ((*store.FindIdempotencyRecord("acme", "pvx_a", clock.Now()))->response, "re_1");
  EXPECT_TRUE(store.VerifyAuditChain("acme")->intact());
}

// A refund whose answer never came keeps its reservation; the retry of
// its request takes it over, and a reconciler settling the first attempt
// (attempted before the retry) leaves it alone.
TEST(SqliteStoreTest, ARetryTakesItsRequestsReservationOver) {
  testing::FakeClock clock;
  auto owned = OpenStore(clock);
  Store& store = *owned;
  const absl::Time first = clock.Now();
  ReservationRequest reservation{.key = RefundsToday(),
                                 .idempotency_key = "pvx_a",
                                 .amount = 700,
                                 .expires_at = first + absl::Hours(1)};
  v1::AuditRecord intent = RefundRecord("intent");
  intent.set_idempotency_key("pvx_a");
  absl::StatusOr<StartedAction> started =
      store.StartAction({.reservation = reservation, .intent = intent});
  ASSERT_TRUE(started.ok()) << started.status();
  v1::AuditRecord unknown = RefundRecord("completion");
  unknown.set_completes_sequence(started->intent.sequence());
  unknown.set_result("UNAVAILABLE");
  ASSERT_TRUE(store
                  .FinishAction({.reservation_id = started->reservation_id,
                                 .settlement = Settlement::kKeep,
                                 .completion = unknown})
                  .ok());
  EXPECT_TRUE(store.OpenIntents()->empty());
  EXPECT_TRUE(store.UnsettledIntents(first)->empty());  // not made before
  clock.Advance(absl::Minutes(10));
  absl::StatusOr<std::vector<v1::AuditRecord>> unsettled = store.UnsettledIntents(clock.Now());
  ASSERT_TRUE(unsettled.ok()) << unsettled.status();
  ASSERT_EQ(unsettled->size(), 1u);
  EXPECT_EQ((*unsettled)[0].sequence(), started->intent.sequence());

  // The retry: the same reservation, attempted now, held for its own hour.
  const absl::Time retried = clock.Now();
  reservation.expires_at = retried + absl::Hours(1);
  absl::StatusOr<StartedAction> retry =
      store.StartAction({.reservation = reservation, .intent = intent});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->reservation_id, started->reservation_id);
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 700);
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(store.UnsettledIntents(retried)->empty());
  ASSERT_TRUE(store.SettleReservation("pvx_a", /*commit=*/false, retried).ok());
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 700);
  EXPECT_EQ(*store.ExpireReservations(first + absl::Hours(1) + absl::Seconds(1)), 0);
  EXPECT_EQ(*store.ReleaseOrphanReservations(retried), 0);
  // Attempted before a later bound, it is released.
  ASSERT_TRUE(store.SettleReservation("pvx_a", /*commit=*/false, clock.Now()).ok());
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 0);
}

TEST(SqliteStoreTest, ReservationsCountUntilReleasedAndHoldLimitsUnderConcurrency) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  // 200 concurrent reservations of 100 against a limit of 5,000.
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        absl::StatusOr<int64_t> id = store->ReserveUsage({.key = RefundsToday(),
                                                          .customer_id = absl::StrCat("cus_", t),
                                                          .amount = 100,
                                                          .tenant_limit = 5000});
        if (id.ok()) ++granted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 50);
  EXPECT_EQ(store->GetUsage(RefundsToday(), "cus_0", "")->tenant_total, 5000);

  // A released reservation frees its amount; a committed one keeps it.
  testing::FakeClock other_clock;
  auto fresh = OpenStore(other_clock);
  const int64_t kept = *fresh->ReserveUsage({.key = RefundsToday(), .amount = 700});
  const int64_t dropped = *fresh->ReserveUsage({.key = RefundsToday(), .amount = 300});
  ASSERT_TRUE(fresh->CommitReservation(kept).ok());
  ASSERT_TRUE(fresh->ReleaseReservation(dropped).ok());
  EXPECT_EQ(fresh->GetUsage(RefundsToday(), "", "")->tenant_total, 700);
  EXPECT_THAT(fresh->CommitReservation(dropped), StatusIs(absl::StatusCode::kNotFound));

  // A retried request keeps its first reservation.
  const int64_t first =
      *fresh->ReserveUsage({.key = RefundsToday(), .idempotency_key = "pvx_k", .amount = 50});
  EXPECT_EQ(*fresh->ReserveUsage({.key = RefundsToday(), .idempotency_key = "pvx_k", .amount = 50}),
            first);
  EXPECT_EQ(fresh->GetUsage(RefundsToday(), "", "")->tenant_total, 750);
}

TEST(SqliteStoreTest, CustomerLimitsAndExpiry) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  ASSERT_TRUE(store
                  ->ReserveUsage({.key = RefundsToday(),
                                  .customer_id = "cus_1",
                                  .amount = 900,
                                  .customer_limit = 1000,
                                  .expires_at = clock.Now() + absl::Minutes(5)})
                  .ok());
  EXPECT_THAT(
      store->ReserveUsage(
          {.key = RefundsToday(), .customer_id = "cus_1", .amount = 200, .customer_limit = 1000}),
      StatusIs(absl::StatusCode::kResourceExhausted, ::testing::HasSubstr("customer")));
  EXPECT_TRUE(store
                  ->ReserveUsage({.key = RefundsToday(),
                                  .customer_id = "cus_2",
                                  .amount = 200,
                                  .customer_limit = 1000})
                  .ok());
  // A pending reservation left behind (a crash) expires.
  EXPECT_EQ(*store->ExpireReservations(clock.Now() + absl::Minutes(6)), 1);
  EXPECT_EQ(store->GetUsage(RefundsToday(), "cus_1", "")->customer_total, 0);
}

StoredApproval PendingApproval(const std::string& id, absl::Time expires) {
  StoredApproval stored;
  stored.approval.set_approval_id(id);
  stored.approval.set_tenant_id("acme");
  stored.approval.set_action("create_refund");
  stored.approval.set_state("pending");
  stored.approval.set_expires_at(absl::ToUnixSeconds(expires));
  stored.payload = "serialized request";
  return stored;
}

TEST(SqliteStoreTest, ApprovalsAreDecidedOnceAndExpire) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  ASSERT_TRUE(store->CreateApproval(PendingApproval("apv_1", clock.Now() + absl::Hours(1))).ok());
  ASSERT_TRUE(store->CreateApproval(PendingApproval("apv_2", clock.Now() + absl::Minutes(1))).ok());
  EXPECT_EQ(store->ListApprovals("acme", "", clock.Now())->size(), 2u);

  absl::StatusOr<StoredApproval> decided =
      store->DecideApproval("acme", "apv_1", true, "ops@acme", "ok", clock.Now());
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(decided->approval.state(), "approved");
  EXPECT_EQ(decided->payload, "serialized request");
  EXPECT_THAT(store->DecideApproval("acme", "apv_1", false, "ops", "", clock.Now()),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("approved")));
  EXPECT_THAT(store->DecideApproval("acme", "apv_9", true, "ops", "", clock.Now()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store->DecideApproval("other", "apv_2", true, "ops", "", clock.Now()),
              StatusIs(absl::StatusCode::kNotFound));

  clock.Advance(absl::Minutes(2));
  EXPECT_EQ(store->ListApprovals("acme", "expired", clock.Now())->size(), 1u);
  EXPECT_THAT(store->DecideApproval("acme", "apv_2", true, "ops", "", clock.Now()),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("expired")));
  EXPECT_EQ(store->ListApprovals("acme", "approved", clock.Now())->size(), 1u);
}

// The list's bound (1,000) applies to the state asked for: many decided
// and expired approvals that expire sooner do not hide a pending one.
TEST(SqliteStoreTest, PendingApprovalsAreListedBehindManyDecidedOrExpiredOnes) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  for (int i = 0; i < 1100; ++i) {
    const std::string id = absl::StrCat("apv_old_", i);
    ASSERT_TRUE(store->CreateApproval(PendingApproval(id, clock.Now() + absl::Minutes(1))).ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(store->DecideApproval("acme", id, false, "ops", "", clock.Now()).ok());
    }
  }
  clock.Advance(absl::Minutes(2));  // the undecided half expires
  ASSERT_TRUE(store->CreateApproval(PendingApproval("apv_new", clock.Now() + absl::Hours(1))).ok());
  absl::StatusOr<std::vector<v1::Approval>> pending = store->ListApprovals("acme", "", clock.Now());
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].approval_id(), "apv_new");
  EXPECT_EQ(store->ListApprovals("acme", "expired", clock.Now())->size(), 550u);
  EXPECT_EQ(store->ListApprovals("acme", "rejected", clock.Now())->size(), 550u);
}

TEST(SqliteStoreTest, HandoffSessionsAreFoundByIntentAndStoredOnce) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  HandoffSession session{.tenant_id = "acme",
                         .session_id = "hos_1",
                         .call_id = "call-1",
                         .customer_id = "cus_1",
                         .payment_intent_id = "pi_1",
                         .amount = 2000,
                         .currency = "usd",
                         .created = clock.Now()};
  ASSERT_TRUE(store->CreateHandoffSession(session).ok());
  session.amount = 1;  // a retry changes nothing
  ASSERT_TRUE(store->CreateHandoffSession(session).ok());
  auto found = store->FindHandoffSession("acme", "pi_1");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->session_id, "hos_1");
  EXPECT_EQ((*found)->call_id, "call-1");
  EXPECT_EQ((*found)->amount, 2000);
  EXPECT_EQ((*found)->state, "pending");
  // Another tenant sees nothing.
  auto other = store->FindHandoffSession("globex", "pi_1");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(SqliteStoreTest, EventsAreNumberedPerTenantAndStoredOncePerStripeId) {
  testing::FakeClock clock;
  auto store = OpenStore(clock);
  auto event = [](const std::string& id, const std::string& type) {
    v1::PaymentEvent event;
    event.set_stripe_event_id(id);
    event.set_type(type);
    return event;
  };
  auto first = store->AppendEvent({"acme", event("evt_1", "charge.failed")});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sequence, 1);
  EXPECT_TRUE(first->stored);
  EXPECT_EQ(store->AppendEvent({"acme", event("evt_2", "charge.refunded")})->sequence, 2);
  // A redelivery stores nothing and names the first delivery.
  auto again = store->AppendEvent({"acme", event("evt_1", "charge.failed")});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sequence, 1);
  EXPECT_FALSE(again->stored);
  // Tenants number their own events; the same Stripe id may exist in both.
  EXPECT_EQ(store->AppendEvent({"globex", event("evt_1", "charge.failed")})->sequence, 1);
  auto after_one = store->ReadEvents("acme", 1, 100);
  ASSERT_TRUE(after_one.ok());
  ASSERT_EQ(after_one->size(), 1u);
  EXPECT_EQ((*after_one)[0].sequence(), 2);
  EXPECT_EQ((*after_one)[0].type(), "charge.refunded");
  EXPECT_EQ(*store->LastEventSequence("acme"), 2);
  EXPECT_EQ(*store->LastEventSequence("nobody"), 0);

  ASSERT_TRUE(store
                  ->CreateHandoffSession(
                      {.tenant_id = "acme", .session_id = "hos_1", .payment_intent_id = "pi_1"})
                  .ok());
  EXPECT_TRUE(store->UpdateHandoffState("acme", "pi_1", "succeeded").ok());
  EXPECT_EQ((*store->FindHandoffSession("acme", "pi_1"))->state, "succeeded");
  EXPECT_EQ(store->UpdateHandoffState("globex", "pi_1", "failed").code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace payvox
