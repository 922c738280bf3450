// load.h: closed-loop load for payvox-bench: `concurrency` threads, each
// sending one request after another until `requests` were sent in all (or
// time ran out), after an unmeasured warm-up.
//
//   LoadResult result = RunLoad(options, [&](int thread) {
//     auto stub = ...;                                  // per-thread set-up
//     return [stub](int i) { return Send(*stub, i); };  // one request
//   });
#ifndef PAYVOX_TOOLS_LOAD_H_
#define PAYVOX_TOOLS_LOAD_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/latency.h"

namespace payvox::bench {

struct LoadOptions {
  int requests = 5000;
  int warmup = 200;
  int concurrency = 1;
  absl::Time stop_at = absl::InfiniteFuture();
};

struct LoadResult {
  Percentiles latency_us;
  int failures = 0;
  std::string first_failure;
  double per_second = 0;

  // One line of figures, e.g. "p50 250  p90 ...  | 3900 req/s, 0 of 5000
  // failed"; "FAILED: ..." without figures when any request failed (the
  // caller then exits non-zero).
  std::string ToString() const;
};

// A Sender sends request number `i` (unique across threads) and returns its
// outcome. A SenderFactory makes one per thread, on that thread.
using Sender = std::function<absl::Status(int i)>;
using SenderFactory = std::function<Sender(int thread)>;

LoadResult RunLoad(const LoadOptions& options, const SenderFactory& make_sender);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_LOAD_H_
