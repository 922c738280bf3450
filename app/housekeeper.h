// housekeeper.h: the store's periodic clean-up while payvoxd runs.
//
// Every `interval` it releases limit reservations whose Stripe answer never
// came and whose hold expired (so a lost answer cannot block a tenant's daily
// room for ever), deletes idempotency records past their lifetime, and
// sweeps old verification state.
//
//   Housekeeper housekeeper(store_executor, clock, sleeper, {.interval = absl::Minutes(1)});
//   co_spawn(strand, housekeeper.Run(stop_signal), detached);
#ifndef PAYVOX_APP_HOUSEKEEPER_H_
#define PAYVOX_APP_HOUSEKEEPER_H_

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"
#include "store/store_executor.h"

namespace payvox {

struct HousekeepingReport {
  int reservations_expired = 0;
  int idempotency_records_expired = 0;
};

struct HousekeeperOptions {
  absl::Duration interval = absl::Minutes(1);
  // Told of every sweep's outcome (logging); may be empty.
  std::function<void(const absl::StatusOr<HousekeepingReport>&)> on_sweep;
  // This replica's name when replicas share the store; a sweep then runs
  // only on the replica holding the store's "housekeeping" lease (Store::
  // HoldLease, for 3 intervals). Empty: the store is this process's alone.
  std::string lease_holder;
};

class Housekeeper {
 public:
  // Every argument must outlive the housekeeper and its coroutines.
  Housekeeper(StoreExecutor& store, const Clock& clock, Sleeper& sleeper,
              HousekeeperOptions options)
      : store_(store), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {}

  boost::asio::awaitable<absl::StatusOr<HousekeepingReport>> SweepOnce();

  // Run sweeps every interval until `stop` fires. A failed sweep is
  // reported and tried again at the next interval.
  boost::asio::awaitable<void> Run(const CancelSignal& stop);

 private:
  StoreExecutor& store_;
  const Clock& clock_;
  Sleeper& sleeper_;
  const HousekeeperOptions options_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_HOUSEKEEPER_H_
