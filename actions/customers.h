// customers.h: finding the caller and verifying them (last 4 digits of a card on file).
#ifndef PAYVOX_ACTIONS_CUSTOMERS_H_
#define PAYVOX_ACTIONS_CUSTOMERS_H_

#include "actions/action_env.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_CUSTOMER_ACTIONS(ACTION)                   \
  ACTION(FindCustomer, "find_customer", customers, kRead) \
  ACTION(VerifyIdentity, "verify_identity", customers, kRead)

namespace payvox {

class CustomerActions {
 public:
  explicit CustomerActions(ActionEnv& env) : env_(env) {}

  Action<v1::FindCustomerResponse> FindCustomer(v1::FindCustomerRequest request, CallBounds bounds);
  Action<v1::VerifyIdentityResponse> VerifyIdentity(v1::VerifyIdentityRequest request,
                                                    CallBounds bounds);

 private:
  ActionEnv& env_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CUSTOMERS_H_
