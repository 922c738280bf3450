// handoff.h: the secure card hand-off: a PaymentIntent the DTMF provider confirms.
#ifndef PAYVOX_ACTIONS_HANDOFF_H_
#define PAYVOX_ACTIONS_HANDOFF_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_HANDOFF_ACTIONS(ACTION) \
  ACTION(StartSecurePayment, "start_secure_payment", handoff, kWrite, "secure_payments")

namespace payvox {

class HandoffActions {
 public:
  HandoffActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::StartSecurePaymentResponse> StartSecurePayment(v1::StartSecurePaymentRequest request,
                                                            CallBounds bounds);

 private:
  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_HANDOFF_H_
