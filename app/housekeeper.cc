#include "app/housekeeper.h"

#include "common/status_macros.h"

namespace payvox {

boost::asio::awaitable<absl::StatusOr<HousekeepingReport>> Housekeeper::SweepOnce() {
  const absl::Time now = clock_.Now();
  HousekeepingReport report;
  PAYVOX_CO_ASSIGN_OR_RETURN(report.reservations_expired, co_await store_.Run([&](Store& store) {
    return store.ExpireReservations(now);
  }));
  PAYVOX_CO_ASSIGN_OR_RETURN(
      report.idempotency_records_expired,
      co_await store_.Run([&](Store& store) { return store.ExpireIdempotencyRecords(now); }));
  co_return report;
}

boost::asio::awaitable<void> Housekeeper::Run(const CancelSignal& stop) {
  while (co_await sleeper_.SleepUntil(clock_.Now() + options_.interval, &stop)) {
    if (!options_.lease_holder.empty()) {
      const absl::Time now = clock_.Now();
      const absl::StatusOr<bool> leads = co_await store_.Run([&](Store& store) {
        return store.HoldLease("housekeeping", options_.lease_holder, now,
                               now + 3 * options_.interval);
      });
      // Another replica sweeps (or the store is unreachable: next time).
      if (!leads.ok() || !*leads) continue;
    }
    const absl::StatusOr<HousekeepingReport> report = co_await SweepOnce();
    if (options_.on_sweep) options_.on_sweep(report);
  }
}

}  // namespace payvox
