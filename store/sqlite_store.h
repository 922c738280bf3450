// sqlite_store.h: the Store on an embedded SQLite database.
//
//   auto store = SqliteStore::Open({.path = "/var/lib/payvox/payvox.db"}, clock);
//
// WAL journal, `synchronous=FULL` (a commit is on disk when the call
// returns), foreign keys on, and a busy timeout. The schema is versioned
// (PRAGMA user_version); Open applies the migrations the file lacks, in one
// transaction each, and refuses a file from a newer payvox. ":memory:" gives
// a private in-memory database (tests, the sandbox demo).
//
// One connection behind a mutex: SQLite serializes writers anyway, and
// durable commits cost an fsync each, so batching (AppendAuditBatch) is
// how throughput grows.
#ifndef PAYVOX_STORE_SQLITE_STORE_H_
#define PAYVOX_STORE_SQLITE_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "common/clock.h"
#include "store/audit_chain.h"
#include "store/sqlite.h"
#include "store/store.h"

struct sqlite3;

namespace payvox {

struct SqliteStoreOptions {
  // A file path, or ":memory:".
  std::string path = ":memory:";
  // Refuse (NOT_FOUND) a file that does not exist instead of creating it
  // (tools working on an existing store: a mistyped path is an error).
  bool must_exist = false;
  // Verification entries untouched this long are deleted by Open and by
  // ExpireReservations' sweep.
  absl::Duration verification_retention = absl::Hours(24);
};

class SqliteStore final : public Store {
 public:
  // Open creates or opens the database and migrates it. `clock` must
  // outlive the store.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options,
                                                           const Clock& clock);
  ~SqliteStore() override;

  // The schema version this build writes.
  static int SchemaVersion();

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
  SqliteStore(sqlite3* db, const Clock& clock, SqliteStoreOptions options);

  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // AppendLocked appends inside the caller's transaction.
  absl::StatusOr<v1::AuditRecord> AppendLocked(v1::AuditRecord record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The *Locked steps run inside the caller's transaction.
  absl::StatusOr<int64_t> ReserveLocked(const ReservationRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SettleLocked(int64_t reservation_id, Settlement settlement)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SaveRecordLocked(const IdempotencyRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::mutex mu_;
  // The connection and its kept statements.
  sqlite::Connection db_ ABSL_GUARDED_BY(mu_);
  const Clock& clock_;
  const SqliteStoreOptions options_;
};

}  // namespace payvox

#endif  // PAYVOX_STORE_SQLITE_STORE_H_
