// SqliteStore's audit trail (an append-only hash chain per tenant) and
// webhook events (a sequence per tenant).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sqlite.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

absl::StatusOr<v1::AuditRecord> ParseRecord(const std::string& bytes) {
  v1::AuditRecord record;
  if (!record.ParseFromString(bytes))
    return absl::DataLossError("store: an audit record is unreadable");
  return record;
}

// ReadRecords steps `select`, whose first column is a record, to its end.
absl::StatusOr<std::vector<v1::AuditRecord>> ReadRecords(Statement& select) {
  std::vector<v1::AuditRecord> out;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return out;
    PAYVOX_ASSIGN_OR_RETURN(v1::AuditRecord record, ParseRecord(select.Blob(0)));
    out.push_back(std::move(record));
  }
}

}  // namespace

absl::StatusOr<v1::AuditRecord> SqliteStore::AppendLocked(v1::AuditRecord record) {
  if (record.tenant_id().empty()) return absl::InvalidArgumentError("store: audit without tenant");
  Statement last(db_,
                 "SELECT sequence, hash FROM audit WHERE tenant = ?1 "
                 "ORDER BY sequence DESC LIMIT 1");
  last.Bind(1, record.tenant_id());
  PAYVOX_ASSIGN_OR_RETURN(const bool row, last.Step());
  const int64_t sequence = row ? last.Int(0) + 1 : 1;
  const std::string previous_hash = row ? last.Text(1) : "";
  record.set_sequence(sequence);
  record.set_created_unix_micros(absl::ToUnixMicros(clock_.Now()));
  record.clear_hash();
  record.set_hash(ChainHash(previous_hash, record));
  Statement insert(db_,
                   "INSERT INTO audit (tenant, sequence, kind, call_id, customer_id, action, ok, "
                   "created, completes_sequence, record, hash, idempotency_key) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  insert.Bind(1, record.tenant_id());
  insert.Bind(2, sequence);
  insert.Bind(3, record.kind());
  insert.Bind(4, record.call_id());
  insert.Bind(5, record.customer_id());
  insert.Bind(6, record.action());
  insert.Bind(7, record.ok() ? 1 : 0);
  insert.Bind(8, record.created_unix_micros());
  insert.Bind(9, record.completes_sequence());
  insert.BindBlob(10, record.SerializeAsString());
  insert.Bind(11, record.hash());
  insert.Bind(12, record.idempotency_key());
  PAYVOX_RETURN_IF_ERROR(insert.Run());
  return record;
}

absl::StatusOr<v1::AuditRecord> SqliteStore::AppendAudit(v1::AuditRecord record) {
  PAYVOX_ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> appended,
                          AppendAuditBatch({std::move(record)}));
  return std::move(appended.front());
}

absl::StatusOr<std::vector<v1::AuditRecord>> SqliteStore::AppendAuditBatch(
    std::vector<v1::AuditRecord> records) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction transaction(db_);
  PAYVOX_RETURN_IF_ERROR(transaction.status());
  std::vector<v1::AuditRecord> out;
  out.reserve(records.size());
  for (v1::AuditRecord& record : records) {
    PAYVOX_ASSIGN_OR_RETURN(v1::AuditRecord appended, AppendLocked(std::move(record)));
    out.push_back(std::move(appended));
  }
  PAYVOX_RETURN_IF_ERROR(transaction.Commit());
  return out;
}

absl::StatusOr<std::vector<v1::AuditRecord>> SqliteStore::QueryAudit(
    const v1::QueryAuditRequest& query) {
  PAYVOX_RETURN_IF_ERROR(CheckAuditQuery(query));
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT record FROM audit WHERE tenant = ?1 AND sequence > ?2 "
                   "AND created >= ?3 AND created < ?4 "
                   "AND (?5 = '' OR call_id = ?5) AND (?6 = '' OR customer_id = ?6) "
                   "AND (?7 = '' OR action = ?7) AND (?8 < 0 OR ok = ?8) "
                   "ORDER BY sequence LIMIT ?9");
  select.Bind(1, query.tenant_id());
  select.Bind(2, query.after_sequence());
  select.Bind(3, query.since_unix() > 0 ? query.since_unix() * 1'000'000 : INT64_MIN);
  select.Bind(4, query.until_unix() > 0 ? query.until_unix() * 1'000'000 : INT64_MAX);
  select.Bind(5, query.call_id());
  select.Bind(6, query.customer_id());
  select.Bind(7, query.action());
  select.Bind(8, query.result().empty() ? -1 : (query.result() == "ok" ? 1 : 0));
  select.Bind(9, AuditQueryLimit(query));
  return ReadRecords(select);
}

absl::StatusOr<v1::VerifyAuditChainResponse> SqliteStore::VerifyAuditChain(
    const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT sequence, record, hash FROM audit WHERE tenant = ?1 ORDER BY sequence");
  select.Bind(1, tenant_id);
  ChainCheck check;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row || !check.Next(select.Int(0), select.Blob(1), select.Text(2))) break;
  }
  return check.result();
}

absl::StatusOr<std::vector<v1::AuditRecord>> SqliteStore::OpenIntents() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT i.record FROM audit i WHERE i.kind = 'intent' AND NOT EXISTS ("
                   "SELECT 1 FROM audit c WHERE c.kind = 'completion' AND c.tenant = i.tenant "
                   "AND c.completes_sequence = i.sequence) ORDER BY i.created");
  return ReadRecords(select);
}

absl::StatusOr<std::vector<v1::AuditRecord>> SqliteStore::UnsettledIntents(absl::Time before) {
  std::lock_guard<std::mutex> lock(mu_);
  // By the request's key: left to choose, SQLite's planner reads the
  // tenant's whole trail (audit_by_kind, the primary key) for each pending
  // reservation instead.
  Statement select(
      db_,
      "SELECT i.record FROM reservations r JOIN audit i INDEXED BY audit_by_key "
      "ON i.idempotency_key = r.idempotency_key AND i.tenant = r.tenant AND i.kind = 'intent' "
      "WHERE r.state = 'pending' AND r.attempted < ?1 AND r.idempotency_key IS NOT NULL "
      "AND i.sequence = (SELECT MAX(j.sequence) FROM audit j INDEXED BY audit_by_key "
      "WHERE j.idempotency_key = i.idempotency_key AND j.tenant = i.tenant "
      "AND j.kind = 'intent') ORDER BY i.created");
  select.Bind(1, absl::ToUnixMicros(before));
  return ReadRecords(select);
}

// --- Webhook events ---

absl::StatusOr<AppendedEvent> SqliteStore::AppendEvent(const StoredEvent& stored) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement existing(db_, "SELECT sequence FROM events WHERE tenant = ?1 AND stripe_event_id = ?2");
  existing.Bind(1, stored.tenant_id);
  existing.Bind(2, stored.event.stripe_event_id());
  PAYVOX_ASSIGN_OR_RETURN(const bool seen, existing.Step());
  if (seen) return AppendedEvent{.sequence = existing.Int(0), .stored = false};
  Statement last(db_, "SELECT COALESCE(MAX(sequence), 0) FROM events WHERE tenant = ?1");
  last.Bind(1, stored.tenant_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, last.Step());
  const int64_t sequence = (row ? last.Int(0) : 0) + 1;
  v1::PaymentEvent event = stored.event;
  event.set_sequence(sequence);
  Statement insert(db_,
                   "INSERT INTO events (tenant, sequence, stripe_event_id, type, created, event) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, stored.tenant_id);
  insert.Bind(2, sequence);
  insert.Bind(3, event.stripe_event_id());
  insert.Bind(4, event.type());
  insert.Bind(5, event.created());
  insert.BindBlob(6, event.SerializeAsString());
  PAYVOX_RETURN_IF_ERROR(insert.Run());
  return AppendedEvent{.sequence = sequence, .stored = true};
}

absl::StatusOr<std::vector<v1::PaymentEvent>> SqliteStore::ReadEvents(const std::string& tenant_id,
                                                                      int64_t after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement select(db_,
                   "SELECT event FROM events WHERE tenant = ?1 AND sequence > ?2 "
                   "ORDER BY sequence LIMIT ?3");
  select.Bind(1, tenant_id);
  select.Bind(2, after);
  select.Bind(3, static_cast<int64_t>(std::clamp(limit, 1, 10'000)));
  std::vector<v1::PaymentEvent> events;
  while (true) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    v1::PaymentEvent event;
    if (!event.ParseFromString(select.Blob(0))) {
      return absl::DataLossError(absl::StrCat("store: an event of ", tenant_id, " is unreadable"));
    }
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<int64_t> SqliteStore::LastEventSequence(const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement last(db_, "SELECT COALESCE(MAX(sequence), 0) FROM events WHERE tenant = ?1");
  last.Bind(1, tenant_id);
  PAYVOX_ASSIGN_OR_RETURN(const bool row, last.Step());
  return row ? last.Int(0) : 0;
}

absl::StatusOr<std::vector<EventHead>> SqliteStore::EventHeads() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement heads(db_, "SELECT tenant, MAX(sequence) FROM events GROUP BY tenant ORDER BY tenant");
  std::vector<EventHead> out;
  for (;;) {
    PAYVOX_ASSIGN_OR_RETURN(const bool row, heads.Step());
    if (!row) return out;
    out.push_back({heads.Text(0), heads.Int(1)});
  }
}

}  // namespace payvox
