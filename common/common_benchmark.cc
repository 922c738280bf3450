// Benchmarks of the hot helpers every reply uses.
#include "benchmark/benchmark.h"
#include "common/form_codec.h"
#include "common/idempotency_key.h"
#include "common/money.h"

namespace payvox {
namespace {

void BM_FormatMoney(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(FormatMoney(123456789, "usd"));
}
BENCHMARK(BM_FormatMoney);

void BM_DeriveIdempotencyKey(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        DeriveIdempotencyKey({"acme", "call-0001", "req-0001", "create_refund"}));
  }
}
BENCHMARK(BM_DeriveIdempotencyKey);

void BM_EncodeForm(benchmark::State& state) {
  FormParams params;
  params.Add("charge", "ch_3PpQ2eLkdIwHu7ix0a1b2c3d");
  params.Add("amount", "4900");
  params.Add("reason", "requested_by_customer");
  params.Add("metadata[payvox_call_id]", "call-0001");
  for (auto _ : state) benchmark::DoNotOptimize(EncodeForm(params));
}
BENCHMARK(BM_EncodeForm);

}  // namespace
}  // namespace payvox
