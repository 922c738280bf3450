// links.h: links sent to the caller: a payment link for a price, a billing portal session.
#ifndef PAYVOX_ACTIONS_LINKS_H_
#define PAYVOX_ACTIONS_LINKS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_LINK_ACTIONS(ACTION)                                                \
  ACTION(CreatePaymentLink, "create_payment_link", links, kWrite, "payment_links") \
  ACTION(CreatePortalSession, "create_portal_session", links, kWrite, "portal_links")

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
