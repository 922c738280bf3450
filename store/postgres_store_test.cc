// postgres_store_test.cc: what PostgresStore adds to the Store interface:
// several replicas on one database (migrations, limits, the audit chain,
// approvals and jobs shared between them), and outages of the server.
// The interface's own tests run on it in store_conformance_test.cc.
#include "store/postgres_store.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/testing/store_backends.h"
#include "store/testing/throwaway_postgres.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<pg::ConnectOptions> database = testing::SharedPostgres().CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *database;
  }
  // A replica: a store of its own (its own pool) on the test's database.
  std::unique_ptr<PostgresStore> Replica(bool migrate = true) {
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(
        {.pool = {.connect = database_, .size = 4}, .migrate = migrate}, clock_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  testing::FakeClock clock_;
  pg::ConnectOptions database_;
};

TEST_F(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<PostgresStore>> replicas(4);
  std::vector<std::thread> threads;
  for (auto& replica : replicas) {
    threads.emplace_back([&] { replica = Replica(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& replica : replicas) ASSERT_NE(replica, nullptr);
  absl::StatusOr<std::unique_ptr<pg::Connection>> db = pg::Connection::Open(database_);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<pg::Result> versions =
      (*db)->Exec("SELECT count(*), max(version) FROM payvox_schema");
  ASSERT_TRUE(versions.ok()) << versions.status();
  EXPECT_EQ(versions->Int(0, 0), PostgresStore::SchemaVersion());
  EXPECT_EQ(versions->Int(0, 1), PostgresStore::SchemaVersion());
}

TEST_F(PostgresStoreTest, RefusesADatabaseFromANewerPayvox) {
  ASSERT_TRUE(Replica()->ExecForTesting("INSERT INTO payvox_schema VALUES (999, 0)").ok());
  EXPECT_THAT(PostgresStore::Open({.pool = {.connect = database_}}, clock_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("newer")));
}

TEST_F(PostgresStoreTest, WithoutMigrationAnOlderSchemaIsRefused) {
  EXPECT_THAT(PostgresStore::Open({.pool = {.connect = database_}, .migrate = false}, clock_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("payvoxd --migrate")));
  ASSERT_NE(Replica(), nullptr);
  EXPECT_NE(Replica(/*migrate=*/false), nullptr);
}

v1::AuditRecord Intent(int sender) {
  v1::AuditRecord record;
  record.set_tenant_id("acme");
  record.set_kind("intent");
  record.set_action("create_refund");
  record.set_call_id(absl::StrCat("call-", sender));
  return record;
}

// 1-cent refunds from 24 senders spread over three replicas against a limit
// of 100: exactly 100 are reserved, and the trail is one intact chain of
// exactly their intents.
TEST_F(PostgresStoreTest, ReplicasShareTheLimitAndOneAuditChain) {
  std::vector<std::unique_ptr<PostgresStore>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(Replica());
  const UsageKey refunds{"acme", "refund", "usd", "2026-11-23"};
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> senders;
  for (int sender = 0; sender < 24; ++sender) {
    senders.emplace_back([&, sender] {
      Store& store = *replicas[static_cast<size_t>(sender) % replicas.size()];
      for (int i = 0; i < 6; ++i) {
        const ReservationRequest reservation{
            .key = refunds,
            .idempotency_key = absl::StrCat("pvx_", sender, "_", i),
            .customer_id = absl::StrCat("cus_", sender % 5),
            .amount = 1,
            .tenant_limit = 100};
        absl::StatusOr<StartedAction> started =
            store.StartAction({.reservation = reservation, .intent = Intent(sender)});
        if (started.ok()) {
          ++granted;
        } else if (started.status().code() == absl::StatusCode::kResourceExhausted) {
          ++refused;
        } else {
          ++failed;
          ADD_FAILURE() << started.status();
        }
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(granted.load(), 100);
  EXPECT_EQ(refused.load(), 24 * 6 - 100);
  for (const auto& replica : replicas) {
    EXPECT_EQ(replica->GetUsage(refunds, "", "")->tenant_total, 100);
  }
  absl::StatusOr<v1::VerifyAuditChainResponse> chain = replicas[1]->VerifyAuditChain("acme");
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_TRUE(chain->intact());
  EXPECT_EQ(chain->records_checked(), 100);
  // An answer saved on one replica answers the retry on another.
  ASSERT_TRUE(replicas[0]
                  ->SaveIdempotencyRecord({.tenant_id = "acme",
                                           .key = "pvx_0_0",
                                           .action = "create_refund",
                                           .fingerprint = "f",
                                           .response = "re_1"})
                  .ok());
  EXPECT_EQ((*replicas[2]->FindIdempotencyRecord("acme", "pvx_0_0", clock_.Now()))->response,
            "re_1");
}

TEST_F(PostgresStoreTest, AnApprovalIsDecidedOnceWhicheverReplicasDecide) {
  std::vector<std::unique_ptr<PostgresStore>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(Replica());
  StoredApproval approval;
  approval.approval.set_tenant_id("acme");
  approval.approval.set_approval_id("apr_1");
  approval.approval.set_state("pending");
  approval.approval.set_expires_at(absl::ToUnixSeconds(clock_.Now() + absl::Hours(1)));
  approval.payload = "request";
  ASSERT_TRUE(replicas[0]->CreateApproval(approval).ok());
  std::atomic<int> decided{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> deciders;
  for (int i = 0; i < 9; ++i) {
    deciders.emplace_back([&, i] {
      absl::StatusOr<StoredApproval> decision =
          replicas[static_cast<size_t>(i) % 3]->DecideApproval(
              "acme", "apr_1", i % 2 == 0, absl::StrCat("admin-", i), "", clock_.Now());
      if (decision.ok()) {
        ++decided;
      } else if (decision.status().code() == absl::StatusCode::kFailedPrecondition) {
        ++refused;
      }
    });
  }
  for (std::thread& decider : deciders) decider.join();
  EXPECT_EQ(decided.load(), 1);
  EXPECT_EQ(refused.load(), 8);
}

// An event appended through one replica wakes the others' watches; Stop
// ends a wait at once.
TEST_F(PostgresStoreTest, AnEventAppendedOnOneReplicaWakesTheOthersWatch) {
  auto a = Replica();
  auto b = Replica();
  std::unique_ptr<EventWatch> watch = b->WatchEvents();
  ASSERT_NE(watch, nullptr);
  // The first wait connects and LISTENs (and says to read: events may have
  // come before it listened).
  EXPECT_TRUE(watch->Wait(absl::Seconds(5)));
  EXPECT_FALSE(watch->Wait(absl::Milliseconds(50)));
  StoredEvent stored{.tenant_id = "acme"};
  stored.event.set_stripe_event_id("evt_1");
  ASSERT_TRUE(a->AppendEvent(stored).ok());
  EXPECT_TRUE(watch->Wait(absl::Seconds(5)));
  // A redelivery stores nothing and wakes nobody.
  ASSERT_FALSE(a->AppendEvent(stored)->stored);
  EXPECT_FALSE(watch->Wait(absl::Milliseconds(100)));
  std::thread stopper([&] { watch->Stop(); });
  EXPECT_FALSE(watch->Wait(absl::Hours(1)));
  stopper.join();
}

// While the server is down every call fails UNAVAILABLE (the retry of a
// caller's request is safe) and Ping says so; with the server back, the
// same store works again and nothing committed before is lost.
TEST(PostgresOutageTest, CallsFailUnavailableWhileTheServerIsDownThenRecover) {
  testing::ThrowawayPostgres server;
  ASSERT_TRUE(server.status().ok()) << server.status();
  testing::FakeClock clock;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open({.pool = {.connect = server.options(), .size = 2}}, clock);
  ASSERT_TRUE(store.ok()) << store.status();
  v1::AuditRecord record = Intent(1);
  ASSERT_TRUE((*store)->AppendAudit(record).ok());

  ASSERT_TRUE(server.Stop().ok());
  EXPECT_THAT((*store)->AppendAudit(record), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT((*store)->Ping(), StatusIs(absl::StatusCode::kUnavailable));
  // Refused at once for a moment after a failed connection.
  EXPECT_THAT((*store)->GetPolicy("acme"), StatusIs(absl::StatusCode::kUnavailable));

  ASSERT_TRUE(server.Start().ok());
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE((*store)->Ping().ok());
  ASSERT_TRUE((*store)->AppendAudit(record).ok());
  absl::StatusOr<v1::VerifyAuditChainResponse> chain = (*store)->VerifyAuditChain("acme");
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_TRUE(chain->intact());
  EXPECT_EQ(chain->records_checked(), 2);
}

}  // namespace
}  // namespace payvox
