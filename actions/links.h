// links.h: links sent to the caller: a payment link for a price, a billing portal session.
#ifndef PAYVOX_ACTIONS_LINKS_H_
#define PAYVOX_ACTIONS_LINKS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

namespace payvox {

class LinkActions {
 public:
  LinkActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::CreatePaymentLinkResponse> CreatePaymentLink(v1::CreatePaymentLinkRequest request,
                                                          CallBounds bounds);
  Action<v1::CreatePortalSessionResponse> CreatePortalSession(
      v1::CreatePortalSessionRequest request, CallBounds bounds);

 private:
  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_LINKS_H_
