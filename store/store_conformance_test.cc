// store_conformance_test.cc: the Store interface's tests, run on every
// implementation (store/testing/store_test.h): SqliteStore in memory, and
// PostgresStore on a database of each test's own in one throwaway
// PostgreSQL server (scripts/postgres.sh), started once for the binary. A
// test here is a promise of the interface; one about one store's files or
// schema belongs beside that store. Verification, limits, actions,
// idempotency, approvals, hand-offs, leases here; the audit trail and
// events in store_audit_conformance_test.cc, tenants in
// store_tenants_conformance_test.cc.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/audit_chain.h"
#include "store/testing/store_test.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using testing::SampleAuditRecord;
using ::testing::UnorderedElementsAre;
using StoreTest = testing::StoreTest;

const VerificationKey kJenny{"acme", "call-1", "cus_1"};

TEST_P(StoreTest, AttemptsAreCountedPerCallAndCustomer) {
  Store& store = *store_;
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

TEST_P(StoreTest, ReleasedAttemptsCanBeTakenAgain) {
  Store& store = *store_;
  ASSERT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
  ASSERT_TRUE(store.ReleaseVerificationAttempt(kJenny).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
}

TEST_P(StoreTest, ConcurrentGuessesNeverExceedTheLimit) {
  Store& store = *store_;
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

TEST_P(StoreTest, VerificationIsRemembered) {
  testing::FakeClock& clock = clock_;
  Store& store = *store_;
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, absl::InfinitePast());
  const absl::Time until = clock.Now() + absl::Minutes(30);
  ASSERT_TRUE(store.MarkVerified(kJenny, until).ok());
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, until);
}

TEST_P(StoreTest, OldVerificationStateIsSwept) {
  testing::FakeClock& clock = clock_;
  Store* store = store_.get();
  ASSERT_TRUE(store->ReserveVerificationAttempt(kJenny, 1).ok());
  EXPECT_FALSE(store->ReserveVerificationAttempt(kJenny, 1).ok());
  clock.Advance(absl::Hours(25));
  ASSERT_TRUE(store->ExpireReservations(clock.Now()).ok());
  EXPECT_TRUE(store->ReserveVerificationAttempt(kJenny, 1).ok());
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

TEST_P(StoreTest, IdempotencyRecordsAnswerRetriesUntilTheyExpire) {
  testing::FakeClock& clock = clock_;
  Store& store = *store_;
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

TEST_P(StoreTest, AnActionStartsAndFinishesInOneCommitEach) {
  testing::FakeClock& clock = clock_;
  Store& store = *store_;
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

// A request being carried out holds its key: a second start of it (its
// retry, arriving at another replica) is UNAVAILABLE and writes nothing,
// until the first finishes or its claim runs out.
TEST_P(StoreTest, AStartInFlightHoldsItsKeyUntilItFinishesOrItsClaimRunsOut) {
  testing::FakeClock& clock = clock_;
  Store& store = *store_;
  v1::AuditRecord intent = RefundRecord("intent");
  intent.set_idempotency_key("pvx_flight");
  const ReservationRequest reservation{
      .key = RefundsToday(), .idempotency_key = "pvx_flight", .amount = 100, .tenant_limit = 1000};
  const auto start_on = [&](const std::string& replica) {
    return ActionStart{.reservation = reservation,
                       .intent = intent,
                       .in_flight_until = clock.Now() + absl::Minutes(3),
                       .in_flight_holder = replica};
  };
  absl::StatusOr<StartedAction> first = store.StartAction(start_on("replica-a"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(store.StartAction(start_on("replica-b")),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("same request_id")));
  EXPECT_EQ(store.OpenIntents()->size(), 1u);
  // Another request's key is free.
  v1::AuditRecord other = intent;
  other.set_idempotency_key("pvx_other");
  EXPECT_TRUE(store
                  .StartAction({.intent = other,
                                .in_flight_until = clock.Now() + absl::Minutes(3),
                                .in_flight_holder = "replica-b"})
                  .ok());

  // Finished (the answer never came): the retry may run, on the same
  // reservation.
  v1::AuditRecord completion = RefundRecord("completion");
  completion.set_completes_sequence(first->intent.sequence());
  ASSERT_TRUE(store
                  .FinishAction({.reservation_id = first->reservation_id,
                                 .in_flight_key = "pvx_flight",
                                 .settlement = Settlement::kKeep,
                                 .completion = completion})
                  .ok());
  absl::StatusOr<StartedAction> retry = store.StartAction(start_on("replica-b"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->reservation_id, first->reservation_id);
  // replica-b could not write its finish: its own next start takes the
  // claim over; another replica waits for it to run out.
  EXPECT_TRUE(store.StartAction(start_on("replica-b")).ok());
  EXPECT_THAT(store.StartAction(start_on("replica-c")), StatusIs(absl::StatusCode::kUnavailable));
  clock.Advance(absl::Minutes(4));
  EXPECT_TRUE(store.StartAction(start_on("replica-c")).ok());
  EXPECT_EQ(store.GetUsage(RefundsToday(), "", "")->tenant_total, 100);

  // Answered (its finish saved the answer) between a retry's look for the
  // answer and its start: the start is refused, and the retry reads it.
  absl::StatusOr<StartedAction> last = store.StartAction(start_on("replica-c"));
  ASSERT_TRUE(last.ok()) << last.status();
  v1::AuditRecord done = RefundRecord("completion");
  done.set_completes_sequence(last->intent.sequence());
  ASSERT_TRUE(
      store
          .FinishAction({.reservation_id = last->reservation_id,
                         .in_flight_key = "pvx_flight",
                         .settlement = Settlement::kCommit,
                         .completion = done,
                         .answer = IdempotencyRecord{.tenant_id = "acme",
                                                     .key = "pvx_flight",
                                                     .action = "create_refund",
                                                     .fingerprint = "f",
                                                     .response = "re_1",
                                                     .expires_at = clock.Now() + absl::Hours(1)}})
          .ok());
  EXPECT_THAT(store.StartAction(start_on("replica-a")),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("just carried out")));
}

// A refund whose answer never came keeps its reservation; the retry of
// its request takes it over, and a reconciler settling the first attempt
// (attempted before the retry) leaves it alone.
TEST_P(StoreTest, ARetryTakesItsRequestsReservationOver) {
  testing::FakeClock& clock = clock_;
  Store& store = *store_;
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

TEST_P(StoreTest, ReservationsCountUntilReleasedAndHoldLimitsUnderConcurrency) {
  Store* store = store_.get();
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
  std::unique_ptr<Store> fresh = Open(clock_);
  ASSERT_NE(fresh, nullptr);
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

TEST_P(StoreTest, CustomerLimitsAndExpiry) {
  testing::FakeClock& clock = clock_;
  Store* store = store_.get();
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

TEST_P(StoreTest, ApprovalsAreDecidedOnceAndExpire) {
  testing::FakeClock& clock = clock_;
  Store* store = store_.get();
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
TEST_P(StoreTest, PendingApprovalsAreListedBehindManyDecidedOrExpiredOnes) {
  testing::FakeClock& clock = clock_;
  Store* store = store_.get();
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

TEST_P(StoreTest, HandoffSessionsAreFoundByIntentAndStoredOnce) {
  testing::FakeClock& clock = clock_;
  Store* store = store_.get();
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

TEST_P(StoreTest, HeartbeatsCountTheReplicasAlive) {
  const absl::Time now = clock_.Now();
  EXPECT_EQ(*store_->Heartbeat("replica-a", now, now + absl::Seconds(15)), 1);
  EXPECT_EQ(*store_->Heartbeat("replica-b", now, now + absl::Seconds(15)), 2);
  EXPECT_EQ(*store_->Heartbeat("replica-a", now + absl::Seconds(5), now + absl::Seconds(20)), 2);
  // replica-b stopped beating: once its last one runs out it is not counted.
  EXPECT_EQ(*store_->Heartbeat("replica-a", now + absl::Seconds(15), now + absl::Seconds(30)), 1);
}

TEST_P(StoreTest, AJobsLeaseIsHeldByOneHolderUntilItRunsOut) {
  // Two processes on one store: on PostgreSQL, replicas; on SQLite, payvoxd
  // and a tool opened on its file.
  Store* a = store_.get();
  Store* b = store_.get();
  const absl::Time now = clock_.Now();
  EXPECT_TRUE(*a->HoldLease("reconciler", "replica-a", now, now + absl::Minutes(3)));
  EXPECT_FALSE(*b->HoldLease("reconciler", "replica-b", now, now + absl::Minutes(3)));
  // Another job is not held up; the holder renews its own.
  EXPECT_TRUE(*b->HoldLease("housekeeping", "replica-b", now, now + absl::Minutes(3)));
  const absl::Time later = now + absl::Minutes(1);
  EXPECT_TRUE(*a->HoldLease("reconciler", "replica-a", later, later + absl::Minutes(3)));
  EXPECT_FALSE(
      *b->HoldLease("reconciler", "replica-b", later + absl::Minutes(2), later + absl::Minutes(5)));
  // A holder that stops renewing (its replica died) loses it when it runs
  // out.
  const absl::Time lapsed = later + absl::Minutes(3);
  EXPECT_TRUE(*b->HoldLease("reconciler", "replica-b", lapsed, lapsed + absl::Minutes(3)));
  EXPECT_FALSE(*a->HoldLease("reconciler", "replica-a", lapsed, lapsed + absl::Minutes(3)));
}

PAYVOX_ON_EVERY_STORE(StoreTest);

}  // namespace
}  // namespace payvox
