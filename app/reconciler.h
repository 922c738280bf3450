// reconciler.h: settle the actions whose outcome payvox does not know: an
// audit intent without a completion (payvoxd died while Stripe was being
// called), or a completion that said Stripe's answer never came, its limit
// reservation still pending (the caller's retry may never come).
//
// For a refund, Stripe is asked for the refunds of the charge, page after
// page (up to 100 pages of 100), and the one carrying the intent's
// payvox_call_id and payvox_request_id metadata is looked for: found, the
// trail gets a successful completion and the limit reservation is
// committed; not found, the refund never reached Stripe, so the completion
// records "not_sent" and the reservation is released, unless a retry of
// the request has taken it over since (the retry settles it). An intent
// Stripe cannot be asked about now (unreachable, or its tenant has no
// Stripe connection now) stays open for the next run. Each intent is
// looked up in its own tenant's Stripe account. Then reservations no
// intent names (the request died before writing its intent) are released.
//
// Only intents older than a bound are looked at: at start, those made
// before this process started (every open intent of the trail, read once);
// while running, those behind pending reservations last attempted more than
// `settle_after` ago, which is longer than a Stripe request may last
// (stripe::kLongestRequest), so no attempt still running is taken for a
// dead one.
//
//   Reconciler reconciler(client_for, store, clock, sleeper, {});
//   co_spawn(strand, reconciler.Watch(process_started, stop), detached);
#ifndef PAYVOX_APP_RECONCILER_H_
#define PAYVOX_APP_RECONCILER_H_

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/stripe_api.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

struct ReconcileReport {
  int settled_done = 0;      // the action had happened at Stripe
  int settled_not_sent = 0;  // it had not
  int left_open = 0;         // Stripe could not tell now; retried next run
  int orphans_released = 0;  // reservations without an intent
};

// What a run reads: after a restart, every intent without a completion
// too (a scan of the whole trail, once per process); while running, only
// the intents behind pending reservations (few, and indexed).
enum class ReconcileScope { kAfterRestart, kWhileRunning };

struct ReconcilerOptions {
  // While running, intents older than this are settled; more than
  // stripe::kLongestRequest.
  absl::Duration settle_after = absl::Minutes(5);
  absl::Duration interval = absl::Minutes(1);
  // The time one run may take asking Stripe.
  absl::Duration run_timeout = absl::Seconds(60);
  // Told of every run's outcome (logging); may be empty.
  std::function<void(const absl::StatusOr<ReconcileReport>&)> on_run;
  // This replica's name when replicas share the store (PostgreSQL); empty
  // when the store is this process's alone (SQLite). Shared, Watch runs
  // only while this replica holds the store's "reconciler" lease (renewed
  // each run, for 3 intervals), settles only intents older than
  // settle_after (another replica may still be calling Stripe for a
  // younger one), and reads every open intent when it takes the lease and
  // every kFullScanRuns runs after: an intent without a reservation that a
  // dead replica left is settled within that many intervals.
  std::string lease_holder;
};

inline constexpr int kFullScanRuns = 60;

class Reconciler {
 public:
  // ClientFor is a tenant's Stripe client, or null when it has none.
  using ClientFor = std::function<stripe::StripeClient*(const std::string& tenant_id)>;

  // The clients and every argument must outlive the reconciler and its
  // coroutines.
  Reconciler(ClientFor client_for, StoreExecutor& store, const Clock& clock, Sleeper& sleeper,
             ReconcilerOptions options)
      : client_for_(std::move(client_for)),
        store_(store),
        clock_(clock),
        sleeper_(sleeper),
        options_(std::move(options)) {}

  // Run settles the intents made before `before` whose outcome is unknown.
  boost::asio::awaitable<absl::StatusOr<ReconcileReport>> Run(absl::Time before,
                                                              ReconcileScope scope,
                                                              CallBounds bounds);

  // Watch runs once for what was left before `process_started`, then every
  // interval for what is older than settle_after, until `stop` fires.
  boost::asio::awaitable<void> Watch(absl::Time process_started, const CancelSignal& stop);

 private:
  boost::asio::awaitable<void> RunAndReport(absl::Time before, ReconcileScope scope);
  // HoldLease: whether this replica runs the reconciler now (always when
  // the store is its own).
  boost::asio::awaitable<bool> HoldLease();

  ClientFor client_for_;
  StoreExecutor& store_;
  const Clock& clock_;
  Sleeper& sleeper_;
  const ReconcilerOptions options_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_RECONCILER_H_
