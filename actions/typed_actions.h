// typed_actions.h: the one table of payvox's typed actions: each RPC of
// ActionService that runs an action, with its catalog name and whether it
// reads or writes. The gRPC service (rpc/services.h), the catalog's
// dispatcher (actions/dispatcher.cc) and the write wrappers
// (actions/voice_actions.cc) are all generated from it, so a name cannot
// differ between them; the catalog test checks that every typed catalog
// entry is in it and the other way round.
//
//   #define HANDLER(Rpc, name) handlers[name] = &VoiceActions::Rpc;
//   PAYVOX_TYPED_ACTIONS(HANDLER, HANDLER)
#ifndef PAYVOX_ACTIONS_TYPED_ACTIONS_H_
#define PAYVOX_ACTIONS_TYPED_ACTIONS_H_

// PAYVOX_TYPED_ACTIONS(READ, WRITE) expands READ(Rpc, "name") for every read
// and WRITE(Rpc, "name") for every write, in the catalog's order.
#define PAYVOX_TYPED_ACTIONS(READ, WRITE)                   \
  READ(FindCustomer, "find_customer")                       \
  READ(VerifyIdentity, "verify_identity")                   \
  READ(ListCharges, "list_charges")                         \
  READ(GetPayment, "get_payment")                           \
  READ(FindDuplicateCharges, "find_duplicate_charges")      \
  WRITE(CreateRefund, "create_refund")                      \
  READ(GetRefund, "get_refund")                             \
  READ(ListRefunds, "list_refunds")                         \
  WRITE(CreateCoupon, "create_coupon")                      \
  READ(ListSubscriptions, "list_subscriptions")             \
  READ(GetSubscription, "get_subscription")                 \
  WRITE(CancelSubscription, "cancel_subscription")          \
  WRITE(PauseSubscription, "pause_subscription")            \
  WRITE(ResumeSubscription, "resume_subscription")          \
  WRITE(ChangeSubscriptionPlan, "change_subscription_plan") \
  READ(ListInvoices, "list_invoices")                       \
  READ(GetInvoice, "get_invoice")                           \
  READ(GetUpcomingInvoice, "get_upcoming_invoice")          \
  WRITE(SendInvoice, "send_invoice")                        \
  WRITE(VoidInvoice, "void_invoice")                        \
  WRITE(CreateInvoice, "create_invoice")                    \
  WRITE(FinalizeInvoice, "finalize_invoice")                \
  WRITE(CreatePaymentLink, "create_payment_link")           \
  WRITE(CreatePortalSession, "create_portal_session")       \
  WRITE(StartSecurePayment, "start_secure_payment")

// PAYVOX_IGNORE_ACTION drops the entries of one kind.
#define PAYVOX_IGNORE_ACTION(Rpc, name)

#endif  // PAYVOX_ACTIONS_TYPED_ACTIONS_H_
