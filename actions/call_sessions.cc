#include "actions/call_sessions.h"

#include <initializer_list>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

// Heap is what a string holds beyond its inline buffer.
size_t Heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
size_t Heap(std::initializer_list<const std::string*> strings) {
  size_t total = 0;
  for (const std::string* s : strings) total += Heap(*s);
  return total;
}
size_t Heap(const stripe::Metadata& metadata) {
  size_t total = metadata.capacity() * sizeof(metadata[0]);
  for (const auto& [key, value] : metadata) total += Heap(key) + Heap(value);
  return total;
}

size_t Bytes(const stripe::Card& card) { return Heap({&card.brand, &card.last4}); }
size_t Bytes(const stripe::Customer& c) {
  return sizeof(c) + Heap({&c.id, &c.name, &c.email, &c.phone});
}
size_t Bytes(const stripe::PaymentMethod& m) {
  return sizeof(m) + Heap({&m.id, &m.type, &m.customer}) + Bytes(m.card);
}
size_t Bytes(const stripe::Charge& c) {
  return sizeof(c) +
         Heap({&c.id, &c.currency, &c.customer, &c.description, &c.invoice, &c.payment_intent,
               &c.status, &c.failure_code, &c.failure_message, &c.risk_level, &c.outcome_reason}) +
         Bytes(c.card);
}
size_t Bytes(const stripe::Refund& r) {
  return sizeof(r) +
         Heap({&r.id, &r.currency, &r.charge, &r.payment_intent, &r.reason, &r.status}) +
         Heap(r.metadata);
}
size_t Bytes(const stripe::Price& p) {
  return Heap({&p.id, &p.product, &p.currency, &p.nickname, &p.type, &p.interval});
}
size_t Bytes(const stripe::Subscription& s) {
  size_t total = sizeof(s) +
                 Heap({&s.id, &s.customer, &s.status, &s.pause_behavior, &s.latest_invoice}) +
                 Heap(s.metadata) + s.items.capacity() * sizeof(stripe::SubscriptionItem);
  for (const stripe::SubscriptionItem& item : s.items) total += Heap(item.id) + Bytes(item.price);
  return total;
}
size_t Bytes(const stripe::Invoice& i) {
  size_t total = sizeof(i) +
                 Heap({&i.id, &i.customer, &i.subscription, &i.number, &i.status, &i.currency,
                       &i.hosted_invoice_url}) +
                 i.lines.capacity() * sizeof(stripe::InvoiceLine);
  for (const stripe::InvoiceLine& line : i.lines) {
    total += Heap({&line.id, &line.currency, &line.description, &line.price});
  }
  return total;
}
template <typename T>
size_t Bytes(const stripe::List<T>& list) {
  size_t total = sizeof(list) + (list.data.capacity() - list.data.size()) * sizeof(T);
  for (const T& item : list.data) total += Bytes(item);
  return total;
}

// A held fact's key and its bookkeeping cost this much beyond the value.
constexpr size_t kFactOverhead = 96;

}  // namespace

size_t ApproxBytes(const FactValue& value) {
  return std::visit([](const auto& held) { return Bytes(held); }, value);
}

absl::Status ValidateCallSessionOptions(const CallSessionOptions& options) {
  if (options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("call_sessions.idle_timeout must be positive");
  }
  if (options.money_fresh_for < absl::ZeroDuration() ||
      options.account_fresh_for < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("call_sessions freshness limits must not be negative");
  }
  if (options.max_session_bytes == 0 || options.max_total_bytes < options.max_session_bytes) {
    return absl::InvalidArgumentError(
        "call_sessions.max_session_bytes must be positive and at most max_total_bytes");
  }
  return absl::OkStatus();
}

// --- CallSession ---

CallSession::CallSession(CallSessions* owner, std::string tenant_id, std::string call_id)
    : owner_(owner), tenant_id_(std::move(tenant_id)), call_id_(std::move(call_id)) {}

std::string CallSession::customer_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return customer_id_;
}

void CallSession::set_customer_id(std::string customer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  customer_id_ = std::move(customer_id);
}

CallSummary CallSession::summary() const {
  std::lock_guard<std::mutex> lock(mu_);
  return summary_;
}

void CallSession::Summarize(const std::function<void(CallSummary&)>& update) {
  std::lock_guard<std::mutex> lock(mu_);
  update(summary_);
}

CallSession::Claim CallSession::ClaimFact(const std::string& key, Freshness freshness,
                                          ClaimMode mode) {
  const absl::Time now = owner_->clock().Now();
  const absl::Duration fresh_for = freshness == Freshness::kMoney
                                       ? owner_->options().money_fresh_for
                                       : owner_->options().account_fresh_for;
  Claim claim;
  bool resized = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return claim;  // kMiss: the session ended; read through
    Fact& fact = facts_[key];
    const bool stale = now - fact.fetched > fresh_for;
    if (fact.value.has_value() && (stale || (mode == ClaimMode::kRefresh && !fact.fetch))) {
      bytes_ -= fact.bytes;
      fact.value.reset();
      fact.bytes = 0;
      resized = true;
    }
    if (fact.value.has_value()) {
      claim.kind = Claim::kHit;
      claim.value = fact.value;
    } else if (fact.fetch != nullptr) {
      claim.kind = Claim::kWait;
      claim.fetch = fact.fetch;
    } else if (mode != ClaimMode::kHeldOnly) {
      claim.kind = Claim::kFetch;
      fact.fetch = std::make_shared<Fetch>();
      claim.fetch = fact.fetch;
    } else {
      facts_.erase(key);
    }
  }
  if (resized) Resized();
  return claim;
}

bool CallSession::Complete(const std::string& key, const std::shared_ptr<Fetch>& fetch,
                           std::optional<FactValue> value) {
  bool current = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = facts_.find(key);
    current = !closed_ && it != facts_.end() && it->second.fetch == fetch;
    if (current) {
      Fact& fact = it->second;
      fact.fetch = nullptr;
      const size_t bytes = value.has_value() ? ApproxBytes(*value) + kFactOverhead : 0;
      if (value.has_value() && bytes_ + bytes <= owner_->options().max_session_bytes) {
        fact.value = std::move(value);
        fact.fetched = owner_->clock().Now();
        fact.bytes = bytes;
        bytes_ += bytes;
      } else {
        facts_.erase(it);
      }
    }
  }
  fetch->done.Set();
  if (current) Resized();
  return current;
}

void CallSession::Put(const std::string& key, FactValue value) {
  std::shared_ptr<Fetch> superseded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    Fact& fact = facts_[key];
    superseded = std::move(fact.fetch);
    bytes_ -= fact.bytes;
    fact.bytes = ApproxBytes(value) + kFactOverhead;
    if (bytes_ + fact.bytes > owner_->options().max_session_bytes) {
      facts_.erase(key);
    } else {
      fact.value = std::move(value);
      fact.fetched = owner_->clock().Now();
      bytes_ += fact.bytes;
    }
  }
  if (superseded != nullptr) superseded->done.Set();
  Resized();
}

void CallSession::Change(const std::string& key, const std::function<bool(FactValue&)>& change) {
  ChangeWhere([&](const std::string& held) { return held == key; }, change);
}

void CallSession::ChangeAll(const std::string& prefix,
                            const std::function<bool(FactValue&)>& change) {
  ChangeWhere([&](const std::string& held) { return absl::StartsWith(held, prefix); }, change);
}

void CallSession::ChangeWhere(const std::function<bool(const std::string&)>& matches,
                              const std::function<bool(FactValue&)>& change) {
  std::vector<std::shared_ptr<Fetch>> superseded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = facts_.begin(); it != facts_.end();) {
      Fact& fact = it->second;
      if (!matches(it->first)) {
        ++it;
        continue;
      }
      if (fact.fetch != nullptr) superseded.push_back(std::move(fact.fetch));
      bool keep = false;
      if (fact.value.has_value()) {
        bytes_ -= fact.bytes;
        keep = change(*fact.value);
        fact.bytes = keep ? ApproxBytes(*fact.value) + kFactOverhead : 0;
        bytes_ += fact.bytes;
      }
      if (keep) {
        ++it;
      } else {
        facts_.erase(it++);
      }
    }
  }
  for (const auto& fetch : superseded) fetch->done.Set();
  Resized();
}

void CallSession::Drop(const std::string& key) {
  Change(key, [](FactValue&) { return false; });
}

void CallSession::DropAll(const std::string& prefix) {
  ChangeAll(prefix, [](FactValue&) { return false; });
}

bool CallSession::FirstSeen(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_.insert(id).second;
}

size_t CallSession::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void CallSession::Resized() { owner_->Resize(*this); }

void CallSession::Close() {
  std::vector<std::shared_ptr<Fetch>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& [key, fact] : facts_) {
      if (fact.fetch != nullptr) waiting.push_back(std::move(fact.fetch));
    }
    facts_.clear();
    bytes_ = 0;
  }
  cancel_->Cancel();
  for (const auto& fetch : waiting) fetch->done.Set();
  prefetched_.Set();
}

// --- CallSessions ---

CallSessions::CallSessions(const Clock& clock, CallSessionOptions options)
    : clock_(clock), options_(std::move(options)) {
  metrics::Registry* registry = options_.metrics;
  if (registry == nullptr) return;
  reads_ = &registry->AddCounter(
      "payvox_call_session_reads_total",
      "Reads inside a call session, by catalog action and result (hit: answered from the "
      "session; wait: waited for a fetch under way; miss: fetched from Stripe)",
      {"action", "result"});
  evictions_ = &registry->AddCounter("payvox_call_session_evictions_total",
                                     "Call sessions ended before EndCall, by reason (idle, memory)",
                                     {"reason"});
  prefetch_ = &registry->AddHistogram("payvox_call_session_prefetch_seconds",
                                      "Time BeginCall took to fetch the caller's account", {},
                                      metrics::LatencyBuckets());
  registry->AddGaugeCallback(
      "payvox_call_sessions_active", "Call sessions held", [this] { return double(active()); },
      this);
  registry->AddGaugeCallback(
      "payvox_call_session_bytes", "Memory held by call sessions (estimated)",
      [this] { return double(total_bytes()); }, this);
}

CallSessions::~CallSessions() {
  if (options_.metrics != nullptr) options_.metrics->RemoveCallbacks(this);
  std::vector<std::shared_ptr<CallSession>> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, slot] : sessions_) ended.push_back(std::move(slot.session));
    sessions_.clear();
    lru_.clear();
  }
  for (const auto& session : ended) session->Close();
}

std::pair<std::shared_ptr<CallSession>, bool> CallSessions::Begin(const std::string& tenant_id,
                                                                  const std::string& call_id) {
  if (call_id.empty()) return {nullptr, false};
  const absl::Time now = clock_.Now();
  std::vector<std::shared_ptr<CallSession>> ended;
  std::pair<std::shared_ptr<CallSession>, bool> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SweepIdleLocked(now, ended);
    Key key(tenant_id, call_id);
    auto [it, inserted] = sessions_.try_emplace(key);
    Slot& slot = it->second;
    if (inserted) {
      slot.session = std::make_shared<CallSession>(this, tenant_id, call_id);
      slot.lru = lru_.insert(lru_.end(), std::move(key));
    } else {
      lru_.splice(lru_.end(), lru_, slot.lru);
    }
    slot.last_used = now;
    result = {slot.session, inserted};
  }
  for (const auto& session : ended) session->Close();
  return result;
}

std::shared_ptr<CallSession> CallSessions::Find(const std::string& tenant_id,
                                                const std::string& call_id) {
  if (call_id.empty()) return nullptr;
  const absl::Time now = clock_.Now();
  std::vector<std::shared_ptr<CallSession>> ended;
  std::shared_ptr<CallSession> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SweepIdleLocked(now, ended);
    auto it = sessions_.find(Key(tenant_id, call_id));
    if (it != sessions_.end()) {
      lru_.splice(lru_.end(), lru_, it->second.lru);
      it->second.last_used = now;
      found = it->second.session;
    }
  }
  for (const auto& session : ended) session->Close();
  return found;
}

bool CallSessions::End(const std::string& tenant_id, const std::string& call_id) {
  std::shared_ptr<CallSession> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(Key(tenant_id, call_id));
    if (it == sessions_.end()) return false;
    ended = RemoveLocked(it, nullptr);
  }
  ended->Close();
  return true;
}

void CallSessions::EndTenant(const std::string& tenant_id) {
  std::vector<std::shared_ptr<CallSession>> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto next = std::next(it);
      if (it->first.first == tenant_id) ended.push_back(RemoveLocked(it, nullptr));
      it = next;
    }
  }
  for (const auto& session : ended) session->Close();
}

namespace {

// Touched: what an event makes stale in a session: exact keys and key
// prefixes.
struct Touched {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;
};

Touched TouchedBy(const v1::PaymentEvent& event) {
  const std::string& type = event.type();
  const std::string& object = event.object_id();
  const std::string& customer = event.customer_id();
  // The customer's facts of a kind, or every customer's when the event
  // names none. `per_status`: the kind is held once per status filter.
  auto customer_list = [&](Touched& touched, const char* kind, bool per_status = false) {
    if (customer.empty()) {
      touched.prefixes.push_back(absl::StrCat(kind, ":"));
    } else if (per_status) {
      touched.prefixes.push_back(absl::StrCat(kind, ":", customer, ":"));
    } else {
      touched.keys.push_back(absl::StrCat(kind, ":", customer));
    }
  };
  Touched touched;
  if (absl::StartsWith(type, "charge.") || absl::StartsWith(type, "refund.") ||
      absl::StartsWith(type, "payment_intent.")) {
    if (absl::StartsWith(object, "ch_") || absl::StartsWith(object, "py_")) {
      touched.keys.push_back(absl::StrCat("charge:", object));
      touched.keys.push_back(absl::StrCat("refunds:", object));
    } else {
      // A refund, dispute or payment intent: which charge it changed is not
      // in the event's summary, so every held charge may be stale.
      touched.prefixes.push_back("charge:");
      touched.prefixes.push_back("refunds:");
    }
    customer_list(touched, "charges");
  } else if (absl::StartsWith(type, "customer.subscription.")) {
    touched.keys.push_back(absl::StrCat("subscription:", object));
    customer_list(touched, "subscriptions");
    customer_list(touched, "upcoming");
  } else if (absl::StartsWith(type, "invoice.") || absl::StartsWith(type, "invoiceitem.")) {
    touched.keys.push_back(absl::StrCat("invoice:", object));
    customer_list(touched, "invoices", /*per_status=*/true);
    customer_list(touched, "upcoming");
  } else if (absl::StartsWith(type, "payment_method.") ||
             absl::StartsWith(type, "customer.source.")) {
    // A detached method no longer names its customer.
    if (type == "payment_method.attached" && !customer.empty()) {
      touched.keys.push_back(absl::StrCat("cards:", customer));
    } else {
      touched.prefixes.push_back("cards:");
    }
  } else if (absl::StartsWith(type, "customer.")) {
    const std::string& id = absl::StartsWith(object, "cus_") ? object : customer;
    touched.keys.push_back(absl::StrCat("customer:", id));
    touched.prefixes.push_back("email:");
    touched.prefixes.push_back("phone:");
  }
  return touched;
}

}  // namespace

void CallSessions::Forget(const std::string& tenant_id, const v1::PaymentEvent& event,
                          const CallSession* except) {
  const Touched touched = TouchedBy(event);
  if (touched.keys.empty() && touched.prefixes.empty()) return;
  std::vector<std::shared_ptr<CallSession>> sessions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, slot] : sessions_) {
      if (key.first == tenant_id && slot.session.get() != except) sessions.push_back(slot.session);
    }
  }
  for (const auto& session : sessions) {
    for (const std::string& key : touched.keys) session->Drop(key);
    for (const std::string& prefix : touched.prefixes) session->DropAll(prefix);
  }
}

void CallSessions::CountRead(const std::string& action, const char* result) {
  if (reads_ != nullptr) reads_->With({action, result}).Increment();
}

void CallSessions::PrefetchTook(absl::Duration elapsed) {
  if (prefetch_ != nullptr) prefetch_->With().Observe(absl::ToDoubleSeconds(elapsed));
}

size_t CallSessions::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

size_t CallSessions::total_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_bytes_;
}

void CallSessions::Resize(const CallSession& session) {
  std::vector<std::shared_ptr<CallSession>> ended;
  {
    // Lock order: the registry, then a session (sessions never call in
    // here while holding their own lock).
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(Key(session.tenant_id(), session.call_id()));
    if (it == sessions_.end() || it->second.session.get() != &session) return;
    const size_t bytes = session.bytes();
    total_bytes_ = total_bytes_ - it->second.bytes + bytes;
    it->second.bytes = bytes;
    // The least recently used go first; the session growing stays.
    auto lru = lru_.begin();
    while (total_bytes_ > options_.max_total_bytes && lru != lru_.end()) {
      auto victim = sessions_.find(*lru);
      ++lru;
      if (victim->second.session.get() == &session) continue;
      ended.push_back(RemoveLocked(victim, "memory"));
    }
  }
  for (const auto& victim : ended) victim->Close();
}

std::shared_ptr<CallSession> CallSessions::RemoveLocked(absl::flat_hash_map<Key, Slot>::iterator it,
                                                        const char* reason) {
  std::shared_ptr<CallSession> session = std::move(it->second.session);
  total_bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  sessions_.erase(it);
  if (reason != nullptr && evictions_ != nullptr) evictions_->With({reason}).Increment();
  return session;
}

void CallSessions::SweepIdleLocked(absl::Time now,
                                   std::vector<std::shared_ptr<CallSession>>& ended) {
  while (!lru_.empty()) {
    auto it = sessions_.find(lru_.front());
    if (now - it->second.last_used < options_.idle_timeout) break;
    ended.push_back(RemoveLocked(it, "idle"));
  }
}

}  // namespace payvox
