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

#include "tools/load.h"

namespace payvox::bench {

// RunRefundBench prints both runs and returns the process exit code.
// `options.stop_at` bounds each run.
int RunRefundBench(const LoadOptions& options, absl::Duration max_time);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_REFUND_BENCH_H_
