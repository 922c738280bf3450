// coupons.h: coupons and one-time promotion codes.
#ifndef PAYVOX_ACTIONS_COUPONS_H_
#define PAYVOX_ACTIONS_COUPONS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_COUPON_ACTIONS(ACTION) \
  ACTION(CreateCoupon, "create_coupon", coupons, kWrite, "coupons")

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
