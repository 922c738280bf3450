#include "store/postgres_store.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/audit_chain.h"

namespace payvox {
namespace {

using pg::Params;

// Migrations: index i brings the schema from version i to i + 1. Never edit
// one that has shipped; append a new one. Times are Unix microseconds
// (BIGINT), as in the SQLite schema; expiry NULL means never.
constexpr std::array<const char*, 1> kMigrations = {
    R"sql(
CREATE TABLE verification (
  tenant TEXT NOT NULL, call_id TEXT NOT NULL, customer_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, verified_until BIGINT NOT NULL, touched BIGINT NOT NULL,
  PRIMARY KEY (tenant, call_id, customer_id));
CREATE INDEX verification_by_touched ON verification (touched);
CREATE TABLE policies (tenant TEXT PRIMARY KEY, policy BYTEA NOT NULL, updated BIGINT NOT NULL);
CREATE TABLE audit (
  tenant TEXT NOT NULL, sequence BIGINT NOT NULL, kind TEXT NOT NULL,
  call_id TEXT NOT NULL, customer_id TEXT NOT NULL, action TEXT NOT NULL,
  ok INTEGER NOT NULL, created BIGINT NOT NULL, completes_sequence BIGINT NOT NULL,
  record BYTEA NOT NULL, hash TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  PRIMARY KEY (tenant, sequence));
CREATE INDEX audit_by_key ON audit (idempotency_key, tenant, kind);
CREATE INDEX audit_completions ON audit (tenant, completes_sequence) WHERE kind = 'completion';
CREATE INDEX audit_intents ON audit (created) WHERE kind = 'intent';
CREATE INDEX audit_by_time ON audit (tenant, created);
CREATE TABLE reservations (
  id BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, kind TEXT NOT NULL,
  currency TEXT NOT NULL, day TEXT NOT NULL, customer_id TEXT NOT NULL,
  amount BIGINT NOT NULL, state TEXT NOT NULL, expires BIGINT NOT NULL,
  created BIGINT NOT NULL, attempted BIGINT NOT NULL, idempotency_key TEXT UNIQUE);
CREATE INDEX reservations_usage ON reservations (tenant, kind, currency, day, customer_id);
CREATE INDEX reservations_pending ON reservations (attempted) WHERE state = 'pending';
CREATE INDEX reservations_expiry ON reservations (expires) WHERE state = 'pending';
-- Running totals of reservations per day, kept by triggers, so a limit
-- check reads one row. customer_id '*' is the whole tenant.
CREATE TABLE usage_totals (
  tenant TEXT NOT NULL, kind TEXT NOT NULL, currency TEXT NOT NULL, day TEXT NOT NULL,
  customer_id TEXT NOT NULL, total BIGINT NOT NULL, count BIGINT NOT NULL,
  PRIMARY KEY (tenant, kind, currency, day, customer_id));
CREATE FUNCTION usage_on_reserve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_totals AS u
    SELECT NEW.tenant, NEW.kind, NEW.currency, NEW.day, who, NEW.amount, 1
    FROM (VALUES ('*'), (NEW.customer_id)) AS w (who) ORDER BY who
    ON CONFLICT (tenant, kind, currency, day, customer_id)
    DO UPDATE SET total = u.total + excluded.total, count = u.count + 1;
  RETURN NULL;
END $$;
CREATE FUNCTION usage_on_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE usage_totals SET total = total - OLD.amount, count = count - 1
    WHERE tenant = OLD.tenant AND kind = OLD.kind AND currency = OLD.currency
      AND day = OLD.day AND customer_id IN ('*', OLD.customer_id);
  RETURN NULL;
END $$;
CREATE TRIGGER usage_on_reserve AFTER INSERT ON reservations
  FOR EACH ROW EXECUTE FUNCTION usage_on_reserve();
CREATE TRIGGER usage_on_release AFTER DELETE ON reservations
  FOR EACH ROW EXECUTE FUNCTION usage_on_release();
CREATE TABLE approvals (
  tenant TEXT NOT NULL, approval_id TEXT NOT NULL, state TEXT NOT NULL,
  expires BIGINT NOT NULL, record BYTEA NOT NULL, payload BYTEA NOT NULL,
  PRIMARY KEY (tenant, approval_id));
CREATE TABLE idempotency (
  tenant TEXT NOT NULL, key TEXT NOT NULL, action TEXT NOT NULL,
  fingerprint TEXT NOT NULL, response BYTEA NOT NULL, expires BIGINT NOT NULL,
  PRIMARY KEY (tenant, key));
CREATE INDEX idempotency_by_expiry ON idempotency (expires);
CREATE TABLE handoff_sessions (
  tenant TEXT NOT NULL, session_id TEXT NOT NULL, call_id TEXT NOT NULL,
  customer_id TEXT NOT NULL, payment_intent_id TEXT NOT NULL, amount BIGINT NOT NULL,
  currency TEXT NOT NULL, state TEXT NOT NULL, created BIGINT NOT NULL,
  PRIMARY KEY (tenant, session_id));
CREATE UNIQUE INDEX handoff_by_intent ON handoff_sessions (tenant, payment_intent_id);
CREATE TABLE events (
  tenant TEXT NOT NULL, sequence BIGINT NOT NULL, stripe_event_id TEXT NOT NULL,
  type TEXT NOT NULL, created BIGINT NOT NULL, event BYTEA NOT NULL,
  PRIMARY KEY (tenant, sequence));
CREATE UNIQUE INDEX events_by_stripe_id ON events (tenant, stripe_event_id);
-- Each tenant's highest sequence, kept with every append: replicas read
-- what is new for every tenant in one small query (EventHeads).
CREATE TABLE event_heads (tenant TEXT PRIMARY KEY, sequence BIGINT NOT NULL);
CREATE TABLE tenants (
  tenant TEXT PRIMARY KEY, display_name TEXT NOT NULL, created BIGINT NOT NULL,
  stripe_key_sealed TEXT NOT NULL DEFAULT '', stripe_mode TEXT NOT NULL DEFAULT '');
CREATE TABLE tenant_tokens (
  token_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL REFERENCES tenants (tenant),
  created BIGINT NOT NULL, expires_at BIGINT);
CREATE TABLE webhook_endpoints (
  tenant TEXT NOT NULL, endpoint_id TEXT NOT NULL, url TEXT NOT NULL,
  secret_sealed TEXT NOT NULL, created BIGINT NOT NULL, expires_at BIGINT,
  PRIMARY KEY (tenant, endpoint_id));
-- Which replica runs a job (the reconciler, housekeeping), until when.
CREATE TABLE job_leases (job TEXT PRIMARY KEY, holder TEXT NOT NULL, until BIGINT NOT NULL);
-- Live replicas, each until its heartbeat runs out (Heartbeat).
CREATE TABLE replicas (name TEXT PRIMARY KEY, until BIGINT NOT NULL);
-- Requests being carried out now (ActionStart::in_flight_until), by key.
CREATE TABLE in_flight (
  tenant TEXT NOT NULL, key TEXT NOT NULL, until BIGINT NOT NULL, holder TEXT NOT NULL,
  PRIMARY KEY (tenant, key));
)sql",
};

// The session advisory lock Migrate holds (LockKey's hashes could meet
// it: a collision only makes a migration wait for a transaction).
// The channel AppendEvent notifies (no payload) and WatchEvents listens on.
constexpr char kEventsChannel[] = "payvox_events";

constexpr int64_t kMigrationLock = 0x7061'7976'6f78'0001;  // "payvox" 1

int64_t Micros(absl::Time time) { return absl::ToUnixMicros(time); }

// Expiry times: NULL in the database for "never".
Params& Expiry(Params& params, absl::Time at) {
  return at == absl::InfiniteFuture() ? params.Null() : params.Int(Micros(at));
}
absl::Time ReadExpiry(const pg::Result& result, int row, int column) {
  return result.IsNull(row, column) ? absl::InfiniteFuture()
                                    : absl::FromUnixMicros(result.Int(row, column));
}

template <typename Message>
absl::StatusOr<Message> Parse(const std::string& bytes, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("store: ", what, " is unreadable"));
  }
  return message;
}

// Records reads column 0 of every row as an audit record.
absl::StatusOr<std::vector<v1::AuditRecord>> Records(const pg::Result& result) {
  std::vector<v1::AuditRecord> out;
  out.reserve(static_cast<size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    PAYVOX_ASSIGN_OR_RETURN(v1::AuditRecord record,
                            Parse<v1::AuditRecord>(result.Bytes(row, 0), "an audit record"));
    out.push_back(std::move(record));
  }
  return out;
}

std::string UsageLockName(const UsageKey& key) {
  return absl::StrCat("usage/", key.tenant_id, "/", key.kind, "/", key.currency, "/", key.day);
}

// Sum and count of pending and committed reservations of the tenant
// (customer "*") or of one customer of it.
absl::StatusOr<std::pair<int64_t, int64_t>> SumReservations(pg::Connection& db, const UsageKey& key,
                                                            const std::string& customer_id) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result totals,
      db.Exec("SELECT total, count FROM usage_totals WHERE tenant = $1 AND kind = $2 "
              "AND currency = $3 AND day = $4 AND customer_id = $5",
              Params()
                  .Text(key.tenant_id)
                  .Text(key.kind)
                  .Text(key.currency)
                  .Text(key.day)
                  .Text(customer_id)));
  if (totals.rows() == 0) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{totals.Int(0, 0), totals.Int(0, 1)};
}

absl::Status InsertToken(pg::Connection& db, const TenantToken& token) {
  Params params;
  params.Text(token.token_hash).Text(token.tenant_id).Int(Micros(token.created));
  Expiry(params, token.expires_at);
  return db
      .Exec(
          "INSERT INTO tenant_tokens (token_hash, tenant, created, expires_at) "
          "VALUES ($1, $2, $3, $4)",
          params)
      .status();
}

Params VerificationParams(const VerificationKey& key) {
  Params params;
  params.Text(key.tenant_id).Text(key.call_id).Text(key.customer_id);
  return params;
}

}  // namespace

int PostgresStore::SchemaVersion() { return static_cast<int>(kMigrations.size()); }

absl::StatusOr<int> PostgresStore::Migrate(pg::Connection& db) {
  PAYVOX_RETURN_IF_ERROR(
      db.Exec("SELECT pg_advisory_lock($1)", Params().Int(kMigrationLock)).status());
  absl::StatusOr<int> found = [&]() -> absl::StatusOr<int> {
    PAYVOX_RETURN_IF_ERROR(
        db.ExecScript("CREATE TABLE IF NOT EXISTS payvox_schema (version INTEGER NOT NULL, "
                      "applied BIGINT NOT NULL)"));
    PAYVOX_ASSIGN_OR_RETURN(pg::Result current,
                            db.Exec("SELECT COALESCE(MAX(version), 0) FROM payvox_schema"));
    const int version = static_cast<int>(current.Int(0, 0));
    if (version > SchemaVersion()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store: the database has schema version ", version,
          ", newer than this payvox understands (", SchemaVersion(), "); run a newer payvox"));
    }
    for (int next = version; next < SchemaVersion(); ++next) {
      PAYVOX_RETURN_IF_ERROR(db.ExecScript("BEGIN"));
      absl::Status applied = db.ExecScript(kMigrations[static_cast<size_t>(next)]);
      if (applied.ok()) {
        applied = db.Exec(
                        "INSERT INTO payvox_schema (version, applied) VALUES ($1, "
                        "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint)",
                        Params().Int(next + 1))
                      .status();
      }
      if (applied.ok()) applied = db.ExecScript("COMMIT");
      if (!applied.ok()) {
        db.ExecScript("ROLLBACK").IgnoreError();
        return absl::Status(applied.code(), absl::StrCat("store: migration to schema version ",
                                                         next + 1, ": ", applied.message()));
      }
    }
    return version;
  }();
  db.Exec("SELECT pg_advisory_unlock($1)", Params().Int(kMigrationLock)).IgnoreError();
  return found;
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(
    const PostgresStoreOptions& options, const Clock& clock) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options, clock));
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, store->pool_.Acquire());
  if (options.migrate) {
    PAYVOX_RETURN_IF_ERROR(Migrate(*db).status());
  } else {
    absl::StatusOr<pg::Result> current =
        db->Exec("SELECT COALESCE(MAX(version), 0) FROM payvox_schema");
    const int64_t version = current.ok() ? current->Int(0, 0) : 0;
    if (version != SchemaVersion()) {
      return absl::FailedPreconditionError(
          absl::StrCat("store: the database has schema version ", version, ", this payvox needs ",
                       SchemaVersion(), ": run `payvoxd --migrate` (or a newer payvox)"));
    }
  }
  return store;
}

PostgresStore::PostgresStore(const PostgresStoreOptions& options, const Clock& clock)
    : clock_(clock), options_(options), pool_(options.pool, clock) {}

PostgresStore::~PostgresStore() = default;

absl::StatusOr<pg::Result> PostgresStore::Query(absl::string_view sql, const Params& params) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return db->Exec(sql, params);
}

absl::Status PostgresStore::ExecForTesting(const std::string& sql) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return db->ExecScript(sql);
}

absl::Status PostgresStore::Ping() { return Query("SELECT 1").status(); }

absl::StatusOr<bool> PostgresStore::HoldLease(absl::string_view job, absl::string_view holder,
                                              absl::Time now, absl::Time until) {
  // One statement: the row's lock orders replicas asking at once.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result held,
      Query("INSERT INTO job_leases AS l (job, holder, until) VALUES ($1, $2, $4) "
            "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until "
            "WHERE l.holder = excluded.holder OR l.until <= $3 RETURNING holder",
            Params().Text(job).Text(holder).Int(Micros(now)).Int(Micros(until))));
  return held.rows() == 1;
}

absl::StatusOr<int> PostgresStore::Heartbeat(absl::string_view replica, absl::Time now,
                                             absl::Time until) {
  int live = 1;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_RETURN_IF_ERROR(db.Exec("INSERT INTO replicas (name, until) VALUES ($1, $2) "
                                   "ON CONFLICT (name) DO UPDATE SET until = excluded.until",
                                   Params().Text(replica).Int(Micros(until)))
                               .status());
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("DELETE FROM replicas WHERE until <= $1", Params().Int(Micros(now))).status());
    PAYVOX_ASSIGN_OR_RETURN(pg::Result count, db.Exec("SELECT COUNT(*) FROM replicas"));
    live = static_cast<int>(count.Int(0, 0));
    return absl::OkStatus();
  }));
  return live;
}

// --- Verification ---

absl::Status PostgresStore::EndVerifications(const std::string& tenant_id,
                                             const std::string& call_id) {
  return Query(
             "UPDATE verification SET verified_until = 0, touched = $3 "
             "WHERE tenant = $1 AND call_id = $2",
             Params().Text(tenant_id).Text(call_id).Int(Micros(clock_.Now())))
      .status();
}

absl::StatusOr<VerificationState> PostgresStore::GetVerification(const VerificationKey& key) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result state,
                          Query("SELECT attempts, verified_until FROM verification "
                                "WHERE tenant = $1 AND call_id = $2 AND customer_id = $3",
                                VerificationParams(key)));
  if (state.rows() == 0) return VerificationState{};
  return VerificationState{static_cast<int>(state.Int(0, 0)),
                           absl::FromUnixMicros(state.Int(0, 1))};
}

absl::StatusOr<VerificationState> PostgresStore::ReserveVerificationAttempt(
    const VerificationKey& key, int max_attempts) {
  if (max_attempts <= 0) {
    return absl::ResourceExhaustedError("no verification attempts left for this call");
  }
  // One statement: the row lock of the upsert makes concurrent guesses on
  // every replica count one by one.
  Params params = VerificationParams(key);
  params.Int(Micros(absl::InfinitePast())).Int(Micros(clock_.Now())).Int(max_attempts);
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result state,
      Query("INSERT INTO verification AS v (tenant, call_id, customer_id, attempts, "
            "verified_until, touched) VALUES ($1, $2, $3, 1, $4, $5) "
            "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
            "attempts = v.attempts + 1, touched = excluded.touched WHERE v.attempts < $6 "
            "RETURNING attempts, verified_until",
            params));
  if (state.rows() == 0) {
    return absl::ResourceExhaustedError("no verification attempts left for this call");
  }
  return VerificationState{static_cast<int>(state.Int(0, 0)),
                           absl::FromUnixMicros(state.Int(0, 1))};
}

absl::Status PostgresStore::ReleaseVerificationAttempt(const VerificationKey& key) {
  Params params = VerificationParams(key);
  params.Int(Micros(clock_.Now()));
  return Query(
             "UPDATE verification SET attempts = GREATEST(attempts - 1, 0), touched = $4 "
             "WHERE tenant = $1 AND call_id = $2 AND customer_id = $3",
             params)
      .status();
}

absl::Status PostgresStore::MarkVerified(const VerificationKey& key, absl::Time until) {
  Params params = VerificationParams(key);
  params.Int(Micros(until)).Int(Micros(clock_.Now()));
  return Query(
             "INSERT INTO verification (tenant, call_id, customer_id, attempts, "
             "verified_until, touched) VALUES ($1, $2, $3, 0, $4, $5) "
             "ON CONFLICT (tenant, call_id, customer_id) DO UPDATE SET "
             "verified_until = excluded.verified_until, touched = excluded.touched",
             params)
      .status();
}

// --- Policies ---

absl::StatusOr<std::optional<v1::TenantPolicy>> PostgresStore::GetPolicy(
    const std::string& tenant_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result policy, Query("SELECT policy FROM policies WHERE tenant = $1",
                                                   Params().Text(tenant_id)));
  if (policy.rows() == 0) return std::optional<v1::TenantPolicy>();
  PAYVOX_ASSIGN_OR_RETURN(
      v1::TenantPolicy parsed,
      Parse<v1::TenantPolicy>(policy.Bytes(0, 0), absl::StrCat("the policy of ", tenant_id)));
  return std::optional<v1::TenantPolicy>(std::move(parsed));
}

absl::Status PostgresStore::SetPolicy(const std::string& tenant_id,
                                      const v1::TenantPolicy& policy) {
  return Query(
             "INSERT INTO policies (tenant, policy, updated) VALUES ($1, $2, $3) "
             "ON CONFLICT (tenant) DO UPDATE SET policy = excluded.policy, "
             "updated = excluded.updated",
             Params().Text(tenant_id).Bytes(policy.SerializeAsString()).Int(Micros(clock_.Now())))
      .status();
}

// --- Audit trail ---

absl::StatusOr<v1::AuditRecord> PostgresStore::AppendIn(pg::Connection& db,
                                                        v1::AuditRecord record) {
  if (record.tenant_id().empty()) return absl::InvalidArgumentError("store: audit without tenant");
  // The chain's head is read after the lock is held (a statement of its
  // own, so its snapshot sees every append committed before).
  PAYVOX_RETURN_IF_ERROR(pg::LockKey(db, absl::StrCat("audit/", record.tenant_id())));
  PAYVOX_ASSIGN_OR_RETURN(pg::Result last, db.Exec("SELECT sequence, hash FROM audit WHERE "
                                                   "tenant = $1 ORDER BY sequence DESC LIMIT 1",
                                                   Params().Text(record.tenant_id())));
  const bool any = last.rows() > 0;
  record.set_sequence(any ? last.Int(0, 0) + 1 : 1);
  record.set_created_unix_micros(Micros(clock_.Now()));
  record.clear_hash();
  record.set_hash(ChainHash(any ? last.Text(0, 1) : "", record));
  PAYVOX_RETURN_IF_ERROR(
      db.Exec("INSERT INTO audit (tenant, sequence, kind, call_id, customer_id, action, ok, "
              "created, completes_sequence, record, hash, idempotency_key) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
              Params()
                  .Text(record.tenant_id())
                  .Int(record.sequence())
                  .Text(record.kind())
                  .Text(record.call_id())
                  .Text(record.customer_id())
                  .Text(record.action())
                  .Int(record.ok() ? 1 : 0)
                  .Int(record.created_unix_micros())
                  .Int(record.completes_sequence())
                  .Bytes(record.SerializeAsString())
                  .Text(record.hash())
                  .Text(record.idempotency_key()))
          .status());
  return record;
}

absl::StatusOr<v1::AuditRecord> PostgresStore::AppendAudit(v1::AuditRecord record) {
  PAYVOX_ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> appended,
                          AppendAuditBatch({std::move(record)}));
  return std::move(appended.front());
}

absl::StatusOr<std::vector<v1::AuditRecord>> PostgresStore::AppendAuditBatch(
    std::vector<v1::AuditRecord> records) {
  std::vector<v1::AuditRecord> out;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    out.clear();
    for (const v1::AuditRecord& record : records) {
      PAYVOX_ASSIGN_OR_RETURN(v1::AuditRecord appended, AppendIn(db, record));
      out.push_back(std::move(appended));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::AuditRecord>> PostgresStore::QueryAudit(
    const v1::QueryAuditRequest& query) {
  PAYVOX_RETURN_IF_ERROR(CheckAuditQuery(query));
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows,
      Query("SELECT record FROM audit WHERE tenant = $1 AND sequence > $2 "
            "AND created >= $3 AND created < $4 "
            "AND ($5::text = '' OR call_id = $5) AND ($6::text = '' OR customer_id = $6) "
            "AND ($7::text = '' OR action = $7) AND ($8::int < 0 OR ok = $8) "
            "ORDER BY sequence LIMIT $9",
            Params()
                .Text(query.tenant_id())
                .Int(query.after_sequence())
                .Int(query.since_unix() > 0 ? query.since_unix() * 1'000'000 : INT64_MIN)
                .Int(query.until_unix() > 0 ? query.until_unix() * 1'000'000 : INT64_MAX)
                .Text(query.call_id())
                .Text(query.customer_id())
                .Text(query.action())
                .Int(query.result().empty() ? -1 : (query.result() == "ok" ? 1 : 0))
                .Int(AuditQueryLimit(query))));
  return Records(rows);
}

absl::StatusOr<v1::VerifyAuditChainResponse> PostgresStore::VerifyAuditChain(
    const std::string& tenant_id) {
  ChainCheck check;
  // In pages, so a long trail is never held in memory at once.
  constexpr int kPage = 1000;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(pg::Result page,
                            Query("SELECT sequence, record, hash FROM audit WHERE tenant = $1 "
                                  "AND sequence >= $2 ORDER BY sequence LIMIT $3",
                                  Params().Text(tenant_id).Int(check.expected()).Int(kPage)));
    for (int row = 0; row < page.rows(); ++row) {
      if (!check.Next(page.Int(row, 0), page.Bytes(row, 1), page.Text(row, 2))) {
        return check.result();
      }
    }
    if (page.rows() < kPage) return check.result();
  }
}

absl::StatusOr<std::vector<v1::AuditRecord>> PostgresStore::OpenIntents() {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows,
      Query("SELECT i.record FROM audit i WHERE i.kind = 'intent' AND NOT EXISTS ("
            "SELECT 1 FROM audit c WHERE c.kind = 'completion' AND c.tenant = i.tenant "
            "AND c.completes_sequence = i.sequence) ORDER BY i.created, i.tenant, i.sequence"));
  return Records(rows);
}

absl::StatusOr<std::vector<v1::AuditRecord>> PostgresStore::UnsettledIntents(absl::Time before) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows,
      Query("SELECT i.record FROM reservations r JOIN LATERAL ("
            "SELECT record, created, sequence FROM audit a WHERE a.idempotency_key = "
            "r.idempotency_key AND a.tenant = r.tenant AND a.kind = 'intent' "
            "ORDER BY a.sequence DESC LIMIT 1) i ON true "
            "WHERE r.state = 'pending' AND r.attempted < $1 AND r.idempotency_key IS NOT NULL "
            "ORDER BY i.created, i.sequence",
            Params().Int(Micros(before))));
  return Records(rows);
}

// --- Actions that call Stripe ---

absl::StatusOr<StartedAction> PostgresStore::StartAction(const ActionStart& start) {
  StartedAction started;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    started = StartedAction{};
    if (start.in_flight_until != absl::InfinitePast()) {
      // The row's lock makes a second start of the key, on any replica,
      // wait for this transaction and then find the claim.
      PAYVOX_ASSIGN_OR_RETURN(
          pg::Result claimed,
          db.Exec("INSERT INTO in_flight AS f (tenant, key, until, holder) "
                  "VALUES ($1, $2, $3, $5) ON CONFLICT (tenant, key) DO UPDATE SET "
                  "until = excluded.until, holder = excluded.holder "
                  "WHERE f.until <= $4 OR f.holder = excluded.holder",
                  Params()
                      .Text(start.intent.tenant_id())
                      .Text(start.intent.idempotency_key())
                      .Int(Micros(start.in_flight_until))
                      .Int(Micros(clock_.Now()))
                      .Text(start.in_flight_holder)));
      if (claimed.affected() == 0) return InFlightError();
      // After the claim's lock: a finish that committed before it is seen.
      PAYVOX_ASSIGN_OR_RETURN(
          pg::Result answered,
          db.Exec("SELECT 1 FROM idempotency WHERE tenant = $1 AND key = $2 AND expires > $3",
                  Params()
                      .Text(start.intent.tenant_id())
                      .Text(start.intent.idempotency_key())
                      .Int(Micros(clock_.Now()))));
      if (answered.rows() > 0) return AnsweredMeanwhileError();
    }
    if (start.reservation.has_value()) {
      PAYVOX_ASSIGN_OR_RETURN(started.reservation_id, ReserveIn(db, *start.reservation));
    }
    PAYVOX_ASSIGN_OR_RETURN(started.intent, AppendIn(db, start.intent));
    return absl::OkStatus();
  }));
  return started;
}

absl::Status PostgresStore::FinishAction(const ActionFinish& finish) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    if (finish.reservation_id != 0) {
      PAYVOX_RETURN_IF_ERROR(SettleIn(db, finish.reservation_id, finish.settlement));
    }
    if (!finish.in_flight_key.empty()) {
      PAYVOX_RETURN_IF_ERROR(
          db.Exec("DELETE FROM in_flight WHERE tenant = $1 AND key = $2",
                  Params().Text(finish.completion.tenant_id()).Text(finish.in_flight_key))
              .status());
    }
    PAYVOX_RETURN_IF_ERROR(AppendIn(db, finish.completion).status());
    if (finish.answer.has_value()) {
      // A key already answering another request keeps its answer; the
      // completion must be recorded all the same.
      const absl::Status saved = SaveRecordIn(db, *finish.answer);
      if (!saved.ok() && saved.code() != absl::StatusCode::kAborted) return saved;
    }
    return absl::OkStatus();
  });
}

// --- Limit reservations ---

absl::StatusOr<Usage> PostgresStore::GetUsage(const UsageKey& key, const std::string& customer_id,
                                              const std::string& own_idempotency_key) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(*db, key, "*"));
  PAYVOX_ASSIGN_OR_RETURN(const auto customer, SumReservations(*db, key, customer_id));
  Usage usage{tenant.first, tenant.second, customer.first};
  if (own_idempotency_key.empty()) return usage;
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result own,
      db->Exec("SELECT amount, customer_id FROM reservations WHERE idempotency_key = $1 "
               "AND tenant = $2 AND kind = $3 AND currency = $4 AND day = $5 "
               "AND state != 'released'",
               Params()
                   .Text(own_idempotency_key)
                   .Text(key.tenant_id)
                   .Text(key.kind)
                   .Text(key.currency)
                   .Text(key.day)));
  if (own.rows() > 0) {
    usage.tenant_total -= own.Int(0, 0);
    usage.tenant_count -= 1;
    if (own.Text(0, 1) == customer_id) usage.customer_total -= own.Int(0, 0);
  }
  return usage;
}

absl::StatusOr<int64_t> PostgresStore::ReserveUsage(const ReservationRequest& request) {
  int64_t id = 0;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(id, ReserveIn(db, request));
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<int64_t> PostgresStore::ReserveIn(pg::Connection& db,
                                                 const ReservationRequest& request) {
  if (request.amount < 0) return absl::InvalidArgumentError("store: negative reservation");
  // Every reservation against this day's totals, on every replica, waits
  // here: the check below and the insert are one step for all of them.
  PAYVOX_RETURN_IF_ERROR(pg::LockKey(db, UsageLockName(request.key)));
  const int64_t now = Micros(clock_.Now());
  if (!request.idempotency_key.empty()) {
    PAYVOX_ASSIGN_OR_RETURN(
        pg::Result claimed,
        db.Exec("UPDATE reservations SET attempted = $2, expires = GREATEST(expires, $3) "
                "WHERE idempotency_key = $1 RETURNING id",
                Params().Text(request.idempotency_key).Int(now).Int(Micros(request.expires_at))));
    if (claimed.rows() > 0) return claimed.Int(0, 0);
  }
  if (request.tenant_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto tenant, SumReservations(db, request.key, "*"));
    if (tenant.first + request.amount > *request.tenant_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the tenant's daily ", request.key.kind, " limit would be passed"));
    }
  }
  if (request.customer_limit.has_value()) {
    PAYVOX_ASSIGN_OR_RETURN(const auto customer,
                            SumReservations(db, request.key, request.customer_id));
    if (customer.first + request.amount > *request.customer_limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the customer's daily ", request.key.kind, " limit would be passed"));
    }
  }
  Params params;
  params.Text(request.key.tenant_id)
      .Text(request.key.kind)
      .Text(request.key.currency)
      .Text(request.key.day)
      .Text(request.customer_id)
      .Int(request.amount)
      .Int(Micros(request.expires_at));
  if (request.idempotency_key.empty()) {
    params.Null();
  } else {
    params.Text(request.idempotency_key);
  }
  params.Int(now);
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result inserted,
      db.Exec("INSERT INTO reservations (tenant, kind, currency, day, customer_id, amount, "
              "state, expires, idempotency_key, created, attempted) "
              "VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $9) RETURNING id",
              params));
  return inserted.Int(0, 0);
}

absl::Status PostgresStore::CommitReservation(int64_t reservation_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SettleIn(*db, reservation_id, Settlement::kCommit);
}

absl::Status PostgresStore::ReleaseReservation(int64_t reservation_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SettleIn(*db, reservation_id, Settlement::kRelease);
}

absl::Status PostgresStore::SettleIn(pg::Connection& db, int64_t reservation_id,
                                     Settlement settlement) {
  switch (settlement) {
    case Settlement::kKeep:
      return absl::OkStatus();
    case Settlement::kRelease:
      return db
          .Exec("DELETE FROM reservations WHERE id = $1 AND state = 'pending'",
                Params().Int(reservation_id))
          .status();
    case Settlement::kCommit: {
      PAYVOX_ASSIGN_OR_RETURN(pg::Result updated,
                              db.Exec("UPDATE reservations SET state = 'committed' WHERE id = $1",
                                      Params().Int(reservation_id)));
      if (updated.affected() == 0) {
        return absl::NotFoundError(absl::StrCat("store: no reservation ", reservation_id));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("store: unknown settlement");
}

absl::Status PostgresStore::SettleReservation(const std::string& idempotency_key, bool commit,
                                              absl::Time attempted_before) {
  if (commit) {
    return Query(
               "UPDATE reservations SET state = 'committed' "
               "WHERE idempotency_key = $1 AND state = 'pending'",
               Params().Text(idempotency_key))
        .status();
  }
  return Query(
             "DELETE FROM reservations WHERE idempotency_key = $1 AND state = 'pending' "
             "AND attempted < $2",
             Params().Text(idempotency_key).Int(Micros(attempted_before)))
      .status();
}

absl::StatusOr<int> PostgresStore::ReleaseOrphanReservations(absl::Time before) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result removed,
      Query("DELETE FROM reservations WHERE state = 'pending' AND attempted < $1 AND "
            "(idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM audit a "
            "WHERE a.kind = 'intent' AND a.idempotency_key = reservations.idempotency_key))",
            Params().Int(Micros(before))));
  return static_cast<int>(removed.affected());
}

absl::StatusOr<int> PostgresStore::ExpireReservations(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result removed,
      Query("DELETE FROM reservations WHERE state = 'pending' AND expires <= $1",
            Params().Int(Micros(now))));
  PAYVOX_RETURN_IF_ERROR(Query("DELETE FROM verification WHERE touched < $1",
                               Params().Int(Micros(now - options_.verification_retention)))
                             .status());
  return static_cast<int>(removed.affected());
}

// --- Idempotency records ---

absl::StatusOr<std::optional<IdempotencyRecord>> PostgresStore::FindIdempotencyRecord(
    const std::string& tenant_id, const std::string& key, absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                          Query("SELECT action, fingerprint, response, expires FROM idempotency "
                                "WHERE tenant = $1 AND key = $2 AND expires > $3",
                                Params().Text(tenant_id).Text(key).Int(Micros(now))));
  if (found.rows() == 0) return std::nullopt;
  return IdempotencyRecord{.tenant_id = tenant_id,
                           .key = key,
                           .action = found.Text(0, 0),
                           .fingerprint = found.Text(0, 1),
                           .response = found.Bytes(0, 2),
                           .expires_at = absl::FromUnixMicros(found.Int(0, 3))};
}

absl::Status PostgresStore::SaveIdempotencyRecord(const IdempotencyRecord& record) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Pool::Lease db, pool_.Acquire());
  return SaveRecordIn(*db, record);
}

absl::Status PostgresStore::SaveRecordIn(pg::Connection& db, const IdempotencyRecord& record) {
  // An expired record of another request gives its key up.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result saved,
      db.Exec("INSERT INTO idempotency AS i (tenant, key, action, fingerprint, response, expires) "
              "VALUES ($1, $2, $3, $4, $5, $6) "
              "ON CONFLICT (tenant, key) DO UPDATE SET action = excluded.action, "
              "fingerprint = excluded.fingerprint, response = excluded.response, "
              "expires = excluded.expires "
              "WHERE i.fingerprint = excluded.fingerprint OR i.expires <= $7",
              Params()
                  .Text(record.tenant_id)
                  .Text(record.key)
                  .Text(record.action)
                  .Text(record.fingerprint)
                  .Bytes(record.response)
                  .Int(Micros(record.expires_at))
                  .Int(Micros(clock_.Now()))));
  if (saved.affected() == 0) {
    return absl::AbortedError(absl::StrCat("idempotency key ", record.key,
                                           " already holds the answer to a different request"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PostgresStore::ExpireIdempotencyRecords(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result removed, Query("DELETE FROM idempotency WHERE expires <= $1",
                                                    Params().Int(Micros(now))));
  return static_cast<int>(removed.affected());
}

// --- Hand-off sessions ---

absl::Status PostgresStore::CreateHandoffSession(const HandoffSession& session) {
  return Query(
             "INSERT INTO handoff_sessions (tenant, session_id, call_id, customer_id, "
             "payment_intent_id, amount, currency, state, created) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
             "ON CONFLICT (tenant, session_id) DO NOTHING",
             Params()
                 .Text(session.tenant_id)
                 .Text(session.session_id)
                 .Text(session.call_id)
                 .Text(session.customer_id)
                 .Text(session.payment_intent_id)
                 .Int(session.amount)
                 .Text(session.currency)
                 .Text(session.state)
                 .Int(Micros(session.created)))
      .status();
}

absl::StatusOr<std::optional<HandoffSession>> PostgresStore::FindHandoffSession(
    const std::string& tenant_id, const std::string& payment_intent_id) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result found,
      Query("SELECT session_id, call_id, customer_id, amount, currency, state, created "
            "FROM handoff_sessions WHERE tenant = $1 AND payment_intent_id = $2",
            Params().Text(tenant_id).Text(payment_intent_id)));
  if (found.rows() == 0) return std::optional<HandoffSession>();
  return std::optional<HandoffSession>(
      HandoffSession{.tenant_id = tenant_id,
                     .session_id = found.Text(0, 0),
                     .call_id = found.Text(0, 1),
                     .customer_id = found.Text(0, 2),
                     .payment_intent_id = payment_intent_id,
                     .amount = found.Int(0, 3),
                     .currency = found.Text(0, 4),
                     .state = found.Text(0, 5),
                     .created = absl::FromUnixMicros(found.Int(0, 6))});
}

absl::Status PostgresStore::UpdateHandoffState(const std::string& tenant_id,
                                               const std::string& payment_intent_id,
                                               const std::string& state) {
  // Stripe does not deliver events in order: a capture that succeeded or
  // was canceled is final, so a late "failed" (an earlier attempt) does not
  // undo it. After "failed" the caller may try again and succeed.
  PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                          Query("WITH s AS (SELECT session_id, state FROM handoff_sessions "
                                "WHERE tenant = $1 AND payment_intent_id = $2 FOR UPDATE), "
                                "u AS (UPDATE handoff_sessions h SET state = $3 FROM s "
                                "WHERE h.tenant = $1 AND h.session_id = s.session_id "
                                "AND s.state NOT IN ('succeeded', 'canceled')) SELECT 1 FROM s",
                                Params().Text(tenant_id).Text(payment_intent_id).Text(state)));
  if (found.rows() == 0) {
    return absl::NotFoundError(
        absl::StrCat("no hand-off session for payment intent ", payment_intent_id));
  }
  return absl::OkStatus();
}

// --- Webhook events ---

absl::StatusOr<AppendedEvent> PostgresStore::AppendEvent(const StoredEvent& stored) {
  AppendedEvent appended;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    // The tenant's sequence is taken under its lock and committed before
    // the next append reads it: sequences become visible in order.
    PAYVOX_RETURN_IF_ERROR(pg::LockKey(db, absl::StrCat("events/", stored.tenant_id)));
    PAYVOX_ASSIGN_OR_RETURN(
        pg::Result seen,
        db.Exec("SELECT sequence FROM events WHERE tenant = $1 AND stripe_event_id = $2",
                Params().Text(stored.tenant_id).Text(stored.event.stripe_event_id())));
    if (seen.rows() > 0) {
      appended = AppendedEvent{.sequence = seen.Int(0, 0), .stored = false};
      return absl::OkStatus();
    }
    PAYVOX_ASSIGN_OR_RETURN(pg::Result last,
                            db.Exec("SELECT COALESCE(MAX(sequence), 0) FROM events "
                                    "WHERE tenant = $1",
                                    Params().Text(stored.tenant_id)));
    v1::PaymentEvent event = stored.event;
    event.set_sequence(last.Int(0, 0) + 1);
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("INSERT INTO events (tenant, sequence, stripe_event_id, type, created, event) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                Params()
                    .Text(stored.tenant_id)
                    .Int(event.sequence())
                    .Text(event.stripe_event_id())
                    .Text(event.type())
                    .Int(event.created())
                    .Bytes(event.SerializeAsString()))
            .status());
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("INSERT INTO event_heads AS h (tenant, sequence) VALUES ($1, $2) "
                "ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence",
                Params().Text(stored.tenant_id).Int(event.sequence()))
            .status());
    appended = AppendedEvent{.sequence = event.sequence(), .stored = true};
    return absl::OkStatus();
  }));
  // Wake the other replicas' feeds, after the commit: a NOTIFY inside the
  // transaction would queue this commit behind PostgreSQL's one global
  // notify lock while the tenant's sequence lock is held. A lost notice
  // only delays (the feeds poll too).
  if (appended.stored && options_.notify_events) {
    Query("SELECT pg_notify($1, '')", Params().Text(kEventsChannel)).IgnoreError();
  }
  return appended;
}

absl::StatusOr<std::vector<v1::PaymentEvent>> PostgresStore::ReadEvents(
    const std::string& tenant_id, int64_t after, int limit) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows,
      Query("SELECT event FROM events WHERE tenant = $1 AND sequence > $2 "
            "ORDER BY sequence LIMIT $3",
            Params().Text(tenant_id).Int(after).Int(std::clamp(limit, 1, 10'000))));
  std::vector<v1::PaymentEvent> events;
  events.reserve(static_cast<size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    PAYVOX_ASSIGN_OR_RETURN(
        v1::PaymentEvent event,
        Parse<v1::PaymentEvent>(rows.Bytes(row, 0), absl::StrCat("an event of ", tenant_id)));
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<int64_t> PostgresStore::LastEventSequence(const std::string& tenant_id) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result last,
                          Query("SELECT COALESCE(MAX(sequence), 0) FROM events WHERE tenant = $1",
                                Params().Text(tenant_id)));
  return last.Int(0, 0);
}

absl::StatusOr<std::vector<EventHead>> PostgresStore::EventHeads() {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result rows,
                          Query("SELECT tenant, sequence FROM event_heads ORDER BY tenant"));
  std::vector<EventHead> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) out.push_back({rows.Text(row, 0), rows.Int(row, 1)});
  return out;
}

namespace {

// PostgresEventWatch: LISTEN on the events channel.
class PostgresEventWatch final : public EventWatch {
 public:
  explicit PostgresEventWatch(const pg::ConnectOptions& options)
      : listener_(options, kEventsChannel) {}
  bool Wait(absl::Duration timeout) override { return listener_.Wait(timeout); }
  void Stop() override { listener_.Interrupt(); }

 private:
  pg::Listener listener_;
};

}  // namespace

std::unique_ptr<EventWatch> PostgresStore::WatchEvents() {
  return std::make_unique<PostgresEventWatch>(options_.pool.connect);
}

// --- Tenants, tokens and secrets ---

absl::Status PostgresStore::CreateTenant(const Tenant& tenant, const TenantToken& token) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(
        pg::Result inserted,
        db.Exec(
            "INSERT INTO tenants (tenant, display_name, created) VALUES ($1, $2, $3) "
            "ON CONFLICT (tenant) DO NOTHING",
            Params().Text(tenant.tenant_id).Text(tenant.display_name).Int(Micros(tenant.created))));
    if (inserted.affected() == 0) {
      return absl::AlreadyExistsError(absl::StrCat("tenant ", tenant.tenant_id, " already exists"));
    }
    return InsertToken(db, token);
  });
}

absl::StatusOr<std::vector<Tenant>> PostgresStore::ListTenants() {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result rows,
                          Query("SELECT tenant, display_name, created, stripe_key_sealed, "
                                "stripe_mode FROM tenants ORDER BY tenant"));
  std::vector<Tenant> tenants;
  for (int row = 0; row < rows.rows(); ++row) {
    tenants.push_back(Tenant{.tenant_id = rows.Text(row, 0),
                             .display_name = rows.Text(row, 1),
                             .created = absl::FromUnixMicros(rows.Int(row, 2)),
                             .stripe_key_sealed = rows.Text(row, 3),
                             .stripe_mode = rows.Text(row, 4)});
  }
  return tenants;
}

absl::Status PostgresStore::SetStripeKey(const std::string& tenant_id,
                                         const std::string& sealed_key, const std::string& mode) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result updated,
      Query("UPDATE tenants SET stripe_key_sealed = $2, stripe_mode = $3 WHERE tenant = $1",
            Params().Text(tenant_id).Text(sealed_key).Text(mode)));
  if (updated.affected() == 0) return absl::NotFoundError(absl::StrCat("no tenant ", tenant_id));
  return absl::OkStatus();
}

absl::Status PostgresStore::AddTenantToken(const TenantToken& token, absl::Time others_expire_at) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_ASSIGN_OR_RETURN(pg::Result tenant,
                            db.Exec("SELECT 1 FROM tenants WHERE tenant = $1 FOR UPDATE",
                                    Params().Text(token.tenant_id)));
    if (tenant.rows() == 0) return absl::NotFoundError(absl::StrCat("no tenant ", token.tenant_id));
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("UPDATE tenant_tokens SET expires_at = $1 WHERE tenant = $2 AND token_hash != $3 "
                "AND (expires_at IS NULL OR expires_at > $1)",
                Params().Int(Micros(others_expire_at)).Text(token.tenant_id).Text(token.token_hash))
            .status());
    return InsertToken(db, token);
  });
}

absl::StatusOr<std::vector<TenantToken>> PostgresStore::TenantTokens(absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows, Query("SELECT tenant, token_hash, created, expires_at FROM tenant_tokens "
                             "WHERE expires_at IS NULL OR expires_at > $1 ORDER BY tenant, created",
                             Params().Int(Micros(now))));
  std::vector<TenantToken> tokens;
  for (int row = 0; row < rows.rows(); ++row) {
    tokens.push_back(TenantToken{.tenant_id = rows.Text(row, 0),
                                 .token_hash = rows.Text(row, 1),
                                 .created = absl::FromUnixMicros(rows.Int(row, 2)),
                                 .expires_at = ReadExpiry(rows, row, 3)});
  }
  return tokens;
}

absl::Status PostgresStore::AddWebhookEndpoint(const WebhookEndpoint& endpoint,
                                               absl::Time others_expire_at) {
  return pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    PAYVOX_RETURN_IF_ERROR(
        db.Exec("UPDATE webhook_endpoints SET expires_at = $1 WHERE tenant = $2 AND "
                "endpoint_id != $3 AND (expires_at IS NULL OR expires_at > $1)",
                Params()
                    .Int(Micros(others_expire_at))
                    .Text(endpoint.tenant_id)
                    .Text(endpoint.endpoint_id))
            .status());
    Params params;
    params.Text(endpoint.tenant_id)
        .Text(endpoint.endpoint_id)
        .Text(endpoint.url)
        .Text(endpoint.secret_sealed)
        .Int(Micros(endpoint.created));
    Expiry(params, endpoint.expires_at);
    return db
        .Exec(
            "INSERT INTO webhook_endpoints (tenant, endpoint_id, url, secret_sealed, "
            "created, expires_at) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT (tenant, endpoint_id) DO UPDATE SET url = $3, "
            "secret_sealed = $4, expires_at = $6",
            params)
        .status();
  });
}

absl::StatusOr<std::vector<WebhookEndpoint>> PostgresStore::WebhookEndpoints(
    const std::string& tenant_id, absl::Time now) {
  PAYVOX_ASSIGN_OR_RETURN(pg::Result rows,
                          Query("SELECT endpoint_id, url, secret_sealed, created, expires_at "
                                "FROM webhook_endpoints WHERE tenant = $1 AND "
                                "(expires_at IS NULL OR expires_at > $2) ORDER BY created DESC",
                                Params().Text(tenant_id).Int(Micros(now))));
  std::vector<WebhookEndpoint> endpoints;
  for (int row = 0; row < rows.rows(); ++row) {
    endpoints.push_back(WebhookEndpoint{.tenant_id = tenant_id,
                                        .endpoint_id = rows.Text(row, 0),
                                        .url = rows.Text(row, 1),
                                        .secret_sealed = rows.Text(row, 2),
                                        .created = absl::FromUnixMicros(rows.Int(row, 3)),
                                        .expires_at = ReadExpiry(rows, row, 4)});
  }
  return endpoints;
}

absl::StatusOr<int> PostgresStore::ResealSecrets(const Resealer& reseal) {
  // Every sealed column: how to read (tenant, id, sealed as bytea) and
  // write it back ($1 tenant, $2 id, $3 sealed as bytea), and the context
  // it is bound to.
  struct SealedColumn {
    const char* select;
    const char* update;
    std::function<std::string(const std::string& tenant, const std::string& id)> context;
  };
  const SealedColumn columns[] = {
      {"SELECT tenant, '', convert_to(stripe_key_sealed, 'UTF8') FROM tenants "
       "WHERE stripe_key_sealed != '' FOR UPDATE",
       "UPDATE tenants SET stripe_key_sealed = convert_from($3, 'UTF8') "
       "WHERE tenant = $1 AND '' = $2",
       [](const std::string& tenant, const std::string&) { return StripeKeyContext(tenant); }},
      {"SELECT tenant, endpoint_id, convert_to(secret_sealed, 'UTF8') FROM webhook_endpoints "
       "FOR UPDATE",
       "UPDATE webhook_endpoints SET secret_sealed = convert_from($3, 'UTF8') "
       "WHERE tenant = $1 AND endpoint_id = $2",
       WebhookSecretContext},
      {"SELECT tenant, key, response FROM idempotency "
       "WHERE substring(response FROM 1 FOR 5) = convert_to('pvx1.', 'UTF8') FOR UPDATE",
       "UPDATE idempotency SET response = $3 WHERE tenant = $1 AND key = $2", SavedAnswerContext},
  };
  int rewritten = 0;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    rewritten = 0;
    for (const SealedColumn& column : columns) {
      PAYVOX_ASSIGN_OR_RETURN(pg::Result rows, db.Exec(column.select));
      for (int row = 0; row < rows.rows(); ++row) {
        const std::string tenant = rows.Text(row, 0);
        const std::string id = rows.Text(row, 1);
        const std::string sealed = rows.Bytes(row, 2);
        PAYVOX_ASSIGN_OR_RETURN(std::string resealed, reseal(sealed, column.context(tenant, id)));
        if (resealed == sealed) continue;
        PAYVOX_RETURN_IF_ERROR(
            db.Exec(column.update, Params().Text(tenant).Text(id).Bytes(resealed)).status());
        ++rewritten;
      }
    }
    return absl::OkStatus();
  }));
  return rewritten;
}

// --- Approvals ---

absl::Status PostgresStore::CreateApproval(const StoredApproval& stored) {
  return Query(
             "INSERT INTO approvals (tenant, approval_id, state, expires, record, payload) "
             "VALUES ($1, $2, $3, $4, $5, $6)",
             Params()
                 .Text(stored.approval.tenant_id())
                 .Text(stored.approval.approval_id())
                 .Text(stored.approval.state())
                 .Int(stored.approval.expires_at())
                 .Bytes(stored.approval.SerializeAsString())
                 .Bytes(stored.payload))
      .status();
}

absl::StatusOr<std::vector<v1::Approval>> PostgresStore::ListApprovals(const std::string& tenant_id,
                                                                       const std::string& state,
                                                                       absl::Time now) {
  const std::string wanted = state.empty() ? "pending" : state;
  // The state is chosen in SQL, before the bound, as SqliteStore does.
  PAYVOX_ASSIGN_OR_RETURN(
      pg::Result rows, Query("SELECT record FROM approvals WHERE tenant = $1 AND CASE $2::text "
                             "WHEN 'pending' THEN state = 'pending' AND expires > $3 "
                             "WHEN 'expired' THEN state = 'pending' AND expires <= $3 "
                             "ELSE state = $2 END ORDER BY expires LIMIT 1000",
                             Params().Text(tenant_id).Text(wanted).Int(absl::ToUnixSeconds(now))));
  std::vector<v1::Approval> out;
  for (int row = 0; row < rows.rows(); ++row) {
    PAYVOX_ASSIGN_OR_RETURN(v1::Approval approval,
                            Parse<v1::Approval>(rows.Bytes(row, 0), "an approval"));
    approval = ApprovalAsOf(std::move(approval), now);
    if (approval.state() == wanted) out.push_back(std::move(approval));
  }
  return out;
}

absl::StatusOr<StoredApproval> PostgresStore::DecideApproval(
    const std::string& tenant_id, const std::string& approval_id, bool approve,
    const std::string& decided_by, const std::string& note, absl::Time now) {
  StoredApproval stored;
  PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool_, [&](pg::Connection& db) -> absl::Status {
    // The row lock makes a second decision, from any replica, wait for the
    // first and then find it decided.
    PAYVOX_ASSIGN_OR_RETURN(pg::Result found,
                            db.Exec("SELECT record, payload FROM approvals WHERE tenant = $1 "
                                    "AND approval_id = $2 FOR UPDATE",
                                    Params().Text(tenant_id).Text(approval_id)));
    if (found.rows() == 0) return absl::NotFoundError(absl::StrCat("no approval ", approval_id));
    PAYVOX_ASSIGN_OR_RETURN(stored.approval,
                            Parse<v1::Approval>(found.Bytes(0, 0), "the approval"));
    stored.payload = found.Bytes(0, 1);
    stored.approval = ApprovalAsOf(std::move(stored.approval), now);
    if (stored.approval.state() != "pending") {
      return absl::FailedPreconditionError(
          absl::StrCat("approval ", approval_id, " is already ", stored.approval.state()));
    }
    stored.approval.set_state(approve ? "approved" : "rejected");
    stored.approval.set_decided_by(decided_by);
    stored.approval.set_decision_note(note);
    return db
        .Exec(
            "UPDATE approvals SET state = $3, record = $4 "
            "WHERE tenant = $1 AND approval_id = $2 AND state = 'pending'",
            Params()
                .Text(tenant_id)
                .Text(approval_id)
                .Text(stored.approval.state())
                .Bytes(stored.approval.SerializeAsString()))
        .status();
  }));
  return stored;
}

}  // namespace payvox
