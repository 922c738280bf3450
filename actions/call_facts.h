// call_facts.h: the Stripe reads an action makes, answered from the call's
// session (actions/call_sessions.h) when it holds them, else from Stripe
// and then kept in the session. The same calls as StripeApi's reads, so an
// action reads through its call's facts the way it would read Stripe:
//
//   CallFacts facts = env_.Facts(request.context(), "list_charges");
//   PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await facts.ListCharges(filter, read));
//
// Without a session (no BeginCall for the call, or sessions off) every read
// goes to Stripe. Writes always go to Stripe; their answers are kept here
// (Refunded, SubscriptionIs, InvoiceIs) so the next read sees them.
//
// The keys a session holds, one per fact:
//   customer:<cus>        email:<address>     phone:<E.164>
//   cards:<cus>           charges:<cus>       charge:<ch>      refunds:<ch>
//   subscriptions:<cus>   subscription:<sub>  upcoming:<cus>
//   invoices:<cus>:<status or empty>          invoice:<in>
// A held list answers a request for up to as many items as it holds, or
// for any number when Stripe said it has no more; only first pages are
// held (a request with starting_after reads Stripe).
//
// Copyable; a copy reads the same session. The StripeApi, the sessions and
// the clock must outlive it.
#ifndef PAYVOX_ACTIONS_CALL_FACTS_H_
#define PAYVOX_ACTIONS_CALL_FACTS_H_

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "actions/call_sessions.h"
#include "client/stripe_api.h"
#include "common/clock.h"

namespace payvox {

class CallFacts {
 public:
  // How many items of each list a fetch asks for, at least, so that later
  // reads of fewer items are answered from the session.
  static constexpr int kHeldCharges = 20;
  static constexpr int kHeldLists = 10;
  static constexpr int kHeldSubscriptions = 20;

  // `session` (of `tenant_id`'s call) null: every read goes to Stripe.
  // `action` labels the read metrics.
  CallFacts(stripe::StripeApi& stripe, CallSessions* sessions, std::string tenant_id,
            std::shared_ptr<CallSession> session, std::string action);

  bool in_session() const { return session_ != nullptr; }
  const std::shared_ptr<CallSession>& session() const { return session_; }

  stripe::Async<stripe::Customer> GetCustomer(std::string customer_id, stripe::CallOptions options);
  stripe::Async<stripe::List<stripe::Customer>> ListCustomersByEmail(std::string email, int limit,
                                                                     stripe::CallOptions options);
  // SearchCustomersByPhone: Stripe Search, which lags writes by up to a
  // minute.
  stripe::Async<stripe::List<stripe::Customer>> SearchCustomersByPhone(std::string phone, int limit,
                                                                       stripe::CallOptions options);
  stripe::Async<stripe::List<stripe::PaymentMethod>> ListCards(std::string customer_id,
                                                               stripe::CallOptions options);
  // ListCharges: held when it filters by customer only, on the first page.
  stripe::Async<stripe::List<stripe::Charge>> ListCharges(stripe::ChargeFilter filter,
                                                          stripe::CallOptions options);
  // GetCharge: the held charge, or the one in the call's customer's held
  // (or arriving) list of charges.
  stripe::Async<stripe::Charge> GetCharge(std::string charge_id, stripe::CallOptions options);
  stripe::Async<stripe::List<stripe::Refund>> ListRefunds(std::string charge_id, int limit,
                                                          stripe::CallOptions options);
  stripe::Async<stripe::List<stripe::Subscription>> ListSubscriptions(std::string customer_id,
                                                                      int limit,
                                                                      stripe::CallOptions options);
  stripe::Async<stripe::Subscription> GetSubscription(std::string subscription_id,
                                                      stripe::CallOptions options);
  stripe::Async<stripe::List<stripe::Invoice>> ListInvoices(std::string customer_id,
                                                            std::string status, int limit,
                                                            stripe::CallOptions options);
  stripe::Async<stripe::Invoice> GetInvoice(std::string invoice_id, stripe::CallOptions options);
  // PreviewInvoice: held for the customer's plain upcoming invoice (no
  // subscription, item or price named).
  stripe::Async<stripe::Invoice> PreviewInvoice(stripe::InvoicePreview preview,
                                                stripe::CallOptions options);

  // Stripe's answers to payvox's writes, kept so the call's next reads see
  // them: the refund on its charge (and in the charge's refunds), the
  // changed subscription, the changed invoice. The tenant's other calls'
  // sessions drop what the write changed, as the write's webhook will.
  void Refunded(const stripe::Refund& refund);
  void SubscriptionIs(const stripe::Subscription& subscription);
  void InvoiceIs(const stripe::Invoice& invoice);
  // Changed: a write whose answer is not kept (the catalog's long tail)
  // changed `object_id` of `customer_id` (either may be empty); every
  // session of the tenant drops what an event of `event_type` would.
  void Changed(const std::string& event_type, const std::string& object_id,
               const std::string& customer_id);

 private:
  // Read answers from the fact under `key`, waits for a fetch of it under
  // way, or fetches it with `fetch()` and keeps the answer.
  // `answer(held)` is what a held fact says to this request, nullopt when
  // it cannot say (a list shorter than asked for: then it is fetched again).
  template <typename T, typename Fetch, typename Answer>
  stripe::Async<T> Read(std::string key, Freshness freshness, CallBounds bounds, Fetch fetch,
                        Answer answer);
  template <typename T, typename Fetch>
  stripe::Async<T> Read(std::string key, Freshness freshness, CallBounds bounds, Fetch fetch);
  // Held is the fact under `key` when held or arriving; nullopt otherwise
  // (nothing is fetched).
  boost::asio::awaitable<std::optional<FactValue>> Held(std::string key, Freshness freshness,
                                                        CallBounds bounds);
  // ById answers from the fact under `key`, else from the item `id` of the
  // list held (or arriving) under `list_key` (empty: none), else Read.
  template <typename T, typename Fetch>
  stripe::Async<T> ById(std::string key, std::string list_key, std::string id, CallBounds bounds,
                        Fetch fetch);
  // Wait waits for another reader's fetch; an error when `bounds` end first.
  boost::asio::awaitable<absl::Status> Wait(std::shared_ptr<CallSession::Fetch> fetch,
                                            const CallBounds& bounds);
  void Count(const char* result) const;

  // Elsewhere drops in the tenant's other sessions what the event changes.
  void Elsewhere(const std::string& event_type, const std::string& object_id,
                 const std::string& customer_id);

  stripe::StripeApi* stripe_;
  CallSessions* sessions_;
  std::string tenant_id_;
  std::shared_ptr<CallSession> session_;
  std::string action_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CALL_FACTS_H_
