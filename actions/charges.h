// charges.h: charges and payments: the recent charges, one payment's outcome, duplicates.
#ifndef PAYVOX_ACTIONS_CHARGES_H_
#define PAYVOX_ACTIONS_CHARGES_H_

#include "actions/action_env.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_CHARGE_ACTIONS(ACTION)                                  \
  ACTION(ListCharges, "list_charges", charges, kRead, "view_payments") \
  ACTION(GetPayment, "get_payment", charges, kRead, "view_payments")   \
  ACTION(FindDuplicateCharges, "find_duplicate_charges", charges, kRead, "view_payments")

namespace payvox {

class ChargeActions {
 public:
  explicit ChargeActions(ActionEnv& env) : env_(env) {}

  Action<v1::ListChargesResponse> ListCharges(v1::ListChargesRequest request, CallBounds bounds);
  Action<v1::GetPaymentResponse> GetPayment(v1::GetPaymentRequest request, CallBounds bounds);
  Action<v1::FindDuplicateChargesResponse> FindDuplicateCharges(
      v1::FindDuplicateChargesRequest request, CallBounds bounds);

 private:
  ActionEnv& env_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CHARGES_H_
