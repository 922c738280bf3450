#include "store/testing/store_backends.h"

#include "common/status_macros.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace payvox::testing {

absl::string_view BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "Sqlite" : "Postgres";
}

v1::AuditRecord SampleAuditRecord(const std::string& tenant, const std::string& call,
                                  const std::string& kind, bool ok) {
  v1::AuditRecord record;
  record.set_tenant_id(tenant);
  record.set_agent_id("agent-7");
  record.set_call_id(call);
  record.set_request_id("req-1");
  record.set_action("create_refund");
  record.set_customer_id("cus_1");
  record.set_target_id("ch_1");
  record.mutable_amount()->set_amount_minor(4900);
  record.mutable_amount()->set_currency("usd");
  record.set_decision("allow");
  record.set_kind(kind);
  record.set_ok(ok);
  return record;
}

ThrowawayPostgres& SharedPostgres() {
  static ThrowawayPostgres* const server = [] {
    auto* started = new ThrowawayPostgres();
    // Stopped at exit, after every test; its directory is removed.
    std::atexit([] { delete server; });
    return started;
  }();
  return *server;
}

absl::StatusOr<std::unique_ptr<Store>> OpenEmptyStore(Backend backend, const Clock& clock) {
  if (backend == Backend::kSqlite) {
    PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                            SqliteStore::Open({.path = ":memory:"}, clock));
    return std::unique_ptr<Store>(std::move(store));
  }
  PAYVOX_ASSIGN_OR_RETURN(pg::ConnectOptions database, SharedPostgres().CreateDatabase());
  PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store,
                          PostgresStore::Open({.pool = {.connect = database}}, clock));
  return std::unique_ptr<Store>(std::move(store));
}

absl::Status ExecForTesting(Store& store, const std::string& sql) {
  if (auto* sqlite = dynamic_cast<SqliteStore*>(&store)) return sqlite->ExecForTesting(sql);
  if (auto* postgres = dynamic_cast<PostgresStore*>(&store)) return postgres->ExecForTesting(sql);
  return absl::UnimplementedError("not a store OpenEmptyStore makes");
}

}  // namespace payvox::testing
