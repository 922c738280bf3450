// replicas_bench.h: payvox-bench --mode=replicas, payvoxd replicas on one
// PostgreSQL against one payvoxd on SQLite.
//
//   payvox-bench --mode=replicas --concurrency=16 --requests=3000
//       --postgres="host=127.0.0.1 port=5432 user=payvox dbname=payvox"
//       --postgres_password_file=/path/to/password
//
// (./dev.sh bench starts a throwaway PostgreSQL for it.) With one sandbox
// in-process on loopback, in one run each:
//   refunds: one-cent refunds from `concurrency` senders through 1 payvoxd
//     on SQLite (a durable file), 1 on PostgreSQL and 3 on PostgreSQL (the
//     senders spread over them), each on a new database: refunds/s and
//     latency percentiles; and the start-up time of every replica.
//   events: with 3 replicas, signed webhooks POSTed to replica A and read
//     by a subscriber on replica B: events/s and POST-to-subscriber
//     latency; then event appends at the store itself from 2 threads, with
//     the replicas' NOTIFY and without it (their feeds then poll).
#ifndef PAYVOX_TOOLS_REPLICAS_BENCH_H_
#define PAYVOX_TOOLS_REPLICAS_BENCH_H_

#include <string>

#include "absl/time/time.h"
#include "tools/load.h"

namespace payvox::bench {

struct ReplicasBenchOptions {
  LoadOptions load;
  absl::Duration max_time = absl::Minutes(2);
  // A PostgreSQL whose user may create databases (the bench makes and
  // drops its own), and its password.
  std::string postgres_conninfo;
  std::string postgres_password;
  int events = 2000;
};

int RunReplicasBench(const ReplicasBenchOptions& options);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_REPLICAS_BENCH_H_
