// replica_jobs.h: what a payvoxd runs beside serving when replicas share its
// store (PostgreSQL): its name among them, the store's reachability in
// its health, and its part of each Stripe account's rate limits.
#ifndef PAYVOX_APP_REPLICA_JOBS_H_
#define PAYVOX_APP_REPLICA_JOBS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "absl/time/time.h"
#include "client/stripe_clients.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"
#include "common/log.h"
#include "store/store_executor.h"

namespace payvox {

// ReplicaName names this process among replicas sharing a store: host,
// process id and a random part (a restarted replica is a new one).
std::string ReplicaName();

// WatchStore asks the store every `every` whether it can be reached: while
// it cannot, every gRPC health service of `servers` (nulls skipped)
// answers NOT_SERVING and `store_reachable` is false (/readyz 503); back
// to SERVING when it answers, unless `serving` went false (shutdown). A
// change is logged.
boost::asio::awaitable<void> WatchStore(StoreExecutor& store, std::vector<grpc::Server*> servers,
                                        const std::atomic<bool>& serving,
                                        std::atomic<bool>& store_reachable, Logger& log,
                                        absl::Duration every, const Clock& clock, Sleeper& sleeper,
                                        const CancelSignal& stop);

// ShareStripeBudget beats `replica`'s heartbeat every `every` (alive for 3
// beats) and gives `clients` 1/N of each account's rate limits, N the
// replicas alive, kept in `alive` (the gauge payvox_replicas_alive); a
// store that cannot be reached keeps the last share (docs/replicas.md has
// the error bound).
boost::asio::awaitable<void> ShareStripeBudget(StoreExecutor& store, std::string replica,
                                               stripe::StripeClients& clients,
                                               std::atomic<int>& alive, Logger& log,
                                               absl::Duration every, const Clock& clock,
                                               Sleeper& sleeper, const CancelSignal& stop);

}  // namespace payvox

#endif  // PAYVOX_APP_REPLICA_JOBS_H_
