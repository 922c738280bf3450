// refund_bench.h: payvox-bench --mode=refund, what policy and audit cost a
// refund.
//
// One sandbox on loopback (no added latency) holds a charge large enough
// for every refund; each request refunds one cent of it. Two runs, each
// with `concurrency` senders:
//   on:  CreateRefund through an in-process payvoxd: gRPC, the tenant's
//        policy with daily limits, the atomic limit reservation, the
//        durable audit intent and completion and the idempotency record in
//        an SQLite file (synchronous=FULL). Each sender is one call,
//        verified once with VerifyIdentity.
//   off: the Stripe requests that refund makes (GET the charge, POST the
//        refund with its Idempotency-Key) sent straight through the same
//        pooled client, with no gRPC, policy or store.
#ifndef PAYVOX_TOOLS_REFUND_BENCH_H_
#define PAYVOX_TOOLS_REFUND_BENCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/load.h"

namespace payvox::bench {

// RunRefundBench prints both runs and returns the process exit code.
// `options.stop_at` bounds each run.
int RunRefundBench(const LoadOptions& options, absl::Duration max_time);

// PayvoxdStore: where the payvoxd under load keeps its state, as config
// JSON ("store_path": ... or "store": {"postgres": ...}), and its Stripe.
struct PayvoxdStore {
  std::string config_json;
  std::string postgres_password;
  std::string stripe_base_url;
};

// RefundsThroughPayvoxd starts `replicas` in-process payvoxd on `store`
// and sends one-cent refunds of the sandbox's roomy charge through them,
// the senders spread over the replicas. Each replica's start-up time is
// appended to `starts` (may be null).
absl::StatusOr<LoadResult> RefundsThroughPayvoxd(const LoadOptions& options,
                                                 const PayvoxdStore& store, int replicas,
                                                 std::vector<absl::Duration>* starts);

// RemoveDatabase deletes an SQLite file and its journals.
void RemoveDatabase(const std::string& path);

// The roomy charge the refunds are made of (AddRoomyCharge).
inline constexpr char kRefundBenchCharge[] = "ch_BenchLarge";

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_REFUND_BENCH_H_
