// Audit appends with durable commits (synchronous=FULL, WAL) on this
// machine's disk, one record per commit and in batches; and the store calls
// one refund makes, in memory (no fsync: what is left is SQLite's and
// payvox's own work, preparing statements included).
#include <benchmark/benchmark.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

v1::AuditRecord SampleRecord() {
  v1::AuditRecord record;
  record.set_tenant_id("acme");
  record.set_agent_id("agent-7");
  record.set_call_id("call-123");
  record.set_request_id("req-9");
  record.set_action("create_refund");
  record.set_customer_id("cus_Demo");
  record.set_target_id("ch_Demo");
  record.mutable_amount()->set_amount_minor(4900);
  record.mutable_amount()->set_currency("usd");
  record.set_decision("allow");
  record.set_kind("intent");
  record.set_ok(true);
  return record;
}

std::unique_ptr<SqliteStore> FreshStore(const Clock& clock) {
  const std::string path = "/tmp/payvox_store_benchmark.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return *SqliteStore::Open({.path = path}, clock);
}

void BM_AuditAppendDurable(benchmark::State& state) {
  SystemClock clock;
  auto store = FreshStore(clock);
  const int batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::vector<v1::AuditRecord> records(static_cast<size_t>(batch), SampleRecord());
    benchmark::DoNotOptimize(store->AppendAuditBatch(std::move(records)));
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_AuditAppendDurable)->Arg(1)->Arg(16)->Arg(128)->UseRealTime();

// A refund's store calls: verification and usage read, the reservation and
// intent in one commit, the settlement, completion and saved answer in
// another.
void BM_RefundStoreCallsInMemory(benchmark::State& state) {
  SystemClock clock;
  auto store = *SqliteStore::Open({.path = ":memory:"}, clock);
  const UsageKey refunds{"acme", "refund", "usd", "2026-11-23"};
  const VerificationKey caller{"acme", "call-123", "cus_Demo"};
  int64_t n = 0;
  for (auto _ : state) {
    const std::string key = absl::StrCat("pvx_", n++);
    benchmark::DoNotOptimize(store->GetVerification(caller));
    benchmark::DoNotOptimize(store->GetUsage(refunds, "cus_Demo", key));
    v1::AuditRecord intent = SampleRecord();
    intent.set_idempotency_key(key);
    absl::StatusOr<StartedAction> started =
        store->StartAction({.reservation = ReservationRequest{.key = refunds,
                                                              .idempotency_key = key,
                                                              .customer_id = "cus_Demo",
                                                              .amount = 1,
                                                              .tenant_limit = int64_t{1} << 50},
                            .intent = intent});
    if (!started.ok()) {
      state.SkipWithError(started.status().ToString().c_str());
      break;
    }
    v1::AuditRecord completion = intent;
    completion.set_kind("completion");
    completion.set_completes_sequence(started->intent.sequence());
    const absl::Status finished = store->FinishAction(
        {.reservation_id = started->reservation_id,
         .settlement = Settlement::kCommit,
         .completion = completion,
         .answer = IdempotencyRecord{.tenant_id = "acme",
                                     .key = key,
                                     .action = "create_refund",
                                     .fingerprint = "f",
                                     .response = "re_1",
                                     .expires_at = clock.Now() + absl::Hours(24)}});
    if (!finished.ok()) {
      state.SkipWithError(finished.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RefundStoreCallsInMemory);

}  // namespace
}  // namespace payvox
