// PostgresStore's schema: its migrations and how they are applied.
#include <array>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

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
constexpr int64_t kMigrationLock = 0x7061'7976'6f78'0001;  // "payvox" 1

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

}  // namespace payvox
