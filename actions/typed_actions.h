// typed_actions.h: the one table of payvox's typed actions: each RPC of
// ActionService that runs an action, with its catalog name, whether it reads
// or writes, and the family of TenantActions (actions/tenant_actions.h) that
// serves it. The gRPC service (rpc/services.h) and the catalog's dispatcher
// (actions/dispatcher.cc) are generated from it, so a name cannot differ
// between them; the catalog test checks that every typed catalog entry is in
// it and the other way round.
//
//   #define HANDLER(Rpc, name, family) handlers[name] = Typed(actions.family, ...);
//   PAYVOX_TYPED_ACTIONS(HANDLER, HANDLER)
#ifndef PAYVOX_ACTIONS_TYPED_ACTIONS_H_
#define PAYVOX_ACTIONS_TYPED_ACTIONS_H_

// PAYVOX_TYPED_ACTIONS(READ, WRITE) expands READ(Rpc, "name", family) for
// every read and WRITE(Rpc, "name", family) for every write, in the
// catalog's order.
#define PAYVOX_TYPED_ACTIONS(READ, WRITE)                                  \
  READ(FindCustomer, "find_customer", customers)                           \
  READ(VerifyIdentity, "verify_identity", customers)                       \
  READ(ListCharges, "list_charges", charges)                               \
  READ(GetPayment, "get_payment", charges)                                 \
  READ(FindDuplicateCharges, "find_duplicate_charges", charges)            \
  WRITE(CreateRefund, "create_refund", refunds)                            \
  READ(GetRefund, "get_refund", refunds)                                   \
  READ(ListRefunds, "list_refunds", refunds)                               \
  WRITE(CreateCoupon, "create_coupon", coupons)                            \
  READ(ListSubscriptions, "list_subscriptions", subscriptions)             \
  READ(GetSubscription, "get_subscription", subscriptions)                 \
  WRITE(CancelSubscription, "cancel_subscription", subscriptions)          \
  WRITE(PauseSubscription, "pause_subscription", subscriptions)            \
  WRITE(ResumeSubscription, "resume_subscription", subscriptions)          \
  WRITE(ChangeSubscriptionPlan, "change_subscription_plan", subscriptions) \
  READ(ListInvoices, "list_invoices", invoices)                            \
  READ(GetInvoice, "get_invoice", invoices)                                \
  READ(GetUpcomingInvoice, "get_upcoming_invoice", invoices)               \
  WRITE(SendInvoice, "send_invoice", invoices)                             \
  WRITE(VoidInvoice, "void_invoice", invoices)                             \
  WRITE(CreateInvoice, "create_invoice", invoices)                         \
  WRITE(FinalizeInvoice, "finalize_invoice", invoices)                     \
  WRITE(CreatePaymentLink, "create_payment_link", links)                   \
  WRITE(CreatePortalSession, "create_portal_session", links)               \
  WRITE(StartSecurePayment, "start_secure_payment", handoff)

// PAYVOX_IGNORE_ACTION drops the entries of one kind.
#define PAYVOX_IGNORE_ACTION(Rpc, name, family)

#endif  // PAYVOX_ACTIONS_TYPED_ACTIONS_H_
