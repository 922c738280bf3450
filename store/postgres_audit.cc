// PostgresStore's audit trail (a hash chain per tenant, appended under the
// tenant's lock) and webhook events (a sequence per tenant, notified to the
// other replicas after each commit).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/audit_chain.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace payvox {
namespace {

using pg::Micros;
using pg::Params;
using pg::Parse;

// The channel AppendEvent notifies (no payload) and WatchEvents listens on.
constexpr char kEventsChannel[] = "payvox_events";

}  // namespace

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
  return pg::AuditRecords(rows);
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
  return pg::AuditRecords(rows);
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
  return pg::AuditRecords(rows);
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

}  // namespace payvox
