// actions_bench.h: payvox-bench --mode=actions, per-action latency of the
// calls a voice agent makes most: find the caller, verify them, "did my
// payment go through?" (ListCharges, GetPayment) and "when does my plan
// renew?" (ListSubscriptions).
//
// One in-process payvoxd against the in-process sandbox on loopback (no
// added latency); each action runs `requests` times with `concurrency`
// senders, one after another, each with its own figures. VerifyIdentity
// uses a new call_id per request, so every request is a first attempt.
// Refund latency with policy and audit is --mode=refund.
#ifndef PAYVOX_TOOLS_ACTIONS_BENCH_H_
#define PAYVOX_TOOLS_ACTIONS_BENCH_H_

#include "tools/load.h"

namespace payvox::bench {

// RunActionsBench prints one line per action and returns the exit code.
int RunActionsBench(const LoadOptions& options, absl::Duration max_time);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_ACTIONS_BENCH_H_
