// typed_actions.h: the one table of payvox's typed actions: each RPC of
// ActionService that runs an action, with its catalog name, the family of
// TenantActions (actions/tenant_actions.h) that serves it, its class and
// the capabilities that enable it. Each family declares its own rows in its
// header (PAYVOX_REFUND_ACTIONS in refunds.h...); this joins them. The gRPC
// service (rpc/services.h), the catalog's dispatcher (actions/dispatcher.cc)
// and the catalog's typed entries (actions/catalog.cc, with their
// description and schema from the proto) are generated from it, so nothing
// about an action is written twice.
//
//   #define HANDLER(Rpc, name, family, kind, ...) handlers[name] = Typed(actions.family, ...);
//   PAYVOX_TYPED_ACTIONS(HANDLER)
#ifndef PAYVOX_ACTIONS_TYPED_ACTIONS_H_
#define PAYVOX_ACTIONS_TYPED_ACTIONS_H_

#include "actions/charges.h"
#include "actions/coupons.h"
#include "actions/customers.h"
#include "actions/handoff.h"
#include "actions/invoices.h"
#include "actions/links.h"
#include "actions/refunds.h"
#include "actions/subscriptions.h"

// PAYVOX_TYPED_ACTIONS(ACTION) expands ACTION(Rpc, "name", family, class,
// capabilities...) for every typed action, family by family; `class` is a
// policy::ActionClass enumerator (kRead, kWrite, kDestructive).
#define PAYVOX_TYPED_ACTIONS(ACTION)  \
  PAYVOX_CUSTOMER_ACTIONS(ACTION)     \
  PAYVOX_CHARGE_ACTIONS(ACTION)       \
  PAYVOX_REFUND_ACTIONS(ACTION)       \
  PAYVOX_COUPON_ACTIONS(ACTION)       \
  PAYVOX_SUBSCRIPTION_ACTIONS(ACTION) \
  PAYVOX_INVOICE_ACTIONS(ACTION)      \
  PAYVOX_LINK_ACTIONS(ACTION)         \
  PAYVOX_HANDOFF_ACTIONS(ACTION)

#endif  // PAYVOX_ACTIONS_TYPED_ACTIONS_H_
