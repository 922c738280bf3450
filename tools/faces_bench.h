// faces_bench.h: payvox-bench --mode=faces, the cost of each HTTP face of
// the front door (MCP, Vapi, Retell, REST) over the same action through
// gRPC's Execute, in one run.
//
// One in-process payvoxd --sandbox with the gateway on loopback; one
// sender, each on a kept-alive connection of its own; every round sends
// list_charges once through each transport in turn (interleaved, so
// drift hits all alike). Each answer is checked (200 and Jenny's charge);
// any failure is reported and exits 1.
#ifndef PAYVOX_TOOLS_FACES_BENCH_H_
#define PAYVOX_TOOLS_FACES_BENCH_H_

#include "absl/time/time.h"

namespace payvox::bench {

// RunFacesBench prints a line per transport and returns the exit code.
int RunFacesBench(int requests, absl::Duration max_time);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_FACES_BENCH_H_
