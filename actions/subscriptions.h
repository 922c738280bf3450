// subscriptions.h: subscriptions: reading, canceling, pausing, resuming, changing plans.
#ifndef PAYVOX_ACTIONS_SUBSCRIPTIONS_H_
#define PAYVOX_ACTIONS_SUBSCRIPTIONS_H_

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_SUBSCRIPTION_ACTIONS(ACTION)                                                       \
  ACTION(ListSubscriptions, "list_subscriptions", subscriptions, kRead, "view_subscriptions")     \
  ACTION(GetSubscription, "get_subscription", subscriptions, kRead, "view_subscriptions")         \
  ACTION(CancelSubscription, "cancel_subscription", subscriptions, kDestructive,                  \
         "cancel_subscriptions")                                                                  \
  ACTION(PauseSubscription, "pause_subscription", subscriptions, kWrite, "pause_subscriptions")   \
  ACTION(ResumeSubscription, "resume_subscription", subscriptions, kWrite, "pause_subscriptions") \
  ACTION(ChangeSubscriptionPlan, "change_subscription_plan", subscriptions, kWrite,               \
         "change_subscription_plans")

namespace payvox {

class SubscriptionActions {
 public:
  SubscriptionActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::ListSubscriptionsResponse> ListSubscriptions(v1::ListSubscriptionsRequest request,
                                                          CallBounds bounds);
  Action<v1::GetSubscriptionResponse> GetSubscription(v1::GetSubscriptionRequest request,
                                                      CallBounds bounds);
  Action<v1::CancelSubscriptionResponse> CancelSubscription(v1::CancelSubscriptionRequest request,
                                                            CallBounds bounds);
  Action<v1::PauseSubscriptionResponse> PauseSubscription(v1::PauseSubscriptionRequest request,
                                                          CallBounds bounds);
  Action<v1::ResumeSubscriptionResponse> ResumeSubscription(v1::ResumeSubscriptionRequest request,
                                                            CallBounds bounds);
  Action<v1::ChangeSubscriptionPlanResponse> ChangeSubscriptionPlan(
      v1::ChangeSubscriptionPlanRequest request, CallBounds bounds);

 private:
  // PlanChange: a plan change priced by Stripe's preview.
  struct PlanChange {
    stripe::InvoicePreview preview;
    int64_t proration = 0;
    std::string currency;
    std::string now_part;  // "costs $5.00 for the rest of this billing period"
    std::string next;      // the next period's amount
  };
  // Change runs a change of the subscription the request names through the
  // write pipeline; `load` states its facts from the subscription as it is.
  template <typename Response, typename Request, typename Load>
  Action<Response> Change(const Request& request, std::string action, CallBounds bounds, Load load);
  Action<v1::ChangeSubscriptionPlanResponse> PreviewPlanChange(
      v1::ChangeSubscriptionPlanRequest request, CallBounds bounds);
  Action<PlanChange> PricePlanChange(const v1::ChangeSubscriptionPlanRequest& request,
                                     const stripe::Subscription& current,
                                     const v1::TenantPolicy& policy, int64_t proration_date,
                                     CallBounds bounds);

  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_SUBSCRIPTIONS_H_
