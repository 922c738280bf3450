#include "actions/call_facts.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "client/search_query.h"

namespace payvox {
namespace {

using Mode = CallSession::ClaimMode;

// Enough: whether a held list answers a request for `limit` items.
template <typename T>
bool Enough(const stripe::List<T>& held, int limit) {
  return !held.has_more || static_cast<int>(held.data.size()) >= limit;
}

// FirstOf is the first `limit` items of a held list, as Stripe would page
// them.
template <typename T>
stripe::List<T> FirstOf(stripe::List<T> held, int limit) {
  if (static_cast<int>(held.data.size()) > limit) {
    held.data.resize(limit);
    held.has_more = true;
  }
  return held;
}

// UpTo is how a held list answers a request for `limit` items.
template <typename T>
auto UpTo(int limit) {
  return [limit](const stripe::List<T>& held) -> std::optional<stripe::List<T>> {
    if (!Enough(held, limit)) return std::nullopt;
    return FirstOf(held, limit);
  };
}

// AnswerFrom is what a fetched fact says to the request: the fetch asked for
// at least what the request wants (a list may hold more).
template <typename T, typename AnswerFn>
absl::StatusOr<T> AnswerFrom(absl::StatusOr<T> fetched, const AnswerFn& answer) {
  if (!fetched.ok()) return fetched;
  std::optional<T> answered = answer(*fetched);
  if (answered.has_value()) return *std::move(answered);
  return fetched;
}

// FetchGuard completes a claimed fetch with nothing when the reader's
// coroutine ends before Stripe answered (cancelled, or destroyed at
// shutdown), so the fetch's waiters never wait for it in vain.
class FetchGuard {
 public:
  FetchGuard(std::shared_ptr<CallSession> session, std::string key,
             std::shared_ptr<CallSession::Fetch> fetch)
      : session_(std::move(session)), key_(std::move(key)), fetch_(std::move(fetch)) {}
  FetchGuard(const FetchGuard&) = delete;
  FetchGuard& operator=(const FetchGuard&) = delete;
  ~FetchGuard() {
    if (fetch_ != nullptr) session_->Complete(key_, fetch_, std::nullopt);
  }

  // Complete keeps `value`; false when a change superseded the fetch.
  bool Complete(std::optional<FactValue> value) {
    const bool current = session_->Complete(key_, fetch_, std::move(value));
    fetch_ = nullptr;
    return current;
  }

 private:
  std::shared_ptr<CallSession> session_;
  std::string key_;
  std::shared_ptr<CallSession::Fetch> fetch_;
};

}  // namespace

CallFacts::CallFacts(stripe::StripeApi& stripe, CallSessions* sessions, std::string tenant_id,
                     std::shared_ptr<CallSession> session, std::string action)
    : stripe_(&stripe),
      sessions_(sessions),
      tenant_id_(std::move(tenant_id)),
      session_(sessions == nullptr ? nullptr : std::move(session)),
      action_(std::move(action)) {}

void CallFacts::Count(const char* result) const {
  if (sessions_ != nullptr) sessions_->CountRead(action_, result);
}

boost::asio::awaitable<absl::Status> CallFacts::Wait(std::shared_ptr<CallSession::Fetch> fetch,
                                                     const CallBounds& bounds) {
  const absl::Duration left = bounds.deadline == absl::InfiniteFuture()
                                  ? absl::Minutes(1)
                                  : bounds.deadline - sessions_->clock().Now();
  switch (co_await fetch->done.Wait(left, bounds.cancel.get())) {
    case WaitResult::kSet:
      co_return absl::OkStatus();
    case WaitResult::kCancelled:
      co_return absl::CancelledError("the call was cancelled while its data was being fetched");
    case WaitResult::kTimedOut:
      break;
  }
  co_return absl::DeadlineExceededError(
      "Stripe had not answered the call's prefetch before the deadline; retry");
}

template <typename T, typename Fetch, typename Answer>
stripe::Async<T> CallFacts::Read(std::string key, Freshness freshness, CallBounds bounds,
                                 Fetch fetch, Answer answer) {
  // Each round answers, or waits for a fetch that then ended. A reader
  // whose own fetch a change superseded fetches again, so what it returns
  // is not older than that change. Bounded; then it reads through.
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    CallSession::Claim claim = session_->ClaimFact(key, freshness);
    if (claim.kind == CallSession::Claim::kHit) {
      std::optional<T> answered = answer(std::get<T>(*claim.value));
      if (answered.has_value()) {
        if (round == 0) Count("hit");
        co_return *std::move(answered);
      }
      // Held, but it does not answer this request (a longer list).
      claim = session_->ClaimFact(key, freshness, Mode::kRefresh);
    }
    if (claim.kind == CallSession::Claim::kWait) {
      if (round == 0) Count("wait");
      const absl::Status waited = co_await Wait(claim.fetch, bounds);
      if (!waited.ok()) co_return waited;
      continue;
    }
    if (claim.kind != CallSession::Claim::kFetch) break;  // the session ended
    if (round == 0) Count("miss");
    FetchGuard guard(session_, key, claim.fetch);
    absl::StatusOr<T> fetched = co_await fetch();
    const bool current =
        guard.Complete(fetched.ok() ? std::optional<FactValue>(*fetched) : std::nullopt);
    if (!fetched.ok() || current) co_return AnswerFrom(std::move(fetched), answer);
  }
  // Read through (the session ended, or changes kept superseding).
  absl::StatusOr<T> fetched = co_await fetch();
  co_return AnswerFrom(std::move(fetched), answer);
}

template <typename T, typename Fetch>
stripe::Async<T> CallFacts::Read(std::string key, Freshness freshness, CallBounds bounds,
                                 Fetch fetch) {
  co_return co_await Read<T>(std::move(key), freshness, std::move(bounds), std::move(fetch),
                             [](const T& held) { return std::optional<T>(held); });
}

boost::asio::awaitable<std::optional<FactValue>> CallFacts::Held(std::string key,
                                                                 Freshness freshness,
                                                                 CallBounds bounds) {
  if (session_ == nullptr) co_return std::nullopt;
  for (int round = 0; round < 3; ++round) {
    CallSession::Claim claim = session_->ClaimFact(key, freshness, Mode::kHeldOnly);
    if (claim.kind == CallSession::Claim::kHit) co_return std::move(claim.value);
    if (claim.kind != CallSession::Claim::kWait) break;
    const absl::Status waited = co_await Wait(claim.fetch, bounds);
    if (!waited.ok()) break;
  }
  co_return std::nullopt;
}

template <typename T, typename Fetch>
stripe::Async<T> CallFacts::ById(std::string key, std::string list_key, std::string id,
                                 CallBounds bounds, Fetch fetch) {
  std::optional<FactValue> held = co_await Held(key, Freshness::kMoney, bounds);
  if (held.has_value()) {
    Count("hit");
    co_return std::get<T>(*std::move(held));
  }
  std::optional<FactValue> list;
  if (!list_key.empty()) list = co_await Held(list_key, Freshness::kMoney, bounds);
  if (list.has_value()) {
    for (T& item : std::get<stripe::List<T>>(*list).data) {
      if (item.id != id) continue;
      Count("hit");
      co_return std::move(item);
    }
  }
  co_return co_await Read<T>(std::move(key), Freshness::kMoney, std::move(bounds),
                             std::move(fetch));
}

// --- Customers and cards ---

stripe::Async<stripe::Customer> CallFacts::GetCustomer(std::string customer_id,
                                                       stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->GetCustomer(std::move(customer_id), std::move(options));
  }
  const std::string key = absl::StrCat("customer:", customer_id);
  co_return co_await Read<stripe::Customer>(key, Freshness::kAccount, options.bounds, [&] {
    return stripe_->GetCustomer(customer_id, options);
  });
}

stripe::Async<stripe::List<stripe::Customer>> CallFacts::ListCustomersByEmail(
    std::string email, int limit, stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->ListCustomersByEmail(std::move(email), limit, std::move(options));
  }
  const std::string key = absl::StrCat("email:", email);
  co_return co_await Read<stripe::List<stripe::Customer>>(
      key, Freshness::kAccount, options.bounds,
      [&] { return stripe_->ListCustomersByEmail(email, std::max(limit, kHeldLists), options); },
      UpTo<stripe::Customer>(limit));
}

stripe::Async<stripe::List<stripe::Customer>> CallFacts::SearchCustomersByPhone(
    std::string phone, int limit, stripe::CallOptions options) {
  if (session_ == nullptr) {
    stripe::SearchQuery query;
    query.Equals("phone", phone);
    co_return co_await stripe_->SearchCustomers(std::move(query), limit, std::move(options));
  }
  const std::string key = absl::StrCat("phone:", phone);
  co_return co_await Read<stripe::List<stripe::Customer>>(
      key, Freshness::kAccount, options.bounds,
      [&] {
        stripe::SearchQuery query;
        query.Equals("phone", phone);
        return stripe_->SearchCustomers(std::move(query), std::max(limit, kHeldLists), options);
      },
      UpTo<stripe::Customer>(limit));
}

stripe::Async<stripe::List<stripe::PaymentMethod>> CallFacts::ListCards(
    std::string customer_id, stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->ListCards(std::move(customer_id), std::move(options));
  }
  const std::string key = absl::StrCat("cards:", customer_id);
  co_return co_await Read<stripe::List<stripe::PaymentMethod>>(
      key, Freshness::kAccount, options.bounds,
      [&] { return stripe_->ListCards(customer_id, options); });
}

// --- Charges and refunds ---

stripe::Async<stripe::List<stripe::Charge>> CallFacts::ListCharges(stripe::ChargeFilter filter,
                                                                   stripe::CallOptions options) {
  if (session_ == nullptr || filter.customer.empty() || !filter.payment_intent.empty() ||
      !filter.starting_after.empty()) {
    co_return co_await stripe_->ListCharges(std::move(filter), std::move(options));
  }
  const std::string key = absl::StrCat("charges:", filter.customer);
  const int limit = filter.limit;
  co_return co_await Read<stripe::List<stripe::Charge>>(
      key, Freshness::kMoney, options.bounds,
      [&] {
        stripe::ChargeFilter held = filter;
        held.limit = std::max(limit, kHeldCharges);
        return stripe_->ListCharges(std::move(held), options);
      },
      UpTo<stripe::Charge>(limit));
}

stripe::Async<stripe::Charge> CallFacts::GetCharge(std::string charge_id,
                                                   stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->GetCharge(std::move(charge_id), std::move(options));
  }
  // The object by itself, else in the call's customer's held list (named
  // first: GCC 12 mishandles a conditional's temporaries in co_await).
  const std::string customer = session_->customer_id();
  std::string list_key = customer.empty() ? std::string() : absl::StrCat("charges:", customer);
  std::string key = absl::StrCat("charge:", charge_id);
  co_return co_await ById<stripe::Charge>(std::move(key), std::move(list_key), charge_id,
                                          options.bounds,
                                          [&] { return stripe_->GetCharge(charge_id, options); });
}

stripe::Async<stripe::List<stripe::Refund>> CallFacts::ListRefunds(std::string charge_id, int limit,
                                                                   stripe::CallOptions options) {
  if (session_ == nullptr || (!charge_id.starts_with("ch_") && !charge_id.starts_with("py_"))) {
    co_return co_await stripe_->ListRefunds(std::move(charge_id), limit, std::move(options));
  }
  const std::string key = absl::StrCat("refunds:", charge_id);
  co_return co_await Read<stripe::List<stripe::Refund>>(
      key, Freshness::kMoney, options.bounds,
      [&] { return stripe_->ListRefunds(charge_id, std::max(limit, kHeldLists), options); },
      UpTo<stripe::Refund>(limit));
}

// --- Subscriptions and invoices ---

stripe::Async<stripe::List<stripe::Subscription>> CallFacts::ListSubscriptions(
    std::string customer_id, int limit, stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->ListSubscriptions(std::move(customer_id), limit,
                                                  std::move(options));
  }
  const std::string key = absl::StrCat("subscriptions:", customer_id);
  co_return co_await Read<stripe::List<stripe::Subscription>>(
      key, Freshness::kMoney, options.bounds,
      [&] {
        return stripe_->ListSubscriptions(customer_id, std::max(limit, kHeldSubscriptions),
                                          options);
      },
      UpTo<stripe::Subscription>(limit));
}

stripe::Async<stripe::Subscription> CallFacts::GetSubscription(std::string subscription_id,
                                                               stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->GetSubscription(std::move(subscription_id), std::move(options));
  }
  // The object by itself, else in the call's customer's held list (named
  // first: GCC 12 mishandles a conditional's temporaries in co_await).
  const std::string customer = session_->customer_id();
  std::string list_key =
      customer.empty() ? std::string() : absl::StrCat("subscriptions:", customer);
  std::string key = absl::StrCat("subscription:", subscription_id);
  co_return co_await ById<stripe::Subscription>(
      std::move(key), std::move(list_key), subscription_id, options.bounds,
      [&] { return stripe_->GetSubscription(subscription_id, options); });
}

stripe::Async<stripe::List<stripe::Invoice>> CallFacts::ListInvoices(std::string customer_id,
                                                                     std::string status, int limit,
                                                                     stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->ListInvoices(std::move(customer_id), std::move(status), limit,
                                             std::move(options));
  }
  const std::string key = absl::StrCat("invoices:", customer_id, ":", status);
  co_return co_await Read<stripe::List<stripe::Invoice>>(
      key, Freshness::kMoney, options.bounds,
      [&] {
        return stripe_->ListInvoices(customer_id, status, std::max(limit, kHeldLists), options);
      },
      UpTo<stripe::Invoice>(limit));
}

stripe::Async<stripe::Invoice> CallFacts::GetInvoice(std::string invoice_id,
                                                     stripe::CallOptions options) {
  if (session_ == nullptr) {
    co_return co_await stripe_->GetInvoice(std::move(invoice_id), std::move(options));
  }
  // The object by itself, else in the call's customer's held list (named
  // first: GCC 12 mishandles a conditional's temporaries in co_await).
  const std::string customer = session_->customer_id();
  std::string list_key =
      customer.empty() ? std::string() : absl::StrCat("invoices:", customer, ":open");
  std::string key = absl::StrCat("invoice:", invoice_id);
  co_return co_await ById<stripe::Invoice>(
      std::move(key), std::move(list_key), invoice_id, options.bounds,
      [&] { return stripe_->GetInvoice(invoice_id, options); });
}

stripe::Async<stripe::Invoice> CallFacts::PreviewInvoice(stripe::InvoicePreview preview,
                                                         stripe::CallOptions options) {
  if (session_ == nullptr || !preview.subscription.empty() || !preview.item_id.empty() ||
      !preview.price_id.empty() || preview.proration_date != 0 ||
      !preview.proration_behavior.empty()) {
    co_return co_await stripe_->PreviewInvoice(std::move(preview), std::move(options));
  }
  const std::string key = absl::StrCat("upcoming:", preview.customer);
  co_return co_await Read<stripe::Invoice>(key, Freshness::kMoney, options.bounds, [&] {
    return stripe_->PreviewInvoice(preview, options);
  });
}

// --- Writes' answers ---

void CallFacts::Elsewhere(const std::string& event_type, const std::string& object_id,
                          const std::string& customer_id) {
  if (sessions_ == nullptr) return;
  v1::PaymentEvent event;
  event.set_type(event_type);
  event.set_object_id(object_id);
  event.set_customer_id(customer_id);
  sessions_->Forget(tenant_id_, event, session_.get());
}

void CallFacts::Changed(const std::string& event_type, const std::string& object_id,
                        const std::string& customer_id) {
  if (sessions_ == nullptr) return;
  v1::PaymentEvent event;
  event.set_type(event_type);
  event.set_object_id(object_id);
  event.set_customer_id(customer_id);
  sessions_->Forget(tenant_id_, event);
}

void CallFacts::Refunded(const stripe::Refund& refund) {
  Elsewhere("charge.refunded", refund.charge, "");
  if (session_ == nullptr || refund.charge.empty() || !session_->FirstSeen(refund.id)) return;
  const std::string& charge_id = refund.charge;
  session_->Change(absl::StrCat("refunds:", charge_id), [&](FactValue& held) {
    auto& list = std::get<stripe::List<stripe::Refund>>(held).data;
    std::erase_if(list, [&](const stripe::Refund& r) { return r.id == refund.id; });
    list.insert(list.begin(), refund);  // newest first
    return true;
  });
  if (refund.status == "failed" || refund.status == "canceled") return;
  auto add = [&](stripe::Charge& charge) {
    charge.amount_refunded = std::min(charge.amount, charge.amount_refunded + refund.amount);
    charge.refunded = charge.amount_refunded >= charge.amount;
  };
  session_->Change(absl::StrCat("charge:", charge_id), [&](FactValue& held) {
    add(std::get<stripe::Charge>(held));
    return true;
  });
  session_->ChangeAll("charges:", [&](FactValue& held) {
    for (stripe::Charge& charge : std::get<stripe::List<stripe::Charge>>(held).data) {
      if (charge.id == charge_id) add(charge);
    }
    return true;
  });
}

void CallFacts::SubscriptionIs(const stripe::Subscription& subscription) {
  Elsewhere("customer.subscription.updated", subscription.id, subscription.customer);
  if (session_ == nullptr) return;
  session_->Put(absl::StrCat("subscription:", subscription.id), subscription);
  session_->Change(absl::StrCat("subscriptions:", subscription.customer), [&](FactValue& held) {
    auto& list = std::get<stripe::List<stripe::Subscription>>(held).data;
    // Stripe lists canceled subscriptions only when asked for them.
    std::erase_if(list, [&](const stripe::Subscription& s) {
      return s.id == subscription.id && subscription.status == "canceled";
    });
    for (stripe::Subscription& s : list) {
      if (s.id == subscription.id) s = subscription;
    }
    return true;
  });
  session_->Drop(absl::StrCat("upcoming:", subscription.customer));
}

void CallFacts::InvoiceIs(const stripe::Invoice& invoice) {
  Elsewhere("invoice.updated", invoice.id, invoice.customer);
  if (session_ == nullptr || invoice.id.empty()) return;
  session_->Put(absl::StrCat("invoice:", invoice.id), invoice);
  // Each held list of the customer's invoices, by its status filter: the
  // invoice is replaced where it still belongs, taken out where it no
  // longer does; a list it now joins is fetched again (its place in it is
  // Stripe's to say).
  for (const char* status : {"", "draft", "open", "paid", "uncollectible", "void"}) {
    const bool belongs = *status == '\0' || invoice.status == status;
    session_->Change(
        absl::StrCat("invoices:", invoice.customer, ":", status), [&](FactValue& held) {
          auto& list = std::get<stripe::List<stripe::Invoice>>(held).data;
          auto it =
              absl::c_find_if(list, [&](const stripe::Invoice& i) { return i.id == invoice.id; });
          if (it == list.end()) return !belongs;
          if (belongs) {
            *it = invoice;
          } else {
            list.erase(it);
          }
          return true;
        });
  }
  session_->Drop(absl::StrCat("upcoming:", invoice.customer));
}

}  // namespace payvox
