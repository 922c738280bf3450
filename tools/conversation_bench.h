// conversation_bench.h: payvox-bench --mode=conversation, the refund
// conversation as a caller lives it, with and without payvox.
//
// One sandbox on loopback answers every Stripe request after
// --stripe_latency_ms (150 by default), as a far Stripe would. Alternating,
// --requests conversations (at least 20) of each kind:
//   direct: the pooled Stripe client makes the business calls in sequence,
//           as an orchestrator calling Stripe itself would: customers by
//           email, the customer's cards (the last-4 check), the charges,
//           the refund POST.
//   payvox: BeginCall when the call connects (timed on its own: it runs
//           while the greeting plays), then FindCustomer, VerifyIdentity,
//           ListCharges and CreateRefund over gRPC.
// It prints tool time per turn and in all (p50/p90), the Stripe requests
// each side made during the turns, and their ratio; then the caller who
// speaks before the prefetch finished (FindCustomer right after BeginCall),
// ListActions and a cached read against grpc.health Check on the same
// server, and (unless --idle_seconds=0) the first call after a quiet spell
// on both sides.
//
// Exits 1 when a request failed, 3 when a target was missed.
#ifndef PAYVOX_TOOLS_CONVERSATION_BENCH_H_
#define PAYVOX_TOOLS_CONVERSATION_BENCH_H_

#include "absl/time/time.h"

namespace payvox::bench {

struct ConversationOptions {
  int conversations = 20;
  absl::Duration stripe_latency = absl::Milliseconds(150);
  // Quiet spell before the last measurement; zero skips it.
  absl::Duration idle = absl::Seconds(60);
  // Reads and health checks for the cached-read and ListActions figures.
  int samples = 300;
  absl::Duration max_time = absl::Minutes(5);
};

int RunConversationBench(const ConversationOptions& options);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_CONVERSATION_BENCH_H_
