// refunds.h: refunds: issuing one (under the policy, limits and approvals) and reading them back.
#ifndef PAYVOX_ACTIONS_REFUNDS_H_
#define PAYVOX_ACTIONS_REFUNDS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_REFUND_ACTIONS(ACTION)                                                       \
  ACTION(CreateRefund, "create_refund", refunds, kWrite, "full_refunds", "partial_refunds") \
  ACTION(GetRefund, "get_refund", refunds, kRead, "view_refunds")                           \
  ACTION(ListRefunds, "list_refunds", refunds, kRead, "view_refunds")

namespace payvox {

class RefundActions {
 public:
  RefundActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::CreateRefundResponse> CreateRefund(v1::CreateRefundRequest request, CallBounds bounds);
  Action<v1::GetRefundResponse> GetRefund(v1::GetRefundRequest request, CallBounds bounds);
  Action<v1::ListRefundsResponse> ListRefunds(v1::ListRefundsRequest request, CallBounds bounds);
  // ExecuteApproved runs an approved refund once, with its original
  // Idempotency-Key (AdminService.DecideApproval).
  Action<v1::CreateRefundResponse> ExecuteApproved(StoredApproval approved, CallBounds bounds);

 private:
  // Refund: the refund through the write pipeline; `approved_by` names the
  // operator who approved it, empty for the caller's own request.
  Action<v1::CreateRefundResponse> Refund(v1::CreateRefundRequest request, std::string approved_by,
                                          CallBounds bounds);

  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_REFUNDS_H_
