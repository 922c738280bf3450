// reconciler.h: after a crash, settle the actions whose audit intent was
// written but whose completion was not (payvoxd died while Stripe was
// being called).
//
// For a refund, Stripe is asked for the refunds of the charge, page after
// page (up to 100 pages of 100), and the one carrying the intent's
// payvox_call_id and payvox_request_id metadata is looked for: found, the trail gets a successful
// completion and the limit reservation is committed; not found, the refund never reached Stripe, so
// the completion records "not_sent" and the reservation is released. An
// intent Stripe cannot be asked about now (unreachable, or its tenant has
// no Stripe connection now) stays open for the next run. Each intent is
// looked up in its own tenant's Stripe account. Then reservations made before this process started
// that no intent names (the request died before writing its intent) are released.
#ifndef PAYVOX_APP_RECONCILER_H_
#define PAYVOX_APP_RECONCILER_H_

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "client/stripe_api.h"
#include "common/cancellation.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

struct ReconcileReport {
  int settled_done = 0;      // the action had happened at Stripe
  int settled_not_sent = 0;  // it had not
  int left_open = 0;         // Stripe could not tell now; retried next run
  int orphans_released = 0;  // reservations without an intent
};

class Reconciler {
 public:
  // ClientFor is a tenant's Stripe client, or null when it has none.
  using ClientFor = std::function<stripe::StripeClient*(const std::string& tenant_id)>;

  // The clients and `store` must outlive the reconciler and its coroutines.
  Reconciler(ClientFor client_for, StoreExecutor& store)
      : client_for_(std::move(client_for)), store_(store) {}

  // Run settles what was left open before `process_started`.
  boost::asio::awaitable<absl::StatusOr<ReconcileReport>> Run(absl::Time process_started,
                                                              CallBounds bounds);

 private:
  ClientFor client_for_;
  StoreExecutor& store_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_RECONCILER_H_
