// store_audit_conformance_test.cc: the audit trail and webhook events, on
// every Store (store/testing/store_test.h).
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
using EventTest = testing::StoreTest;

using AuditTest = testing::StoreTest;

TEST_P(AuditTest, AppendsChainPerTenant) {
  absl::StatusOr<v1::AuditRecord> first =
      store_->AppendAudit(SampleAuditRecord("acme", "c1", "intent", true));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sequence(), 1);
  EXPECT_EQ(first->hash(), ChainHash("", *first));
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<v1::AuditRecord> second =
      store_->AppendAudit(SampleAuditRecord("acme", "c1", "completion", true));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sequence(), 2);
  EXPECT_EQ(second->hash(), ChainHash(first->hash(), *second));
  EXPECT_EQ(store_->AppendAudit(SampleAuditRecord("other", "c9", "decision", false))->sequence(),
            1);

  absl::StatusOr<v1::VerifyAuditChainResponse> verified = store_->VerifyAuditChain("acme");
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact());
  EXPECT_EQ(verified->records_checked(), 2);
}

TEST_P(AuditTest, DetectsEditedAndDeletedRecords) {
  std::vector<v1::AuditRecord> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(SampleAuditRecord("acme", "c1", "decision", true));
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
  ASSERT_TRUE(Exec("UPDATE audit SET record = " + BlobLiteral(edited.SerializeAsString()) +
                   " WHERE tenant = 'acme' AND sequence = 3")
                  .ok());
  absl::StatusOr<v1::VerifyAuditChainResponse> verified = store_->VerifyAuditChain("acme");
  EXPECT_FALSE(verified->intact());
  EXPECT_EQ(verified->first_bad_sequence(), 3);
  EXPECT_EQ(verified->records_checked(), 2);

  // Deleting a record breaks the chain where it was.
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("beta", "c1", "decision", true)).ok());
  ASSERT_TRUE(Exec("DELETE FROM audit WHERE tenant = 'beta' AND sequence = 2").ok());
  EXPECT_EQ(store_->VerifyAuditChain("beta")->first_bad_sequence(), 2);
}

TEST_P(AuditTest, QueriesFilterAndPage) {
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("acme", "c1", "decision", true)).ok());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("acme", "c2", "decision", false)).ok());
  ASSERT_TRUE(store_->AppendAudit(SampleAuditRecord("acme", "c2", "decision", true)).ok());

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

TEST_P(AuditTest, OpenIntentsAreThoseWithoutCompletion) {
  absl::StatusOr<v1::AuditRecord> answered =
      store_->AppendAudit(SampleAuditRecord("acme", "c1", "intent", true));
  absl::StatusOr<v1::AuditRecord> open =
      store_->AppendAudit(SampleAuditRecord("acme", "c2", "intent", true));
  ASSERT_TRUE(answered.ok() && open.ok());
  v1::AuditRecord completion = SampleAuditRecord("acme", "c1", "completion", true);
  completion.set_completes_sequence(answered->sequence());
  ASSERT_TRUE(store_->AppendAudit(completion).ok());
  absl::StatusOr<std::vector<v1::AuditRecord>> intents = store_->OpenIntents();
  ASSERT_TRUE(intents.ok());
  ASSERT_EQ(intents->size(), 1u);
  EXPECT_EQ(intents->front().call_id(), "c2");
}

TEST_P(EventTest, EventHeadsAreEachTenantsHighestSequence) {
  EXPECT_TRUE(store_->EventHeads()->empty());
  for (const auto& [tenant, id] : std::vector<std::pair<std::string, std::string>>{
           {"acme", "evt_1"}, {"beta", "evt_1"}, {"acme", "evt_2"}, {"acme", "evt_2"}}) {
    StoredEvent stored{.tenant_id = tenant};
    stored.event.set_stripe_event_id(id);
    ASSERT_TRUE(store_->AppendEvent(stored).ok());
  }
  absl::StatusOr<std::vector<EventHead>> heads = store_->EventHeads();
  ASSERT_TRUE(heads.ok()) << heads.status();
  EXPECT_THAT(
      *heads,
      ElementsAre(AllOf(Field(&EventHead::tenant_id, "acme"), Field(&EventHead::sequence, 2)),
                  AllOf(Field(&EventHead::tenant_id, "beta"), Field(&EventHead::sequence, 1))));
}

TEST_P(EventTest, EventsAreNumberedPerTenantAndStoredOncePerStripeId) {
  Store* store = store_.get();
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

PAYVOX_ON_EVERY_STORE(AuditTest);
PAYVOX_ON_EVERY_STORE(EventTest);

}  // namespace
}  // namespace payvox
