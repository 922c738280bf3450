// charges.h: charges and payments: the recent charges, one payment's outcome, duplicates.
#ifndef PAYVOX_ACTIONS_CHARGES_H_
#define PAYVOX_ACTIONS_CHARGES_H_

#include "actions/action_env.h"
#include "payvox/v1/actions.pb.h"

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
