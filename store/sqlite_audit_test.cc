#include "absl/strings/escaping.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;

v1::AuditRecord Record(const std::string& tenant, const std::string& call, const std::string& kind,
                       bool ok) {
  v1::AuditRecord record;
  record.set_tenant_id(tenant);
  record.set_agent_id("agent-7");
  record.set_call_id(call);
  record.set_request_id("req-1");
  record.set_action("create_refund");
  record.set_customer_id("cus_1");
  record.set_target_id("ch_1");
  record.mutable_amount()->set_amount_minor(4900);
  record.mutable_amount()->set_currency("usd");
  record.set_decision("allow");
  record.set_kind(kind);
  record.set_ok(ok);
  return record;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open({}, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }
  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(AuditTest, AppendsChainPerTenant) {
  absl::StatusOr<v1::AuditRecord> first = store_->AppendAudit(Record("acme", "c1", "intent", true));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sequence(), 1);
  EXPECT_EQ(first->hash(), ChainHash("", *first));
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<v1::AuditRecord> second =
      store_->AppendAudit(Record("acme", "c1", "completion", true));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sequence(), 2);
  EXPECT_EQ(second->hash(), ChainHash(first->hash(), *second));
  EXPECT_EQ(store_->AppendAudit(Record("other", "c9", "decision", false))->sequence(), 1);

  absl::StatusOr<v1::VerifyAuditChainResponse> verified = store_->VerifyAuditChain("acme");
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact());
  EXPECT_EQ(verified->records_checked(), 2);
}

TEST_F(AuditTest, DetectsEditedAndDeletedRecords) {
  std::vector<v1::AuditRecord> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Record("acme", "c1", "decision", true));
  ASSERT_TRUE(store_->AppendAuditBatch(batch).ok());
  ASSERT_TRUE(store_->VerifyAuditChain("acme")->intact());

  // Edit record 3's content (amount) behind the store's back.
  v1::AuditRecord edited = store_
                               ->QueryAudit([] {
                                 v1::QueryAuditRequest query;
                                 query.set_tenant_id("acme");
                                 query.set_after_sequence(2);
                                 query.set_limit(1);
                                 return query;
                               }())
                               ->front();
  edited.mutable_amount()->set_amount_minor(1);
  ASSERT_TRUE(store_
                  ->ExecForTesting("UPDATE audit SET record = x'" +
                                   absl::BytesToHexString(edited.SerializeAsString()) +
                                   "' WHERE tenant = 'acme' AND sequence = 3")
                  .ok());
  absl::StatusOr<v1::VerifyAuditChainResponse> verified = store_->VerifyAuditChain("acme");
  EXPECT_FALSE(verified->intact());
  EXPECT_EQ(verified->first_bad_sequence(), 3);
  EXPECT_EQ(verified->records_checked(), 2);

  // Deleting a record breaks the chain where it was.
  ASSERT_TRUE(store_->AppendAudit(Record("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(store_->AppendAudit(Record("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(store_->AppendAudit(Record("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(
      store_->ExecForTesting("DELETE FROM audit WHERE tenant = 'beta' AND sequence = 2").ok());
  EXPECT_EQ(store_->VerifyAuditChain("beta")->first_bad_sequence(), 2);
}

TEST_F(AuditTest, QueriesFilterAndPage) {
  ASSERT_TRUE(store_->AppendAudit(Record("acme", "c1", "decision", true)).ok());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(store_->AppendAudit(Record("acme", "c2", "decision", false)).ok());
  ASSERT_TRUE(store_->AppendAudit(Record("acme", "c2", "decision", true)).ok());

  v1::QueryAuditRequest query;
  query.set_tenant_id("acme");
  query.set_call_id("c2");
  EXPECT_EQ(store_->QueryAudit(query)->size(), 2u);
  query.set_result("error");
  EXPECT_EQ(store_->QueryAudit(query)->size(), 1u);
  query.clear_result();
  query.set_limit(1);
  absl::StatusOr<std::vector<v1::AuditRecord>> page = store_->QueryAudit(query);
  ASSERT_EQ(page->size(), 1u);
  query.set_after_sequence(page->front().sequence());
  EXPECT_EQ(store_->QueryAudit(query)->front().sequence(), 3);
  v1::QueryAuditRequest by_time;
  by_time.set_tenant_id("acme");
  by_time.set_since_unix(absl::ToUnixSeconds(clock_.Now()) - 60);
  EXPECT_EQ(store_->QueryAudit(by_time)->size(), 2u);
  by_time.set_limit(5000);
  EXPECT_THAT(store_->QueryAudit(by_time), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AuditTest, OpenIntentsAreThoseWithoutCompletion) {
  absl::StatusOr<v1::AuditRecord> answered =
      store_->AppendAudit(Record("acme", "c1", "intent", true));
  absl::StatusOr<v1::AuditRecord> open = store_->AppendAudit(Record("acme", "c2", "intent", true));
  ASSERT_TRUE(answered.ok() && open.ok());
  v1::AuditRecord completion = Record("acme", "c1", "completion", true);
  completion.set_completes_sequence(answered->sequence());
  ASSERT_TRUE(store_->AppendAudit(completion).ok());
  absl::StatusOr<std::vector<v1::AuditRecord>> intents = store_->OpenIntents();
  ASSERT_TRUE(intents.ok());
  ASSERT_EQ(intents->size(), 1u);
  EXPECT_EQ(intents->front().call_id(), "c2");
}

TEST(AuditContentTest, EveryFieldButTheHashIsCovered) {
  v1::AuditRecord a = Record("acme", "c1", "intent", true);
  v1::AuditRecord b = a;
  b.set_result("re_1");
  EXPECT_NE(AuditContentForHash(a), AuditContentForHash(b));
  b = a;
  b.set_hash("anything");
  EXPECT_EQ(AuditContentForHash(a), AuditContentForHash(b));
  // A newline inside a value cannot pose as a field boundary.
  b = a;
  b.set_call_id("c1\nallow");
  EXPECT_NE(AuditContentForHash(a), AuditContentForHash(b));
}

}  // namespace
}  // namespace payvox
