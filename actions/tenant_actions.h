// tenant_actions.h: every action of one tenant, by family, free of any
// transport. Each transport (rpc/ for gRPC; the HTTP faces) authenticates
// the caller's tenant, then runs one of these coroutines:
//
//   TenantActions actions(stripe_client, store, clock, keyring, {.tenant_id = "acme"});
//   co_await actions.refunds.CreateRefund(request, CallBounds(deadline, cancel_signal));
//
// Each action validates its request, talks to Stripe through StripeApi,
// keeps its state in the Store, and returns a reply whose `say` the agent
// can speak. Errors are absl::Status with a payvox.v1.ErrorDetail (reason
// and `say` where payvox decided, Stripe's fields where Stripe did). Every
// write takes the one write pipeline (actions/write_pipeline.h).
//
// Thread-safe. `stripe`, `store`, `clock` and `keyring` must outlive it,
// and every coroutine it returned.
#ifndef PAYVOX_ACTIONS_TENANT_ACTIONS_H_
#define PAYVOX_ACTIONS_TENANT_ACTIONS_H_

#include <string>
#include <vector>

#include "actions/action_env.h"
#include "actions/calls.h"
#include "actions/catalog_runner.h"
#include "actions/charges.h"
#include "actions/coupons.h"
#include "actions/customers.h"
#include "actions/handoff.h"
#include "actions/invoices.h"
#include "actions/links.h"
#include "actions/refunds.h"
#include "actions/subscriptions.h"
#include "actions/write_pipeline.h"

namespace payvox {

// ActionNames: the actions payvoxd implements, by catalog name (for policy
// validation).
const std::vector<std::string>& ActionNames();

class TenantActions {
 public:
  // `keyring` seals the answers kept for retries (actions/action_guard.h).
  TenantActions(stripe::StripeClient& stripe, StoreExecutor& store, const Clock& clock,
                const Keyring& keyring, ActionOptions options);

  // Policy is the tenant's current policy (stored, else the default).
  boost::asio::awaitable<absl::StatusOr<v1::TenantPolicy>> Policy() { return env_.guard.Policy(); }
  // PolicyChanged: AdminService.SetPolicy stored `policy` for this tenant.
  void PolicyChanged(v1::TenantPolicy policy) { env_.guard.PolicyChanged(std::move(policy)); }
  // HeldPolicy: the policy without a store read, when it is held.
  std::optional<v1::TenantPolicy> HeldPolicy() const { return env_.guard.HeldPolicy(); }

 private:
  ActionEnv env_;
  WritePipeline writes_;

 public:
  // The call's session (BeginCall, EndCall), then the families in the
  // catalog's order (actions/typed_actions.h names which family serves
  // each typed action).
  CallActions calls;
  CustomerActions customers;
  ChargeActions charges;
  RefundActions refunds;
  CouponActions coupons;
  SubscriptionActions subscriptions;
  InvoiceActions invoices;
  LinkActions links;
  HandoffActions handoff;
  CatalogRunner catalog;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_TENANT_ACTIONS_H_
