#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sqlite.h"

namespace payvox {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

// Migrations: index i brings the schema from version i to i + 1. Never edit
// one that has shipped; append a new one.
constexpr std::array<const char*, 8> kMigrations = {
    R"sql(
CREATE TABLE verification (
  tenant TEXT NOT NULL, call_id TEXT NOT NULL, customer_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, verified_until INTEGER NOT NULL,
  touched INTEGER NOT NULL,
  PRIMARY KEY (tenant, call_id, customer_id)) WITHOUT ROWID;
CREATE TABLE policies (
  tenant TEXT PRIMARY KEY, policy BLOB NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE audit (
  tenant TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL,
  call_id TEXT NOT NULL, customer_id TEXT NOT NULL, action TEXT NOT NULL,
  ok INTEGER NOT NULL, created INTEGER NOT NULL,
  completes_sequence INTEGER NOT NULL, record BLOB NOT NULL, hash TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  PRIMARY KEY (tenant, sequence));
CREATE INDEX audit_by_key ON audit (idempotency_key);
CREATE INDEX audit_by_kind ON audit (kind, tenant, completes_sequence);
CREATE INDEX audit_by_time ON audit (tenant, created);
CREATE TABLE reservations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, kind TEXT NOT NULL,
  currency TEXT NOT NULL, day TEXT NOT NULL, customer_id TEXT NOT NULL,
  amount INTEGER NOT NULL, state TEXT NOT NULL, expires INTEGER NOT NULL,
  created INTEGER NOT NULL, idempotency_key TEXT UNIQUE);
CREATE INDEX reservations_usage ON reservations (tenant, kind, currency, day, customer_id);
CREATE TABLE approvals (
  tenant TEXT NOT NULL, approval_id TEXT NOT NULL, state TEXT NOT NULL,
  expires INTEGER NOT NULL, record BLOB NOT NULL, payload BLOB NOT NULL,
  PRIMARY KEY (tenant, approval_id));
)sql",
    R"sql(
CREATE TABLE idempotency (
  tenant TEXT NOT NULL, key TEXT NOT NULL, action TEXT NOT NULL,
  fingerprint TEXT NOT NULL, response BLOB NOT NULL, expires INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)) WITHOUT ROWID;
CREATE INDEX idempotency_by_expiry ON idempotency (expires);
)sql",
    // Running totals of reservations per day, kept by triggers, so a limit
    // check reads one row instead of summing the day's reservations.
    // customer_id '*' is the whole tenant ('' the reservations of no
    // customer).
    R"sql(
CREATE TABLE usage_totals (
  tenant TEXT NOT NULL, kind TEXT NOT NULL, currency TEXT NOT NULL, day TEXT NOT NULL,
  customer_id TEXT NOT NULL, total INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (tenant, kind, currency, day, customer_id)) WITHOUT ROWID;
INSERT INTO usage_totals
  SELECT tenant, kind, currency, day, '*', SUM(amount), COUNT(*) FROM reservations
  GROUP BY tenant, kind, currency, day;
INSERT INTO usage_totals
  SELECT tenant, kind, currency, day, customer_id, SUM(amount), COUNT(*) FROM reservations
  GROUP BY tenant, kind, currency, day, customer_id;
CREATE TRIGGER usage_on_reserve AFTER INSERT ON reservations BEGIN
  INSERT INTO usage_totals SELECT NEW.tenant, NEW.kind, NEW.currency, NEW.day, who, NEW.amount, 1
    FROM (SELECT '*' AS who UNION ALL SELECT NEW.customer_id) WHERE true
    ON CONFLICT (tenant, kind, currency, day, customer_id)
    DO UPDATE SET total = total + excluded.total, count = count + 1;
END;
CREATE TRIGGER usage_on_release AFTER DELETE ON reservations BEGIN
  UPDATE usage_totals SET total = total - OLD.amount, count = count - 1
    WHERE tenant = OLD.tenant AND kind = OLD.kind AND currency = OLD.currency
      AND day = OLD.day AND customer_id IN ('*', OLD.customer_id);
END;
)sql",
    R"sql(
CREATE TABLE handoff_sessions (
  tenant TEXT NOT NULL, session_id TEXT NOT NULL, call_id TEXT NOT NULL,
  customer_id TEXT NOT NULL, payment_intent_id TEXT NOT NULL, amount INTEGER NOT NULL,
  currency TEXT NOT NULL, state TEXT NOT NULL, created INTEGER NOT NULL,
  PRIMARY KEY (tenant, session_id)) WITHOUT ROWID;
CREATE UNIQUE INDEX handoff_by_intent ON handoff_sessions (tenant, payment_intent_id);
)sql",
    // Webhook events: one row per Stripe event id and tenant, numbered per
    // tenant.
    R"sql(
CREATE TABLE events (
  tenant TEXT NOT NULL, sequence INTEGER NOT NULL, stripe_event_id TEXT NOT NULL,
  type TEXT NOT NULL, created INTEGER NOT NULL, event BLOB NOT NULL,
  PRIMARY KEY (tenant, sequence)) WITHOUT ROWID;
CREATE UNIQUE INDEX events_by_stripe_id ON events (tenant, stripe_event_id);
)sql",
    // Tenants, their bearer tokens (hashes only) and webhook endpoints; keys
    // and secrets sealed under the master key. Expiry times in micros,
    // NULL: never.
    R"sql(
CREATE TABLE tenants (
  tenant TEXT PRIMARY KEY, display_name TEXT NOT NULL, created INTEGER NOT NULL,
  stripe_key_sealed TEXT NOT NULL DEFAULT '', stripe_mode TEXT NOT NULL DEFAULT '')
  WITHOUT ROWID;
CREATE TABLE tenant_tokens (
  token_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL REFERENCES tenants (tenant),
  created INTEGER NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE TABLE webhook_endpoints (
  tenant TEXT NOT NULL, endpoint_id TEXT NOT NULL, url TEXT NOT NULL,
  secret_sealed TEXT NOT NULL, created INTEGER NOT NULL, expires_at INTEGER,
  PRIMARY KEY (tenant, endpoint_id)) WITHOUT ROWID;
)sql",
    // When a reservation was last attempted (a retry of its request takes it
    // over): the reconciler releases only those no live attempt holds.
    R"sql(
ALTER TABLE reservations ADD COLUMN attempted INTEGER NOT NULL DEFAULT 0;
UPDATE reservations SET attempted = created;
CREATE INDEX reservations_pending ON reservations (state, attempted);
)sql",
    // Which process runs a job (the reconciler, housekeeping), until when:
    // the same leases as on a shared store, so a second process opened on
    // the file (payvoxctl) cannot run one at the same time.
    R"sql(
CREATE TABLE job_leases (job TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL)
  WITHOUT ROWID;
CREATE TABLE replicas (name TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE in_flight (
  tenant TEXT NOT NULL, key TEXT NOT NULL, until INTEGER NOT NULL, holder TEXT NOT NULL,
  PRIMARY KEY (tenant, key)) WITHOUT ROWID;
)sql",
};

int64_t Micros(absl::Time time) { return absl::ToUnixMicros(time); }

// Sum and count of pending and committed reservations of the tenant, or of
// one customer of it.
absl::StatusOr<std::pair<int64_t, int64_t>> SumReservations(sqlite::Connection& db,
                                                            const UsageKey& key,
                                                            const std::string* customer_id) {
  Statement select(db,
                   "SELECT total, count FROM usage_totals WHERE tenant = ?1 AND kind = ?2 "
                   "AND currency = ?3 AND day = ?4 AND customer_id = ?5");
  select.Bind(1, key.tenant_id);
  select.Bind(2, key.kind);
  select.Bind(3, key.currency);
  select.Bind(4, key.day);
  select.Bind(5, customer_id == nullptr ? std::string("*") : *customer_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{select.Int(0), select.Int(1)};
}

// ReadVerification returns the stored state of `key`, or the default.
absl::StatusOr<VerificationState> ReadVerification(sqlite::Connection& db,
                                                   const VerificationKey& key) {
  Statement select(db,
                   "SELECT attempts, verified_until FROM verification "
                   "WHERE tenant = ?1 AND call_id = ?2 AND customer_id = ?3");
  select.Bind(1, key.tenant_id);
  select.Bind(2, key.call_id);
  select.Bind(3, key.customer_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return VerificationState{};
  return VerificationState{static_cast<int>(select.Int(0)), absl::FromUnixMicros(select.Int(1))};
}

// SweepVerifications deletes verification entries untouched since `before`.
absl::Status SweepVerifications(sqlite::Connection& db, absl::Time before) {
  Statement sweep(db, "DELETE FROM verification WHERE touched < ?1");
  sweep.Bind(1, Micros(before));
  return sweep.Run();
}

}  // namespace

int SqliteStore::SchemaVersion() { return static_cast<int>(kMigrations.size()); }

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options,
                                                               const Clock& clock) {
  sqlite3* db = nullptr;
  if (options.must_exist && options.path != ":memory:" &&
      !std::filesystem::exists(std::filesystem::path(options.path))) {
    return absl::NotFoundError(
        absl::StrCat("no store at \"", options.path, "\" (check the path; nothing was created)"));
  }
  const int code = sqlite3_open_v2(
      options.path.c_str(), &db,
      SQLITE_OPEN_READWRITE | (options.must_exist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (code != SQLITE_OK) {
    absl::Status status =
        sqlite::Error(db, code, absl::StrCat("cannot open \"", options.path, "\""));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, clock, options));
  std::lock_guard<std::mutex> lock(store->mu_);
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    PAYVOX_RETURN_IF_ERROR(sqlite::Exec(db, pragma));
  }
  PAYVOX_RETURN_IF_ERROR(store->Migrate());
  PAYVOX_RETURN_IF_ERROR(
      SweepVerifications(store->db_, clock.Now() - options.verification_retention));
  return store;
}

SqliteStore::SqliteStore(sqlite3* db, const Clock& clock, SqliteStoreOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {}

// The connection closes as the last member to go that uses it.
SqliteStore::~SqliteStore() = default;

absl::Status SqliteStore::Migrate() {
  Statement version_query(db_, "PRAGMA user_version");
  PAYVOX_ASSIGN_OR_RETURN(const bool row, version_query.Step());
  const int64_t version = row ? version_query.Int(0) : 0;
  if (version > SchemaVersion()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store: the database has schema version ", version,
        ", newer than this payvox understands (", SchemaVersion(), "); run a newer payvox"));
  }
  for (int64_t next = version; next < SchemaVersion(); ++next) {
    Transaction transaction(db_);
    PAYVOX_RETURN_IF_ERROR(transaction.status());
    PAYVOX_RETURN_IF_ERROR(sqlite::Exec(db_.get(), kMigrations[static_cast<size_t>(next)]));
    PAYVOX_RETURN_IF_ERROR(
        sqlite::Exec(db_.get(), absl::StrCat("PRAGMA user_version = ", next + 1)));
    PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::ExecForTesting(const std::string& sql) {
  std::lock_guard<std::mutex> lock(mu_);
  return sqlite::Exec(db_.get(), sql);
}

absl::StatusOr<bool> SqliteStore::HoldLease(absl::string_view job, absl::string_view holder,
                                            absl::Time now, absl::Time until) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement hold(db_,
                 "INSERT INTO job_leases AS l (job, holder, until) VALUES (?1, ?2, ?4) "
                 "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until "
                 "WHERE l.holder = excluded.holder OR l.until <= ?3 RETURNING holder");
  hold.Bind(1, job);
  hold.Bind(2, holder);
  hold.Bind(3, Micros(now));
  hold.Bind(4, Micros(until));
  PAYVOX_ASSIGN_OR_RETURN(const bool held, hold.Step());
  return held;
}

absl::StatusOr<int> SqliteStore::Heartbeat(absl::string_view replica, absl::Time now,
                                           absl::Time until) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  Statement beat(db_,
                 "INSERT INTO replicas (name, until) VALUES (?1, ?2) "
                 "ON CONFLICT (name) DO UPDATE SET until = excluded.until");
  beat.Bind(1, replica);
  beat.Bind(2, Micros(until));
  PAYVOX_RETURN_IF_ERROR(beat.Run());
  Statement forget(db_, "DELETE FROM replicas WHERE until <= ?1");
  forget.Bind(1, Micros(now));
  PAYVOX_RETURN_IF_ERROR(forget.Run());
  Statement live(db_, "SELECT COUNT(*) FROM replicas");
  PAYVOX_ASSIGN_OR_RETURN(const bool row, live.Step());
  const int count = row ? static_cast<int>(live.Int(0)) : 1;
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return count;
}

// --- Verification ---

absl::Status SqliteStore::EndVerifications(const std::string& tenant_id,
                                           const std::string& call_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement end(db_,
                "UPDATE verification SET verified_until = 0, touched = ?3 "
                "WHERE tenant = ?1 AND call_id = ?2");
  end.Bind(1, tenant_id);
  end.Bind(2, call_id);
  end.Bind(3, Micros(clock_.Now()));
  return end.Run();
}

absl::StatusOr<VerificationState> SqliteStore::GetVerification(const VerificationKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return ReadVerification(db_, key);
}

absl::StatusOr<VerificationState> SqliteStore::ReserveVerificationAttempt(
    const VerificationKey& key, int max_attempts) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  PAYVOX_ASSIGN_OR_RETURN(VerificationState state, ReadVerification(db_, key));
  if (state.attempts_used >= max_attempts) {
    return absl::ResourceExhaustedError("no verification attempts left for this call");
  }
  ++state.attempts_used;
  Statement upsert(db_,
                   "INSERT INTO verification (tenant, call_id, customer_id, attempts, "
                   "verified_until, touched) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                   "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
                   "attempts = excluded.attempts, touched = excluded.touched");
  upsert.Bind(1, key.tenant_id);
  upsert.Bind(2, key.call_id);
  upsert.Bind(3, key.customer_id);
  upsert.Bind(4, state.attempts_used);
  upsert.Bind(5, Micros(state.verified_until));
  upsert.Bind(6, Micros(clock_.Now()));
  PAYVOX_RETURN_IF_ERROR(upsert.Run());
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return state;
}

absl::Status SqliteStore::ReleaseVerificationAttempt(const VerificationKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement update(db_,
                   "UPDATE verification SET attempts = MAX(attempts - 1, 0), touched = ?4 "
                   "WHERE tenant = ?1 AND call_id = ?2 AND customer_id = ?3");
  update.Bind(1, key.tenant_id);
  update.Bind(2, key.call_id);
  update.Bind(3, key.customer_id);
  update.Bind(4, Micros(clock_.Now()));
  return update.Run();
}

absl::Status SqliteStore::MarkVerified(const VerificationKey& key, absl::Time until) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement upsert(db_,
                   "INSERT INTO verification (tenant, call_id, customer_id, attempts, "
                   "verified_until, touched) VALUES (?1, ?2, ?3, 0, ?4, ?5) "
                   "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
                   "verified_until = excluded.verified_until, touched = excluded.touched");
  upsert.Bind(1, key.tenant_id);
  upsert.Bind(2, key.call_id);
  upsert.Bind(3, key.customer_id);
  upsert.Bind(4, Micros(until));
  upsert.Bind(5, Micros(clock_.Now()));
  return upsert.Run();
}

// --- Policies ---

absl::StatusOr<std::optional<v1::TenantPolicy>> SqliteStore::GetPolicy(
    const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_, "SELECT policy FROM policies WHERE tenant = ?1");
  select.Bind(1, tenant_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<v1::TenantPolicy>();
  v1::TenantPolicy policy;
  if (!policy.ParseFromString(select.Blob(0))) {
    return absl::DataLossError(absl::StrCat("store: the policy of ", tenant_id, " is unreadable"));
  }
  return std::optional<v1::TenantPolicy>(std::move(policy));
}

absl::Status SqliteStore::SetPolicy(const std::string& tenant_id, const v1::TenantPolicy& policy) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement upsert(db_,
                   "INSERT INTO policies (tenant, policy, updated) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (tenant) DO UPDATE SET policy = excluded.policy, "
                   "updated = excluded.updated");
  upsert.Bind(1, tenant_id);
  upsert.BindBlob(2, policy.SerializeAsString());
  upsert.Bind(3, Micros(clock_.Now()));
  return upsert.Run();
}

// --- Limit reservations ---

absl::StatusOr<Usage> SqliteStore::GetUsage(const UsageKey& key, const std::string& customer_id,
                                            const std::string& own_idempotency_key) {
  std::lock_guard<std::mutex> lock(mu_);
  PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(db_, key, nullptr));
  PAYVOX_ASSIGN_OR_RETURN(const auto customer, SumReservations(db_, key, &customer_id));
  Usage usage{tenant.first, tenant.second, customer.first};
  if (own_idempotency_key.empty()) return usage;
  Statement own(db_,
                "SELECT amount, customer_id FROM reservations WHERE idempotency_key = ?1 "
                "AND tenant = ?2 AND kind = ?3 AND currency = ?4 AND day = ?5 "
                "AND state != 'released'");
  own.Bind(1, own_idempotency_key);
  own.Bind(2, key.tenant_id);
  own.Bind(3, key.kind);
  own.Bind(4, key.currency);
  own.Bind(5, key.day);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, own.Step());
  if (row) {
    usage.tenant_total -= own.Int(0);
    usage.tenant_count -= 1;
    if (own.Text(1) == customer_id) usage.customer_total -= own.Int(0);
  }
  return usage;
}

absl::StatusOr<int64_t> SqliteStore::ReserveUsage(const ReservationRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  PAYVOX_ASSIGN_OR_RETURN(const int64_t id, ReserveLocked(request));
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return id;
}

absl::StatusOr<int64_t> SqliteStore::ReserveLocked(const ReservationRequest& request) {
  if (request.amount < 0) return absl::InvalidArgumentError("store: negative reservation");
  if (!request.idempotency_key.empty()) {
    Statement existing(db_, "SELECT id FROM reservations WHERE idempotency_key = ?1");
    existing.Bind(1, request.idempotency_key);
    PAYVOX_ASSIGN_OR_RETURN(const bool found, existing.Step());
    if (found) {
      const int64_t id = existing.Int(0);
      Statement claim(db_,
                      "UPDATE reservations SET attempted = ?2, expires = MAX(expires, ?3) "
                      "WHERE id = ?1");
      claim.Bind(1, id);
      claim.Bind(2, Micros(clock_.Now()));
      claim.Bind(3, Micros(request.expires_at));
      PAYVOX_RETURN_IF_ERROR(claim.Run());
      return id;
    }
  }
  if (request.tenant_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(db_, request.key, nullptr));
    if (tenant.first + request.amount > *request.tenant_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the tenant's daily ", request.key.kind, " limit would be passed"));
    }
  }
  if (request.customer_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto customer,
                            SumReservations(db_, request.key, &request.customer_id));
    if (customer.first + request.amount > *request.customer_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the customer's daily ", request.key.kind, " limit would be passed"));
    }
  }
  Statement insert(db_,
                   "INSERT INTO reservations (tenant, kind, currency, day, customer_id, amount, "
                   "state, expires, idempotency_key, created, attempted) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?9)");
  insert.Bind(1, request.key.tenant_id);
  insert.Bind(2, request.key.kind);
  insert.Bind(3, request.key.currency);
  insert.Bind(4, request.key.day);
  insert.Bind(5, request.customer_id);
  insert.Bind(6, request.amount);
  insert.Bind(7, Micros(request.expires_at));
  if (request.idempotency_key.empty()) {
    insert.BindNull(8);
  } else {
    insert.Bind(8, request.idempotency_key);
  }
  insert.Bind(9, Micros(clock_.Now()));
  PAYVOX_RETURN_IF_ERROR(insert.Run());
  return db_.last_insert_rowid();
}

absl::Status SqliteStore::CommitReservation(int64_t reservation_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return SettleLocked(reservation_id, Settlement::kCommit);
}

absl::Status SqliteStore::ReleaseReservation(int64_t reservation_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return SettleLocked(reservation_id, Settlement::kRelease);
}

absl::Status SqliteStore::SettleLocked(int64_t reservation_id, Settlement settlement) {
  switch (settlement) {
    case Settlement::kKeep:
      return absl::OkStatus();
    case Settlement::kRelease: {
      Statement remove(db_, "DELETE FROM reservations WHERE id = ?1 AND state = 'pending'");
      remove.Bind(1, reservation_id);
      return remove.Run();
    }
    case Settlement::kCommit: {
      Statement update(db_, "UPDATE reservations SET state = 'committed' WHERE id = ?1");
      update.Bind(1, reservation_id);
      PAYVOX_RETURN_IF_ERROR(update.Run());
      if (db_.changes() == 0) {
        return absl::NotFoundError(absl::StrCat("store: no reservation ", reservation_id));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("store: unknown settlement");
}

// --- Actions that call Stripe ---

absl::StatusOr<StartedAction> SqliteStore::StartAction(const ActionStart& start) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  StartedAction started;
  if (start.in_flight_until != absl::InfinitePast()) {
    Statement claim(db_,
                    "INSERT INTO in_flight AS f (tenant, key, until, holder) "
                    "VALUES (?1, ?2, ?3, ?5) ON CONFLICT (tenant, key) DO UPDATE SET "
                    "until = excluded.until, holder = excluded.holder "
                    "WHERE f.until <= ?4 OR f.holder = excluded.holder");
    claim.Bind(1, start.intent.tenant_id());
    claim.Bind(2, start.intent.idempotency_key());
    claim.Bind(3, Micros(start.in_flight_until));
    claim.Bind(4, Micros(clock_.Now()));
    claim.Bind(5, start.in_flight_holder);
    PAYVOX_RETURN_IF_ERROR(claim.Run());
    if (db_.changes() == 0) return InFlightError();
    Statement answered(db_,
                       "SELECT 1 FROM idempotency WHERE tenant = ?1 AND key = ?2 AND expires > ?3");
    answered.Bind(1, start.intent.tenant_id());
    answered.Bind(2, start.intent.idempotency_key());
    answered.Bind(3, Micros(clock_.Now()));
    PAYVOX_ASSIGN_OR_RETURN(const bool saved, answered.Step());
    if (saved) return AnsweredMeanwhileError();
  }
  if (start.reservation.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(started.reservation_id, ReserveLocked(*start.reservation));
  }
  PAYVOX_ASSIGN_OR_RETURN(started.intent, AppendLocked(start.intent));
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return started;
}

absl::Status SqliteStore::FinishAction(const ActionFinish& finish) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  if (finish.reservation_id != 0) {
    PAYVOX_RETURN_IF_ERROR(SettleLocked(finish.reservation_id, finish.settlement));
  }
  if (!finish.in_flight_key.empty()) {
    Statement release(db_, "DELETE FROM in_flight WHERE tenant = ?1 AND key = ?2");
    release.Bind(1, finish.completion.tenant_id());
    release.Bind(2, finish.in_flight_key);
    PAYVOX_RETURN_IF_ERROR(release.Run());
  }
  PAYVOX_RETURN_IF_ERROR(AppendLocked(finish.completion).status());
  if (finish.answer.has_value()) {
    // A key already answering another request keeps its answer; the
    // completion must be recorded all the same.
    const absl::Status saved = SaveRecordLocked(*finish.answer);
    if (!saved.ok() && saved.code() != absl::StatusCode::kAborted) return saved;
  }
  return transaction.Commit();
}

absl::Status SqliteStore::SettleReservation(const std::string& idempotency_key, bool commit,
                                            absl::Time attempted_before) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement settle(db_, commit ? "UPDATE reservations SET state = 'committed' "
                                 "WHERE idempotency_key = ?1 AND state = 'pending'"
                               : "DELETE FROM reservations WHERE idempotency_key = ?1 "
                                 "AND state = 'pending' AND attempted < ?2");
  settle.Bind(1, idempotency_key);
  if (!commit) settle.Bind(2, Micros(attempted_before));
  return settle.Run();
}

absl::StatusOr<int> SqliteStore::ReleaseOrphanReservations(absl::Time before) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement remove(
      db_,
      "DELETE FROM reservations WHERE state = 'pending' AND attempted < ?1 AND "
      "(idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM audit a "
      "WHERE a.kind = 'intent' AND a.idempotency_key = reservations.idempotency_key))");
  remove.Bind(1, Micros(before));
  PAYVOX_RETURN_IF_ERROR(remove.Run());
  return db_.changes();
}

absl::StatusOr<int> SqliteStore::ExpireReservations(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement remove(db_, "DELETE FROM reservations WHERE state = 'pending' AND expires <= ?1");
  remove.Bind(1, Micros(now));
  PAYVOX_RETURN_IF_ERROR(remove.Run());
  const int expired = db_.changes();
  PAYVOX_RETURN_IF_ERROR(SweepVerifications(db_, now - options_.verification_retention));
  return expired;
}

// --- Idempotency records ---

absl::StatusOr<std::optional<IdempotencyRecord>> SqliteStore::FindIdempotencyRecord(
    const std::string& tenant_id, const std::string& key, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT action, fingerprint, response, expires FROM idempotency "
                   "WHERE tenant = ?1 AND key = ?2 AND expires > ?3");
  select.Bind(1, tenant_id);
  select.Bind(2, key);
  select.Bind(3, Micros(now));
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::nullopt;
  return IdempotencyRecord{.tenant_id = tenant_id,
                           .key = key,
                           .action = select.Text(0),
                           .fingerprint = select.Text(1),
                           .response = select.Blob(2),
                           .expires_at = absl::FromUnixMicros(select.Int(3))};
}

absl::Status SqliteStore::SaveIdempotencyRecord(const IdempotencyRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  return SaveRecordLocked(record);
}

absl::Status SqliteStore::SaveRecordLocked(const IdempotencyRecord& record) {
  // An expired record of another request gives its key up.
  Statement upsert(
      db_,
      "INSERT INTO idempotency (tenant, key, action, fingerprint, response, expires) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (tenant, key) DO UPDATE SET action = excluded.action, "
      "fingerprint = excluded.fingerprint, response = excluded.response, "
      "expires = excluded.expires "
      "WHERE idempotency.fingerprint = excluded.fingerprint OR idempotency.expires <= ?7");
  upsert.Bind(1, record.tenant_id);
  upsert.Bind(2, record.key);
  upsert.Bind(3, record.action);
  upsert.Bind(4, record.fingerprint);
  upsert.BindBlob(5, record.response);
  upsert.Bind(6, Micros(record.expires_at));
  upsert.Bind(7, Micros(clock_.Now()));
  PAYVOX_RETURN_IF_ERROR(upsert.Run());
  if (db_.changes() == 0) {
    return absl::AbortedError(absl::StrCat("idempotency key ", record.key,
                                           " already holds the answer to a different request"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SqliteStore::ExpireIdempotencyRecords(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement remove(db_, "DELETE FROM idempotency WHERE expires <= ?1");
  remove.Bind(1, Micros(now));
  PAYVOX_RETURN_IF_ERROR(remove.Run());
  return db_.changes();
}

// --- Hand-off sessions ---

absl::Status SqliteStore::CreateHandoffSession(const HandoffSession& session) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT INTO handoff_sessions (tenant, session_id, call_id, customer_id, "
                   "payment_intent_id, amount, currency, state, created) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                   "ON CONFLICT (tenant, session_id) DO NOTHING");
  insert.Bind(1, session.tenant_id);
  insert.Bind(2, session.session_id);
  insert.Bind(3, session.call_id);
  insert.Bind(4, session.customer_id);
  insert.Bind(5, session.payment_intent_id);
  insert.Bind(6, session.amount);
  insert.Bind(7, session.currency);
  insert.Bind(8, session.state);
  insert.Bind(9, Micros(session.created));
  return insert.Run();
}

absl::StatusOr<std::optional<HandoffSession>> SqliteStore::FindHandoffSession(
    const std::string& tenant_id, const std::string& payment_intent_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT session_id, call_id, customer_id, amount, currency, state, created "
                   "FROM handoff_sessions WHERE tenant = ?1 AND payment_intent_id = ?2");
  select.Bind(1, tenant_id);
  select.Bind(2, payment_intent_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<HandoffSession>();
  return std::optional<HandoffSession>(
      HandoffSession{.tenant_id = tenant_id,
                     .session_id = select.Text(0),
                     .call_id = select.Text(1),
                     .customer_id = select.Text(2),
                     .payment_intent_id = payment_intent_id,
                     .amount = select.Int(3),
                     .currency = select.Text(4),
                     .state = select.Text(5),
                     .created = absl::FromUnixMicros(select.Int(6))});
}

absl::Status SqliteStore::UpdateHandoffState(const std::string& tenant_id,
                                             const std::string& payment_intent_id,
                                             const std::string& state) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(
      db_, "SELECT state FROM handoff_sessions WHERE tenant = ?1 AND payment_intent_id = ?2");
  select.Bind(1, tenant_id);
  select.Bind(2, payment_intent_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no hand-off session for payment intent ", payment_intent_id));
  }
  // Stripe does not deliver events in order: a capture that succeeded or
  // was canceled is final, so a late "failed" (an earlier attempt) does not
  // undo it. After "failed" the caller may try again and succeed.
  const std::string current = select.Text(0);
  if (current == "succeeded" || current == "canceled") return absl::OkStatus();
  Statement update(db_,
                   "UPDATE handoff_sessions SET state = ?3 "
                   "WHERE tenant = ?1 AND payment_intent_id = ?2");
  update.Bind(1, tenant_id);
  update.Bind(2, payment_intent_id);
  update.Bind(3, state);
  return update.Run();
}

}  // namespace payvox
