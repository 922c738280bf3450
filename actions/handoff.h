// handoff.h: the secure card hand-off: a PaymentIntent the DTMF provider confirms.
#ifndef PAYVOX_ACTIONS_HANDOFF_H_
#define PAYVOX_ACTIONS_HANDOFF_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

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
