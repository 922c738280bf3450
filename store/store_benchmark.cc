// Audit appends with durable commits (synchronous=FULL, WAL) on this
// machine's disk, one record per commit and in batches.
#include <benchmark/benchmark.h>

#include <cstdio>

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

}  // namespace
}  // namespace payvox

BENCHMARK_MAIN();
