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
    const absl::StatusOr<HousekeepingReport> report = co_await SweepOnce();
    if (options_.on_sweep) options_.on_sweep(report);
  }
}

}  // namespace payvox
