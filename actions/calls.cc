#include "actions/calls.h"

#include <algorithm>
#include <atomic>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/stripe_to_proto.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

// Fanout runs coroutines side by side on one executor; Join waits for all.
class Fanout {
 public:
  explicit Fanout(boost::asio::any_io_executor executor)
      : executor_(std::move(executor)), state_(std::make_shared<State>()) {}

  void Add(boost::asio::awaitable<void> task) {
    state_->pending.fetch_add(1);
    boost::asio::co_spawn(executor_, std::move(task),
                          [state = state_](const std::exception_ptr&) { state->Done(); });
  }
  // Join returns when every task added ended (each is bounded by its own
  // deadline). Call once, after the last Add.
  boost::asio::awaitable<void> Join() {
    state_->Done();
    co_await state_->all.Wait(absl::Hours(1), nullptr);
  }

 private:
  struct State {
    std::atomic<int> pending{1};  // Join's own share
    AsyncEvent all;
    void Done() {
      if (pending.fetch_sub(1) == 1) all.Set();
    }
  };
  boost::asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

// The customers among `found` that still exist.
std::vector<stripe::Customer> Live(std::vector<stripe::Customer> found) {
  std::erase_if(found, [](const stripe::Customer& c) { return c.deleted; });
  return found;
}

// How many of a customer's refunded charges BeginCall fetches the refunds of.
constexpr int kRefundedChargesFetched = 3;

}  // namespace

Action<v1::BeginCallResponse> CallActions::BeginCall(v1::BeginCallRequest request,
                                                     CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  if (!request.caller_phone().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidatePhone(request.caller_phone()));
  }
  if (!request.email().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateEmail(request.email()));
  }
  if (!request.customer_id().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  }
  CallSessions* sessions = env_.options.sessions;
  if (sessions == nullptr) {
    co_return absl::FailedPreconditionError(
        "this payvoxd keeps no call sessions; reads go to Stripe without BeginCall");
  }
  auto [session, created] = sessions->Begin(env_.options.tenant_id, request.context().call_id());
  if (created) {
    Hints hints{request.caller_phone(), request.email(), request.customer_id()};
    const boost::asio::any_io_executor executor = co_await boost::asio::this_coro::executor;
    boost::asio::co_spawn(executor, Prefetch(session, std::move(hints)), boost::asio::detached);
  }
  // Answer once the fetches are in, or with what arrived by then.
  const absl::Time now = env_.clock.Now();
  const absl::Duration wait =
      std::min(env_.options.begin_call_wait, bounds.deadline - now - absl::Milliseconds(50));
  co_await session->prefetched().Wait(std::max(wait, absl::ZeroDuration()), bounds.cancel.get());

  const CallSummary found = session->summary();
  v1::BeginCallResponse response;
  response.set_match_count(found.match_count);
  if (found.match_count == 1 && !found.matches.empty()) {
    *response.mutable_customer() = ToProto(found.matches.front());
  } else {
    for (const stripe::Customer& match : found.matches) *response.add_candidates() = ToProto(match);
  }
  response.set_card_on_file(found.card_on_file);
  response.set_recent_charges(found.recent_charges);
  response.set_subscriptions(found.subscriptions);
  response.set_open_invoices(found.open_invoices);
  response.set_prefetch_complete(found.complete);
  const bool hinted =
      !request.caller_phone().empty() || !request.email().empty() || !request.customer_id().empty();
  if (found.match_count == 1) {
    response.set_say(
        "I have an account here that may be yours; I'll confirm it's you before changing "
        "anything.");
  } else if (found.match_count > 1) {
    response.set_say(absl::StrCat("I see ", found.match_count,
                                  " accounts that may be yours. What name is the account under?"));
  } else if (hinted && found.complete) {
    response.set_say(
        "I couldn't find your account from this number. What's the email on the account?");
  } else {
    response.set_say("How can I help you today?");
  }
  co_return response;
}

boost::asio::awaitable<void> CallActions::Prefetch(std::shared_ptr<CallSession> session,
                                                   Hints hints) {
  const absl::Time started = env_.clock.Now();
  const stripe::CallOptions read{
      .bounds = CallBounds(started + env_.options.prefetch_timeout, session->cancel())};
  CallFacts facts(env_.stripe, env_.options.sessions, env_.options.tenant_id, session,
                  "begin_call");
  Fanout account(co_await boost::asio::this_coro::executor);
  auto found = [&](std::vector<stripe::Customer> matches) {
    session->Summarize([&](CallSummary& summary) {
      summary.match_count = static_cast<int>(matches.size());
      summary.matches = std::move(matches);
    });
  };
  // The customer id is known: its account is fetched alongside the customer.
  std::string customer = hints.customer_id;
  if (!customer.empty()) {
    session->set_customer_id(customer);
    account.Add(PrefetchAccount(facts, customer, read));
    absl::StatusOr<stripe::Customer> known = co_await facts.GetCustomer(customer, read);
    if (known.ok() && !known->deleted) found({*known});
  }
  if (customer.empty() && !hints.email.empty()) {
    absl::StatusOr<stripe::List<stripe::Customer>> by_email =
        co_await facts.ListCustomersByEmail(hints.email, 10, read);
    if (by_email.ok()) found(Live(std::move(by_email->data)));
  }
  // Search can lag a minute behind a new customer; the email list does not.
  if (customer.empty() && session->summary().match_count == 0 && !hints.phone.empty()) {
    absl::StatusOr<stripe::List<stripe::Customer>> by_phone =
        co_await facts.SearchCustomersByPhone(hints.phone, 10, read);
    if (by_phone.ok()) found(Live(std::move(by_phone->data)));
  }
  const CallSummary so_far = session->summary();
  if (customer.empty() && so_far.match_count == 1) {
    customer = so_far.matches.front().id;
    session->set_customer_id(customer);
    account.Add(PrefetchAccount(facts, customer, read));
  }
  co_await account.Join();
  session->Summarize([](CallSummary& summary) { summary.complete = true; });
  env_.options.sessions->PrefetchTook(env_.clock.Now() - started);
  session->prefetched().Set();
}

boost::asio::awaitable<void> CallActions::PrefetchAccount(CallFacts facts, std::string customer_id,
                                                          stripe::CallOptions read) {
  Fanout parts(co_await boost::asio::this_coro::executor);
  std::shared_ptr<CallSession> session = facts.session();
  parts.Add([](CallFacts f, std::string id, stripe::CallOptions o) -> boost::asio::awaitable<void> {
    absl::StatusOr<stripe::List<stripe::PaymentMethod>> cards = co_await f.ListCards(id, o);
    if (!cards.ok()) co_return;
    const bool on_file = !cards->data.empty();
    f.session()->Summarize([&](CallSummary& summary) { summary.card_on_file = on_file; });
  }(facts, customer_id, read));
  parts.Add([](CallFacts f, std::string id, stripe::CallOptions o) -> boost::asio::awaitable<void> {
    stripe::ChargeFilter recent{.customer = id, .limit = CallFacts::kHeldCharges};
    absl::StatusOr<stripe::List<stripe::Charge>> charges =
        co_await f.ListCharges(std::move(recent), o);
    if (!charges.ok()) co_return;
    const int count = static_cast<int>(charges->data.size());
    f.session()->Summarize([&](CallSummary& summary) { summary.recent_charges = count; });
    // The refunds of the newest refunded charges, one after another.
    int fetched = 0;
    for (const stripe::Charge& charge : charges->data) {
      if (charge.amount_refunded == 0 || fetched++ >= kRefundedChargesFetched) continue;
      (void)co_await f.ListRefunds(charge.id, CallFacts::kHeldLists, o);
    }
  }(facts, customer_id, read));
  parts.Add([](CallFacts f, std::string id, stripe::CallOptions o) -> boost::asio::awaitable<void> {
    absl::StatusOr<stripe::List<stripe::Subscription>> subscriptions =
        co_await f.ListSubscriptions(id, CallFacts::kHeldSubscriptions, o);
    if (!subscriptions.ok()) co_return;
    const int count = static_cast<int>(subscriptions->data.size());
    f.session()->Summarize([&](CallSummary& summary) { summary.subscriptions = count; });
  }(facts, customer_id, read));
  parts.Add([](CallFacts f, std::string id, stripe::CallOptions o) -> boost::asio::awaitable<void> {
    absl::StatusOr<stripe::List<stripe::Invoice>> open =
        co_await f.ListInvoices(id, "open", CallFacts::kHeldLists, o);
    if (!open.ok()) co_return;
    const int count = static_cast<int>(open->data.size());
    f.session()->Summarize([&](CallSummary& summary) { summary.open_invoices = count; });
  }(facts, customer_id, read));
  parts.Add([](CallFacts f, std::string id, stripe::CallOptions o) -> boost::asio::awaitable<void> {
    // A customer without a renewing subscription has none: not an error.
    stripe::InvoicePreview upcoming{.customer = std::move(id)};
    (void)co_await f.PreviewInvoice(std::move(upcoming), o);
  }(facts, customer_id, read));
  co_await parts.Join();
}

Action<v1::EndCallResponse> CallActions::EndCall(v1::EndCallRequest request, CallBounds bounds) {
  (void)bounds;
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  if (env_.options.sessions != nullptr) {
    env_.options.sessions->End(env_.options.tenant_id, request.context().call_id());
  }
  const std::string tenant = env_.options.tenant_id;
  const std::string call = request.context().call_id();
  const absl::Status ended =
      co_await env_.store.Run([&](Store& store) { return store.EndVerifications(tenant, call); });
  PAYVOX_CO_RETURN_IF_ERROR(ended);
  v1::EndCallResponse response;
  response.set_say("Thanks for calling. Goodbye.");
  co_return response;
}

}  // namespace payvox
