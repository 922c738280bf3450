// operations_watch.h: gauges the alerting rules read, taken from the store
// while payvoxd runs (deploy/prometheus/payvox-alerts.yml).
//
// Every `interval`, for every tenant (the config's and the stored ones):
//   payvox_approvals_pending{tenant}                 approvals waiting now
//   payvox_approval_oldest_pending_seconds{tenant}   how long the oldest waits
//   payvox_refund_daily_limit_used_ratio{tenant,currency}
//                                  refunded and held today / the daily limit
// and every `audit_check_interval`, per tenant:
//   payvox_audit_chain_intact{tenant}                1 intact, 0 broken
//
//   OperationsWatch watch(executor, clock, sleeper, registry,
//                         {.config_tenant = "acme", .default_policy = policy});
//   co_spawn(strand, watch.Run(stop_signal), detached);
//
// The readings are store calls on the StoreExecutor's threads; a failed
// sweep leaves the gauges as they were, is told to on_sweep (logged) and
// its store failures are counted in payvox_store_errors_total.
#ifndef PAYVOX_APP_OPERATIONS_WATCH_H_
#define PAYVOX_APP_OPERATIONS_WATCH_H_

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "payvox/v1/config.pb.h"
#include "store/store_executor.h"

namespace payvox {

struct OperationsWatchOptions {
  absl::Duration interval = absl::Minutes(1);
  // The chain is read whole, so it is checked less often.
  absl::Duration audit_check_interval = absl::Hours(1);
  // The tenant of the config file, which may have no stored row.
  std::string config_tenant;
  // The policy of a tenant that has none stored (its daily limits).
  v1::TenantPolicy default_policy;
  // Told of every sweep's outcome (logging); may be empty.
  std::function<void(const absl::Status&)> on_sweep;
};

class OperationsWatch {
 public:
  // Every argument must outlive the watch and its coroutines.
  OperationsWatch(StoreExecutor& store, const Clock& clock, Sleeper& sleeper,
                  metrics::Registry& registry, OperationsWatchOptions options);

  // SweepOnce reads every tenant once and sets the gauges; the audit chains
  // are checked when `check_audit`.
  boost::asio::awaitable<absl::Status> SweepOnce(bool check_audit);

  // Run sweeps every interval until `stop` fires, the first at once.
  boost::asio::awaitable<void> Run(const CancelSignal& stop);

 private:
  StoreExecutor& store_;
  const Clock& clock_;
  Sleeper& sleeper_;
  const OperationsWatchOptions options_;
  metrics::Family<metrics::Gauge>& approvals_pending_;
  metrics::Family<metrics::Gauge>& oldest_approval_;
  metrics::Family<metrics::Gauge>& limit_used_;
  metrics::Family<metrics::Gauge>& audit_intact_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_OPERATIONS_WATCH_H_
