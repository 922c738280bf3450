// calls.h: the call itself: BeginCall starts its session and fetches the
// caller's account in parallel (actions/call_sessions.h); EndCall drops the
// session and ends the call's verifications.
//
// BeginCall is not a catalog action (an orchestrator calls it when the
// phone connects, no LLM decides to), so it has no row in
// actions/typed_actions.h.
#ifndef PAYVOX_ACTIONS_CALLS_H_
#define PAYVOX_ACTIONS_CALLS_H_

#include <memory>
#include <string>

#include "actions/action_env.h"
#include "payvox/v1/actions.pb.h"

namespace payvox {

class CallActions {
 public:
  explicit CallActions(ActionEnv& env) : env_(env) {}

  // BeginCall answers once its fetches finished, or after
  // ActionOptions::begin_call_wait (within the call's deadline) with what
  // arrived; the rest goes on in the background, and reads that need it
  // wait for it. A repeated BeginCall for the same call starts nothing new
  // and answers from the same session.
  Action<v1::BeginCallResponse> BeginCall(v1::BeginCallRequest request, CallBounds bounds);
  Action<v1::EndCallResponse> EndCall(v1::EndCallRequest request, CallBounds bounds);

 private:
  struct Hints {
    std::string phone;
    std::string email;
    std::string customer_id;
  };
  // Prefetch finds the customer from the hints, then fetches the account.
  boost::asio::awaitable<void> Prefetch(std::shared_ptr<CallSession> session, Hints hints);
  // PrefetchAccount fetches the customer's cards, recent charges (and the
  // refunds of refunded ones), subscriptions, open invoices and upcoming
  // invoice, in parallel.
  boost::asio::awaitable<void> PrefetchAccount(CallFacts facts, std::string customer_id,
                                               stripe::CallOptions read);

  ActionEnv& env_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CALLS_H_
