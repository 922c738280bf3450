// coupons.h: coupons and one-time promotion codes.
#ifndef PAYVOX_ACTIONS_COUPONS_H_
#define PAYVOX_ACTIONS_COUPONS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

namespace payvox {

class CouponActions {
 public:
  CouponActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::CreateCouponResponse> CreateCoupon(v1::CreateCouponRequest request, CallBounds bounds);

 private:
  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_COUPONS_H_
