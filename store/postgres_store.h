// postgres_store.h: the Store on PostgreSQL, for several payvoxd replicas
// sharing one database.
//
//   auto store = PostgresStore::Open({.pool = {.connect = {.conninfo = "...",
//                                                          .password = password}}},
//                                    clock);
//
// Every replica's calls go to the same tables, so limits, the audit chains,
// idempotency records, verification state, approvals, tenants and events
// are shared. What must happen one at a time across replicas is serialized
// in the database, never in a process:
//   - a limit reservation holds a transaction-scoped advisory lock on its
//     usage key (tenant, kind, currency, day) while it checks and inserts,
//     so two replicas cannot both take the last of a limit;
//   - an audit append holds one on the tenant's chain, reads the chain's
//     head and inserts after it; an event append one on the tenant's event
//     sequence. Both are held to COMMIT, so sequences become visible in
//     order and a reader resuming after N never misses N+1;
//   - HoldLease keeps a job's lease (the reconciler, housekeeping) in a
//     row, taken over only once it has run out, so one replica runs the
//     job at a time and a dead replica's lease lapses.
// Commits are durable (synchronous_commit as the server has it: on by
// default). While the database is down every call fails UNAVAILABLE at
// once (the pool refuses to reconnect for a moment after a failure) and
// Ping says so; calls succeed again when it is back.
//
// The schema is versioned in payvox_schema; Migrate applies what the
// database lacks under an advisory lock (replicas starting together wait
// for one another) and refuses a database from a newer payvox.
#ifndef PAYVOX_STORE_POSTGRES_STORE_H_
#define PAYVOX_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "common/clock.h"
#include "store/postgres.h"
#include "store/store.h"

namespace payvox {

struct PostgresStoreOptions {
  pg::PoolOptions pool;
  // Verification entries untouched this long are deleted by
  // ExpireReservations' sweep.
  absl::Duration verification_retention = absl::Hours(24);
  // Open migrates an older schema; false refuses one (FAILED_PRECONDITION
  // naming `payvoxd --migrate`).
  bool migrate = true;
  // AppendEvent notifies the other replicas' feeds (after its commit).
  // false leaves them to their polling (a benchmark's baseline).
  bool notify_events = true;
};

class PostgresStore final : public Store {
 public:
  // Open connects, checks (and by default migrates) the schema. `clock`
  // must outlive the store.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresStoreOptions& options,
                                                             const Clock& clock);
  ~PostgresStore() override;

  // The schema version this build writes.
  static int SchemaVersion();
  // Migrate brings the database to SchemaVersion() and returns the version
  // it found.
  static absl::StatusOr<int> Migrate(pg::Connection& db);

  absl::Status Ping() override;
  absl::StatusOr<bool> HoldLease(absl::string_view job, absl::string_view holder, absl::Time now,
                                 absl::Time until) override;
  absl::StatusOr<int> Heartbeat(absl::string_view replica, absl::Time now,
                                absl::Time until) override;

  absl::StatusOr<VerificationState> ReserveVerificationAttempt(const VerificationKey& key,
                                                               int max_attempts) override;
  absl::Status ReleaseVerificationAttempt(const VerificationKey& key) override;
  absl::Status MarkVerified(const VerificationKey& key, absl::Time until) override;
  absl::StatusOr<VerificationState> GetVerification(const VerificationKey& key) override;
  absl::Status EndVerifications(const std::string& tenant_id, const std::string& call_id) override;

  absl::StatusOr<std::optional<v1::TenantPolicy>> GetPolicy(const std::string& tenant_id) override;
  absl::Status SetPolicy(const std::string& tenant_id, const v1::TenantPolicy& policy) override;

  absl::StatusOr<v1::AuditRecord> AppendAudit(v1::AuditRecord record) override;
  absl::StatusOr<std::vector<v1::AuditRecord>> AppendAuditBatch(
      std::vector<v1::AuditRecord> records) override;
  absl::StatusOr<std::vector<v1::AuditRecord>> QueryAudit(
      const v1::QueryAuditRequest& query) override;
  absl::StatusOr<v1::VerifyAuditChainResponse> VerifyAuditChain(
      const std::string& tenant_id) override;
  absl::StatusOr<std::vector<v1::AuditRecord>> OpenIntents() override;
  absl::StatusOr<std::vector<v1::AuditRecord>> UnsettledIntents(absl::Time before) override;

  absl::StatusOr<StartedAction> StartAction(const ActionStart& start) override;
  absl::Status FinishAction(const ActionFinish& finish) override;

  absl::StatusOr<Usage> GetUsage(const UsageKey& key, const std::string& customer_id,
                                 const std::string& own_idempotency_key) override;
  absl::StatusOr<int64_t> ReserveUsage(const ReservationRequest& request) override;
  absl::Status CommitReservation(int64_t reservation_id) override;
  absl::Status SettleReservation(const std::string& idempotency_key, bool commit,
                                 absl::Time attempted_before) override;
  absl::Status ReleaseReservation(int64_t reservation_id) override;
  absl::StatusOr<int> ReleaseOrphanReservations(absl::Time before) override;
  absl::StatusOr<int> ExpireReservations(absl::Time now) override;

  absl::StatusOr<std::optional<IdempotencyRecord>> FindIdempotencyRecord(
      const std::string& tenant_id, const std::string& key, absl::Time now) override;
  absl::Status SaveIdempotencyRecord(const IdempotencyRecord& record) override;
  absl::StatusOr<int> ExpireIdempotencyRecords(absl::Time now) override;
  absl::Status CreateHandoffSession(const HandoffSession& session) override;
  absl::StatusOr<std::optional<HandoffSession>> FindHandoffSession(
      const std::string& tenant_id, const std::string& payment_intent_id) override;
  absl::Status UpdateHandoffState(const std::string& tenant_id,
                                  const std::string& payment_intent_id,
                                  const std::string& state) override;
  absl::StatusOr<AppendedEvent> AppendEvent(const StoredEvent& event) override;
  absl::StatusOr<std::vector<v1::PaymentEvent>> ReadEvents(const std::string& tenant_id,
                                                           int64_t after, int limit) override;
  absl::StatusOr<int64_t> LastEventSequence(const std::string& tenant_id) override;
  absl::StatusOr<std::vector<EventHead>> EventHeads() override;
  std::unique_ptr<EventWatch> WatchEvents() override;

  absl::Status CreateTenant(const Tenant& tenant, const TenantToken& token) override;
  absl::StatusOr<std::vector<Tenant>> ListTenants() override;
  absl::Status SetStripeKey(const std::string& tenant_id, const std::string& sealed_key,
                            const std::string& mode) override;
  absl::Status AddTenantToken(const TenantToken& token, absl::Time others_expire_at) override;
  absl::StatusOr<std::vector<TenantToken>> TenantTokens(absl::Time now) override;
  absl::Status AddWebhookEndpoint(const WebhookEndpoint& endpoint,
                                  absl::Time others_expire_at) override;
  absl::StatusOr<std::vector<WebhookEndpoint>> WebhookEndpoints(const std::string& tenant_id,
                                                                absl::Time now) override;
  absl::StatusOr<int> ResealSecrets(const Resealer& reseal) override;

  absl::Status CreateApproval(const StoredApproval& approval) override;
  absl::StatusOr<std::vector<v1::Approval>> ListApprovals(const std::string& tenant_id,
                                                          const std::string& state,
                                                          absl::Time now) override;
  absl::StatusOr<StoredApproval> DecideApproval(const std::string& tenant_id,
                                                const std::string& approval_id, bool approve,
                                                const std::string& decided_by,
                                                const std::string& note, absl::Time now) override;

  // For tests of tamper detection: runs raw SQL on the database.
  absl::Status ExecForTesting(const std::string& sql);

 private:
  PostgresStore(const PostgresStoreOptions& options, const Clock& clock);

  // Query runs one statement on a pooled connection, outside a
  // transaction.
  absl::StatusOr<pg::Result> Query(absl::string_view sql, const pg::Params& params = pg::Params());
  // The *In steps run inside the caller's transaction on `db`.
  absl::StatusOr<v1::AuditRecord> AppendIn(pg::Connection& db, v1::AuditRecord record);
  absl::StatusOr<int64_t> ReserveIn(pg::Connection& db, const ReservationRequest& request);
  absl::Status SettleIn(pg::Connection& db, int64_t reservation_id, Settlement settlement);
  absl::Status SaveRecordIn(pg::Connection& db, const IdempotencyRecord& record);

  const Clock& clock_;
  const PostgresStoreOptions options_;
  pg::Pool pool_;
};

}  // namespace payvox

#endif  // PAYVOX_STORE_POSTGRES_STORE_H_
