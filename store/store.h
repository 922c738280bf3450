// store.h: payvox's durable state behind one interface.
//
// Holds per-call verification state, tenant policies, the audit trail (an
// append-only hash chain per tenant), limit reservations, approvals and
// idempotency records (the answers of write requests, for their retries).
// Tenants, events and hand-off sessions join it in later work. Every method
// is thread-safe and atomic on its own; callers run them off the I/O threads
// through StoreExecutor (store/store_executor.h).
//
// Implementations: SqliteStore (store/sqlite_store.h), on a file or in
// memory, for one payvoxd; PostgresStore (store/postgres_store.h), shared by
// several replicas.
#ifndef PAYVOX_STORE_STORE_H_
#define PAYVOX_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "payvox/v1/admin.pb.h"
#include "payvox/v1/config.pb.h"
#include "payvox/v1/events.pb.h"

namespace payvox {

// VerificationKey binds a verification to one customer in one call.
struct VerificationKey {
  std::string tenant_id;
  std::string call_id;
  std::string customer_id;
};

struct VerificationState {
  // Attempts taken in this call for this customer, successful ones included.
  int attempts_used = 0;
  // The caller counts as verified until then.
  absl::Time verified_until = absl::InfinitePast();
};

// UsageKey names one running total: a kind of spending ("refund",
// "coupon") of one tenant in one currency on one UTC day ("2026-11-23").
// The kinds of usage rows the actions reserve against: refunded amounts
// per currency, and coupons (counted, currency "*").
inline constexpr char kRefundUsage[] = "refund";
inline constexpr char kCouponUsage[] = "coupon";

struct UsageKey {
  std::string tenant_id;
  std::string kind;
  std::string currency;
  std::string day;
};

struct Usage {
  // Committed and pending reservations of the tenant.
  int64_t tenant_total = 0;
  int64_t tenant_count = 0;
  // The same for one customer (when asked).
  int64_t customer_total = 0;
};

// ReservationRequest reserves `amount` against limits checked atomically
// with the insert: the sum over the tenant (and over the customer) plus
// `amount` must stay within the given limits (nullopt: no limit).
struct ReservationRequest {
  UsageKey key;
  // A second reservation with the same non-empty key (a retried request)
  // returns the first one's id and reserves nothing more; it marks the
  // reservation attempted now (so a reconciler settling the earlier attempt
  // leaves it to this one) and extends its expiry to this request's.
  std::string idempotency_key;
  std::string customer_id;
  int64_t amount = 0;
  std::optional<int64_t> tenant_limit;
  std::optional<int64_t> customer_limit;
  // Reservations left pending this long are released by ExpireReservations.
  absl::Time expires_at = absl::InfiniteFuture();
};

// StoredApproval is an approval and the action it holds: `payload` is the
// serialized request to run once approved, with its idempotency key.
struct StoredApproval {
  v1::Approval approval;
  std::string payload;
};

// IdempotencyRecord is the answer payvox gave a write request, kept so a
// retry of the request (same idempotency key) is answered from it without
// running the action again.
struct IdempotencyRecord {
  std::string tenant_id;
  // The request's derived Idempotency-Key (common/idempotency_key.h).
  std::string key;
  std::string action;
  // Hex SHA-256 of the request's parameters: a retry must match it.
  std::string fingerprint;
  // The serialized response message, sealed under the master key
  // (SavedAnswerContext).
  std::string response;
  absl::Time expires_at = absl::InfiniteFuture();
};

// ActionStart begins an action that calls Stripe: the limit reservation
// (when there is one) and the audit intent, written in one durable commit.
struct ActionStart {
  std::optional<ReservationRequest> reservation;
  v1::AuditRecord intent;
  // Until when the intent's idempotency key is claimed as in flight
  // (InfinitePast: no claim). While a claim of another start runs,
  // StartAction returns UNAVAILABLE and writes nothing: the request is
  // being carried out (on another replica) and its retry must wait for the
  // answer, never run it twice. FinishAction drops the claim; a start
  // whose process died lets it run out. A key whose answer is saved
  // (the claim's holder finished between the caller's look for an answer
  // and this start) is UNAVAILABLE too: the retry reads that answer
  // instead of running the request again. A claim of the same holder is
  // taken over: a holder runs a key once at a time, so its own claim is
  // one whose finish could not be written (the database went away).
  absl::Time in_flight_until = absl::InfinitePast();
  std::string in_flight_holder;
};

struct StartedAction {
  // 0 without a reservation.
  int64_t reservation_id = 0;
  // The intent as appended (sequence, time and hash set).
  v1::AuditRecord intent;
};

// What becomes of an action's reservation when it finishes.
enum class Settlement {
  kCommit,   // Stripe did it: the amount counts for good
  kRelease,  // Stripe refused it: the room is given back
  kKeep,     // Stripe's answer is unknown: held until a retry or expiry
};

// ActionFinish ends an action: settles its reservation, appends its audit
// completion and saves its answer for retries, in one durable commit. An
// answer whose key already holds another request's is not saved (the first
// answer stays); the rest is.
struct ActionFinish {
  int64_t reservation_id = 0;
  // The key the start claimed as in flight, given up now ("" for none).
  std::string in_flight_key;
  Settlement settlement = Settlement::kKeep;
  v1::AuditRecord completion;
  std::optional<IdempotencyRecord> answer;
};

// Tenant is a business payvox serves. Its Stripe key is stored sealed
// (common/secret_box.h), never in the clear.
struct Tenant {
  std::string tenant_id;
  std::string display_name;
  absl::Time created;
  // Empty until AdminService.ConnectStripe.
  std::string stripe_key_sealed;
  // "test" or "live" with a key.
  std::string stripe_mode;
};

// TenantToken is a bearer token of a tenant, as the hex SHA-256 of the
// token: the token itself is never stored.
struct TenantToken {
  std::string tenant_id;
  std::string token_hash;
  absl::Time created;
  // InfiniteFuture for the current token; a rotated-out token works until
  // then.
  absl::Time expires_at = absl::InfiniteFuture();
};

// WebhookEndpoint is an endpoint registered in the tenant's Stripe account
// and its signing secret, sealed.
struct WebhookEndpoint {
  std::string tenant_id;
  std::string endpoint_id;
  std::string url;
  std::string secret_sealed;
  absl::Time created;
  // InfiniteFuture for the newest; an older one's secret keeps verifying
  // until then (Stripe may still deliver with it).
  absl::Time expires_at = absl::InfiniteFuture();
};

// The contexts sealed secrets are bound to (common/secret_box.h): a value
// copied to another tenant's row does not open.
inline std::string StripeKeyContext(const std::string& tenant_id) {
  return "stripe_key:" + tenant_id;
}
inline std::string WebhookSecretContext(const std::string& tenant_id,
                                        const std::string& endpoint_id) {
  return "webhook_secret:" + tenant_id + ":" + endpoint_id;
}
// A saved answer (IdempotencyRecord::response) is sealed too: it can hold a
// customer's email or a PaymentIntent's client_secret.
inline std::string SavedAnswerContext(const std::string& tenant_id,
                                      const std::string& idempotency_key) {
  return "answer:" + tenant_id + ":" + idempotency_key;
}

// InFlightError: what StartAction returns for a request another start is
// carrying out, or has just answered.
inline absl::Status InFlightError() {
  return absl::UnavailableError(
      "this request is being carried out by another payvoxd right now; retry it with the same "
      "request_id in a moment for its answer");
}
inline absl::Status AnsweredMeanwhileError() {
  return absl::UnavailableError(
      "this request was just carried out by another payvoxd; retry it with the same request_id "
      "for its answer");
}

// ApprovalAsOf: the approval as it stands at `now`: a pending one past its
// expiry reads as "expired".
inline v1::Approval ApprovalAsOf(v1::Approval approval, absl::Time now) {
  if (approval.state() == "pending" && approval.expires_at() <= absl::ToUnixSeconds(now)) {
    approval.set_state("expired");
  }
  return approval;
}

// HandoffSession is a secure card capture handed to a DTMF provider: the
// PaymentIntent payvox created for a call, and what became of it.
struct HandoffSession {
  std::string tenant_id;
  // "hos_..." derived from the request, so a retry names the same session.
  std::string session_id;
  std::string call_id;
  std::string customer_id;
  std::string payment_intent_id;
  int64_t amount = 0;
  std::string currency;
  // "pending", then "succeeded", "failed" or "canceled" (from webhooks).
  std::string state = "pending";
  absl::Time created = absl::InfinitePast();
};

// StoredEvent is a webhook event as payvox keeps it: the PaymentEvent
// streamed to subscribers (its sequence set by the store), per tenant.
struct StoredEvent {
  std::string tenant_id;
  v1::PaymentEvent event;
};

// AppendedEvent: the sequence of the event, and whether this append stored
// it (false: the same Stripe event id was stored before, a redelivery).
struct AppendedEvent {
  int64_t sequence = 0;
  bool stored = false;
};

// EventWatch tells a waiting thread that another process sharing the store
// may have appended events (Store::WatchEvents).
class EventWatch {
 public:
  virtual ~EventWatch() = default;
  // Wait: true when events may have been appended since the last call,
  // false after `timeout` or once Stop was called. A missed notice only
  // delays: callers read the store after every timeout too.
  virtual bool Wait(absl::Duration timeout) = 0;
  // Stop ends the current and every later Wait. Thread-safe.
  virtual void Stop() = 0;
};

// EventHead: a tenant's highest event sequence.
struct EventHead {
  std::string tenant_id;
  int64_t sequence = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Ping checks the store can be reached now (the health check's store
  // part): OK, or UNAVAILABLE naming why not.
  virtual absl::Status Ping() { return absl::OkStatus(); }
  // HoldLease takes or renews `holder`'s lease on `job` until `until` and
  // returns whether `holder` holds it now: a lease of another holder that
  // runs past `now` is left alone. Jobs that must run on one replica at a
  // time (the reconciler, housekeeping) run only while their replica holds
  // the lease; a replica that dies lets it run out.
  virtual absl::StatusOr<bool> HoldLease(absl::string_view job, absl::string_view holder,
                                         absl::Time now, absl::Time until) = 0;
  // Heartbeat marks `replica` alive until `until` and returns how many
  // replicas are alive at `now`, itself included: the replicas split the
  // Stripe account's rate limits between them by it.
  virtual absl::StatusOr<int> Heartbeat(absl::string_view replica, absl::Time now,
                                        absl::Time until) = 0;

  // --- Verification ---
  // ReserveVerificationAttempt takes one attempt before the last-4 check
  // runs, so concurrent guesses cannot exceed `max_attempts`. Returns the
  // state after the reservation, or RESOURCE_EXHAUSTED when none is left.
  virtual absl::StatusOr<VerificationState> ReserveVerificationAttempt(const VerificationKey& key,
                                                                       int max_attempts) = 0;
  // ReleaseVerificationAttempt gives an attempt back when the check could not
  // run (Stripe unreachable), so outages do not lock callers out.
  virtual absl::Status ReleaseVerificationAttempt(const VerificationKey& key) = 0;
  // MarkVerified records a successful check valid until `until`.
  virtual absl::Status MarkVerified(const VerificationKey& key, absl::Time until) = 0;
  // GetVerification returns the state; a key never seen has the default.
  virtual absl::StatusOr<VerificationState> GetVerification(const VerificationKey& key) = 0;
  // EndVerifications ends every verification of the call (EndCall); the
  // attempts taken stay counted.
  virtual absl::Status EndVerifications(const std::string& tenant_id,
                                        const std::string& call_id) = 0;

  // --- Policies ---
  // GetPolicy returns the tenant's stored policy; nullopt when none was set.
  virtual absl::StatusOr<std::optional<v1::TenantPolicy>> GetPolicy(
      const std::string& tenant_id) = 0;
  virtual absl::Status SetPolicy(const std::string& tenant_id, const v1::TenantPolicy& policy) = 0;

  // --- Audit trail ---
  // AppendAudit assigns the record's sequence, time and hash (chained to the
  // tenant's previous record) and stores it durably. Returns it complete.
  virtual absl::StatusOr<v1::AuditRecord> AppendAudit(v1::AuditRecord record) = 0;
  // AppendAuditBatch appends several records in one durable commit.
  virtual absl::StatusOr<std::vector<v1::AuditRecord>> AppendAuditBatch(
      std::vector<v1::AuditRecord> records) = 0;
  virtual absl::StatusOr<std::vector<v1::AuditRecord>> QueryAudit(
      const v1::QueryAuditRequest& query) = 0;
  virtual absl::StatusOr<v1::VerifyAuditChainResponse> VerifyAuditChain(
      const std::string& tenant_id) = 0;
  // OpenIntents returns "intent" records no "completion" record answers
  // yet, all tenants, oldest first.
  virtual absl::StatusOr<std::vector<v1::AuditRecord>> OpenIntents() = 0;
  // UnsettledIntents returns, all tenants, oldest first, the newest intent
  // of each pending reservation last attempted before `before`: a write
  // whose outcome payvox does not know (it died while Stripe was called, or
  // the completion said Stripe's answer never came). For the reconciler;
  // it reads the pending reservations only, not the whole trail.
  virtual absl::StatusOr<std::vector<v1::AuditRecord>> UnsettledIntents(absl::Time before) = 0;

  // --- Actions that call Stripe ---
  // StartAction returns RESOURCE_EXHAUSTED (and writes nothing) when the
  // reservation would pass a limit.
  virtual absl::StatusOr<StartedAction> StartAction(const ActionStart& start) = 0;
  virtual absl::Status FinishAction(const ActionFinish& finish) = 0;

  // --- Limit reservations ---
  // GetUsage: the totals of `key` (and of `customer_id` in it), without the
  // reservation made under `own_idempotency_key` when there is one: a retry
  // reuses its first attempt's reservation, so the policy must not count it
  // against the retry itself.
  virtual absl::StatusOr<Usage> GetUsage(const UsageKey& key, const std::string& customer_id,
                                         const std::string& own_idempotency_key) = 0;
  // ReserveUsage returns the reservation id, or RESOURCE_EXHAUSTED naming
  // the limit the amount would pass.
  virtual absl::StatusOr<int64_t> ReserveUsage(const ReservationRequest& request) = 0;
  virtual absl::Status CommitReservation(int64_t reservation_id) = 0;
  // SettleReservation commits or releases the pending reservation made
  // with `idempotency_key`, if there is one (reconciliation). A release
  // leaves a reservation attempted at or after `attempted_before` alone: a
  // retry of the request holds it now and settles it itself.
  virtual absl::Status SettleReservation(const std::string& idempotency_key, bool commit,
                                         absl::Time attempted_before) = 0;
  virtual absl::Status ReleaseReservation(int64_t reservation_id) = 0;
  // ReleaseOrphanReservations releases pending reservations last attempted
  // before `before` that no audit intent names: their request died between
  // reserving and writing its intent, so it never reached Stripe. Returns
  // how many.
  virtual absl::StatusOr<int> ReleaseOrphanReservations(absl::Time before) = 0;
  // ExpireReservations releases pending reservations past their expiry and
  // returns how many.
  virtual absl::StatusOr<int> ExpireReservations(absl::Time now) = 0;

  // --- Idempotency records ---
  // FindIdempotencyRecord returns the live record of `key`, nullopt when
  // there is none or it expired before `now`.
  virtual absl::StatusOr<std::optional<IdempotencyRecord>> FindIdempotencyRecord(
      const std::string& tenant_id, const std::string& key, absl::Time now) = 0;
  // SaveIdempotencyRecord stores the record, replacing an earlier answer to
  // the same request (an approval executed later). ABORTED when the key is
  // held by a request with another fingerprint.
  virtual absl::Status SaveIdempotencyRecord(const IdempotencyRecord& record) = 0;
  // ExpireIdempotencyRecords deletes records expired at `now`; returns how
  // many.
  virtual absl::StatusOr<int> ExpireIdempotencyRecords(absl::Time now) = 0;

  // --- Hand-off sessions ---
  // CreateHandoffSession stores the session; storing the same session_id
  // again (a retried request) changes nothing.
  virtual absl::Status CreateHandoffSession(const HandoffSession& session) = 0;
  // FindHandoffSession returns the tenant's session for a PaymentIntent.
  virtual absl::StatusOr<std::optional<HandoffSession>> FindHandoffSession(
      const std::string& tenant_id, const std::string& payment_intent_id) = 0;

  // UpdateHandoffState records a hand-off's outcome ("succeeded", "failed",
  // "canceled") from a webhook; NOT_FOUND when the tenant has no session
  // for that PaymentIntent. "succeeded" and "canceled" are final: an event
  // delivered late (out of order) does not change them.
  virtual absl::Status UpdateHandoffState(const std::string& tenant_id,
                                          const std::string& payment_intent_id,
                                          const std::string& state) = 0;

  // --- Webhook events ---
  // AppendEvent durably stores the event with the tenant's next sequence
  // number, once per Stripe event id: a redelivery stores nothing and
  // returns the first delivery's sequence.
  virtual absl::StatusOr<AppendedEvent> AppendEvent(const StoredEvent& event) = 0;
  // ReadEvents returns up to `limit` of the tenant's events with a sequence
  // above `after`, in order.
  virtual absl::StatusOr<std::vector<v1::PaymentEvent>> ReadEvents(const std::string& tenant_id,
                                                                   int64_t after, int limit) = 0;
  // LastEventSequence is the tenant's highest sequence (0 with none).
  virtual absl::StatusOr<int64_t> LastEventSequence(const std::string& tenant_id) = 0;
  // EventHeads: every tenant's highest sequence, tenants with events only.
  virtual absl::StatusOr<std::vector<EventHead>> EventHeads() = 0;
  // WatchEvents: a watch told of events other processes append, or null
  // when no other process appends to this store (SQLite: one payvoxd).
  virtual std::unique_ptr<EventWatch> WatchEvents() { return nullptr; }

  // --- Tenants, tokens and secrets (store/sqlite_tenants.cc) ---
  // CreateTenant stores the tenant with its first token; ALREADY_EXISTS
  // when the id is taken.
  virtual absl::Status CreateTenant(const Tenant& tenant, const TenantToken& token) = 0;
  virtual absl::StatusOr<std::vector<Tenant>> ListTenants() = 0;
  // SetStripeKey stores (or with an empty sealed key, forgets) the tenant's
  // key; NOT_FOUND for an unknown tenant.
  virtual absl::Status SetStripeKey(const std::string& tenant_id, const std::string& sealed_key,
                                    const std::string& mode) = 0;
  // AddTenantToken adds `token` and makes every other token of the tenant
  // expire at `others_expire_at` at the latest; NOT_FOUND for an unknown
  // tenant.
  virtual absl::Status AddTenantToken(const TenantToken& token, absl::Time others_expire_at) = 0;
  // TenantTokens returns every tenant's tokens that have not expired at
  // `now`.
  virtual absl::StatusOr<std::vector<TenantToken>> TenantTokens(absl::Time now) = 0;
  // AddWebhookEndpoint stores the endpoint and makes the tenant's other
  // endpoints expire at `others_expire_at` at the latest.
  virtual absl::Status AddWebhookEndpoint(const WebhookEndpoint& endpoint,
                                          absl::Time others_expire_at) = 0;
  // WebhookEndpoints returns the tenant's endpoints live at `now`, newest
  // first.
  virtual absl::StatusOr<std::vector<WebhookEndpoint>> WebhookEndpoints(
      const std::string& tenant_id, absl::Time now) = 0;
  // ResealSecrets passes every sealed value with its context to `reseal`
  // and writes back what it returns, in one transaction (all or nothing).
  // Returns how many values were rewritten.
  using Resealer = std::function<absl::StatusOr<std::string>(const std::string& sealed,
                                                             const std::string& context)>;
  virtual absl::StatusOr<int> ResealSecrets(const Resealer& reseal) = 0;

  // --- Approvals ---
  virtual absl::Status CreateApproval(const StoredApproval& approval) = 0;
  // ListApprovals by state ("" for pending); approvals past their expiry
  // read as "expired".
  virtual absl::StatusOr<std::vector<v1::Approval>> ListApprovals(const std::string& tenant_id,
                                                                  const std::string& state,
                                                                  absl::Time now) = 0;
  // DecideApproval moves a pending approval to approved or rejected, once:
  // NOT_FOUND for an unknown id, FAILED_PRECONDITION when it was already
  // decided or has expired.
  virtual absl::StatusOr<StoredApproval> DecideApproval(const std::string& tenant_id,
                                                        const std::string& approval_id,
                                                        bool approve, const std::string& decided_by,
                                                        const std::string& note,
                                                        absl::Time now) = 0;
};

}  // namespace payvox

#endif  // PAYVOX_STORE_STORE_H_
