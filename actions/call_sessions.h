// call_sessions.h: what payvox holds for each live phone call, so reads in
// the call answer without a Stripe round trip.
//
//   CallSessions sessions(clock, {.metrics = &registry});
//   auto [session, created] = sessions.Begin("acme", "call-1");   // BeginCall
//   std::shared_ptr<CallSession> same = sessions.Find("acme", "call-1");
//   sessions.Forget("acme", event);   // a webhook touched what it holds
//   sessions.End("acme", "call-1");   // EndCall
//
// A session holds facts: Stripe objects and lists under a key
// ("charges:cus_1", "charge:ch_2"; actions/call_facts.h names them). A
// fact is held, being fetched (readers wait for that fetch instead of
// sending their own), or absent (the next reader fetches it). A fact is
// served while it is younger than its freshness limit; a webhook event
// (Forget) or a write payvox made (Change) replaces or drops it at once, and
// a fetch that was under way when that happened is not kept, so a read
// never returns data older than payvox's last write or last ingested event
// for the object. What no bound covers is a change made outside payvox
// whose webhook has not arrived yet: that window is the freshness limit.
//
// Sessions hold data, never trust: verification stays in the store. A
// session belongs to one tenant and call id; another tenant's same call id
// is another session. Sessions end with End, after `idle_timeout` without
// use, or when memory runs short (the least recently used goes first); an
// evicted session is only a miss, never an error.
//
// Thread-safe. Must outlive every coroutine that reads through a session.
#ifndef PAYVOX_ACTIONS_CALL_SESSIONS_H_
#define PAYVOX_ACTIONS_CALL_SESSIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/stripe_objects.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "payvox/v1/events.pb.h"

namespace payvox {

// FactValue is what a session can hold under one key.
using FactValue = std::variant<stripe::Customer, stripe::List<stripe::Customer>,
                               stripe::List<stripe::PaymentMethod>, stripe::Charge,
                               stripe::List<stripe::Charge>, stripe::List<stripe::Refund>,
                               stripe::Subscription, stripe::List<stripe::Subscription>,
                               stripe::Invoice, stripe::List<stripe::Invoice>>;

// ApproxBytes is the memory a fact takes (its structs and their strings),
// counted against the session and total bounds.
size_t ApproxBytes(const FactValue& value);

// Freshness: how long a fact is served without asking Stripe again.
enum class Freshness {
  kAccount,  // customers and cards
  kMoney,    // charges, refunds, subscriptions, invoices
};

struct CallSessionOptions {
  // A session unused this long ends.
  absl::Duration idle_timeout = absl::Minutes(30);
  absl::Duration money_fresh_for = absl::Seconds(60);
  absl::Duration account_fresh_for = absl::Minutes(5);
  // A fact that would take a session past this is answered but not kept.
  size_t max_session_bytes = 512 << 10;
  // Past this, least recently used sessions end.
  size_t max_total_bytes = 64 << 20;
  // Null: no metrics.
  metrics::Registry* metrics = nullptr;
};

// ValidateCallSessionOptions: INVALID_ARGUMENT naming the bad option.
absl::Status ValidateCallSessionOptions(const CallSessionOptions& options);

class CallSessions;

// CallSummary is what BeginCall found, as far as its fetches got.
struct CallSummary {
  // Customers that matched the hints; the matches when several (up to 10).
  int match_count = 0;
  std::vector<stripe::Customer> matches;
  bool card_on_file = false;
  int recent_charges = 0;
  int subscriptions = 0;
  int open_invoices = 0;
  // Every fetch finished (some may have failed: those are fetched on use).
  bool complete = false;
};

class CallSession {
 public:
  // Fetch is one fetch of a fact under way; Done() wakes its waiters.
  struct Fetch {
    AsyncEvent done;
  };
  // Claim tells a reader what to do about a key.
  struct Claim {
    enum Kind {
      kHit,    // `value` is the fact
      kWait,   // another reader is fetching it: wait on `fetch->done`, then claim again
      kFetch,  // fetch it, then Complete(key, fetch, ...)
      kMiss,   // absent, and the reader asked not to fetch it here
    } kind = kMiss;
    std::optional<FactValue> value;
    std::shared_ptr<Fetch> fetch;
  };

  CallSession(CallSessions* owner, std::string tenant_id, std::string call_id);

  const std::string& tenant_id() const { return tenant_id_; }
  const std::string& call_id() const { return call_id_; }
  // The customer the call is about, once BeginCall found exactly one.
  std::string customer_id() const;
  void set_customer_id(std::string customer_id);
  // Background fetches of the session stop when it ends.
  std::shared_ptr<const CancelSignal> cancel() const { return cancel_; }
  // Prefetched is set when BeginCall's fetches all finished.
  AsyncEvent& prefetched() { return prefetched_; }
  CallSummary summary() const;
  void Summarize(const std::function<void(CallSummary&)>& update);

  enum class ClaimMode {
    kFetch,     // an absent fact is the reader's to fetch
    kHeldOnly,  // an absent fact is kMiss
    kRefresh,   // a held fact too is the reader's to fetch again
  };
  // Claim looks `key` up. A held fact older than `freshness` allows is
  // dropped first.
  Claim ClaimFact(const std::string& key, Freshness freshness, ClaimMode mode = ClaimMode::kFetch);
  // Complete ends `fetch`: `value` is kept (when present, the fetch is still
  // the key's current one and the session has room) and waiters wake.
  // Returns false when the fetch was superseded (a write or event touched
  // the key meanwhile): its answer may predate that change.
  bool Complete(const std::string& key, const std::shared_ptr<Fetch>& fetch,
                std::optional<FactValue> value);
  // Put keeps `value` under `key` as fetched now (a write's answer).
  void Put(const std::string& key, FactValue value);
  // Change calls `change` on the fact held under `key`; it returns false to
  // drop the fact. A fetch under way for the key is superseded either way.
  // ChangeAll does the same for every key that starts with `prefix`.
  void Change(const std::string& key, const std::function<bool(FactValue&)>& change);
  void ChangeAll(const std::string& prefix, const std::function<bool(FactValue&)>& change);
  // Drop forgets `key`; DropAll every key that starts with `prefix`.
  void Drop(const std::string& key);
  void DropAll(const std::string& prefix);

  // FirstSeen is true the first time a write's answer `id` is applied, so
  // a replayed answer (the same refund again) is not counted twice.
  bool FirstSeen(const std::string& id);

  // Bytes held (for tests and metrics).
  size_t bytes() const;

 private:
  friend class CallSessions;
  struct Fact {
    std::optional<FactValue> value;
    absl::Time fetched;
    size_t bytes = 0;
    std::shared_ptr<Fetch> fetch;
  };

  // Resized tells the owner the session's size changed.
  void Resized();
  // ChangeWhere: Change over the keys `matches` accepts.
  void ChangeWhere(const std::function<bool(const std::string&)>& matches,
                   const std::function<bool(FactValue&)>& change);
  // Close cancels background fetches and wakes every waiter (End, eviction).
  void Close();

  CallSessions* owner_;
  const std::string tenant_id_;
  const std::string call_id_;
  const std::shared_ptr<CancelSignal> cancel_ = std::make_shared<CancelSignal>();
  AsyncEvent prefetched_;

  mutable std::mutex mu_;
  std::string customer_id_ ABSL_GUARDED_BY(mu_);
  CallSummary summary_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Fact> facts_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<std::string> applied_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class CallSessions {
 public:
  // `clock` must outlive the sessions.
  CallSessions(const Clock& clock, CallSessionOptions options);
  ~CallSessions();
  CallSessions(const CallSessions&) = delete;
  CallSessions& operator=(const CallSessions&) = delete;

  // Begin returns the call's session, making it when there is none (then
  // `second` is true). An empty call id has no session (null).
  std::pair<std::shared_ptr<CallSession>, bool> Begin(const std::string& tenant_id,
                                                      const std::string& call_id);
  // Find returns the call's live session, or null.
  std::shared_ptr<CallSession> Find(const std::string& tenant_id, const std::string& call_id);
  // End drops the call's session; false when there was none.
  bool End(const std::string& tenant_id, const std::string& call_id);
  // EndTenant drops every session of a tenant (its Stripe account changed).
  void EndTenant(const std::string& tenant_id);
  // Forget applies a webhook event of `tenant_id` to its sessions (all but
  // `except`, which may be null): what the event touches is dropped, to be
  // fetched again on first use. payvox's own writes are applied the same
  // way to the tenant's other calls' sessions.
  void Forget(const std::string& tenant_id, const v1::PaymentEvent& event,
              const CallSession* except = nullptr);

  // Counted reads, by catalog action and result (hit, miss, wait).
  void CountRead(const std::string& action, const char* result);
  // PrefetchTook records BeginCall's fetch time.
  void PrefetchTook(absl::Duration elapsed);

  const Clock& clock() const { return clock_; }
  const CallSessionOptions& options() const { return options_; }
  size_t active() const;
  size_t total_bytes() const;

 private:
  friend class CallSession;
  using Key = std::pair<std::string, std::string>;
  struct Slot {
    std::shared_ptr<CallSession> session;
    std::list<Key>::iterator lru;
    absl::Time last_used;
    size_t bytes = 0;
  };

  // Resize counts `session`'s bytes again and ends least recently used
  // sessions while the total is over its bound.
  void Resize(const CallSession& session);
  // Remove ends `it`'s session (`reason` for the eviction metric; null for
  // End). Returns it for closing outside the lock.
  std::shared_ptr<CallSession> RemoveLocked(absl::flat_hash_map<Key, Slot>::iterator it,
                                            const char* reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SweepIdleLocked(absl::Time now, std::vector<std::shared_ptr<CallSession>>& ended)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const CallSessionOptions options_;

  mutable std::mutex mu_;
  absl::flat_hash_map<Key, Slot> sessions_ ABSL_GUARDED_BY(mu_);
  std::list<Key> lru_ ABSL_GUARDED_BY(mu_);  // least recently used first
  size_t total_bytes_ ABSL_GUARDED_BY(mu_) = 0;

  metrics::Family<metrics::Counter>* reads_ = nullptr;
  metrics::Family<metrics::Counter>* evictions_ = nullptr;
  metrics::Family<metrics::Histogram>* prefetch_ = nullptr;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CALL_SESSIONS_H_
