// pool_bench.h: payvox-bench --mode=pool, the Stripe client's own cost.
//
// Against the in-process sandbox on loopback (no added latency):
//   1. a raw keep-alive socket (Beast, synchronous, one connection) sends
//      GET /v1/charges/<id> `requests` times: the floor;
//   2. the production client (pool, limiter, breaker, retries) sends the
//      same requests one at a time: its added latency is the difference;
//   3. `concurrency` coroutines send through the client on 2 I/O threads:
//      requests per second and the share served on a warm connection.
#ifndef PAYVOX_TOOLS_POOL_BENCH_H_
#define PAYVOX_TOOLS_POOL_BENCH_H_

namespace payvox::bench {

struct PoolBenchOptions {
  int requests = 5000;
  int concurrency = 8;
  int max_seconds = 120;
};

// RunPoolBench prints its figures and returns the process exit code.
int RunPoolBench(const PoolBenchOptions& options);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_POOL_BENCH_H_
