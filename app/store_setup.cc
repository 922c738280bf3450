#include "app/store_setup.h"

#include "common/status_macros.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace payvox {

std::string StorePath(const v1::ServerConfig& config, bool sandbox) {
  if (!config.store_path().empty()) return config.store_path();
  return sandbox ? ":memory:" : "payvox.db";
}

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const v1::ServerConfig& config, bool sandbox,
                                                 const std::string& postgres_password,
                                                 const Clock& clock) {
  if (config.store().has_postgres()) {
    const v1::PostgresConfig& postgres = config.store().postgres();
    PAYVOX_ASSIGN_OR_RETURN(
        std::unique_ptr<PostgresStore> store,
        PostgresStore::Open(
            {.pool = {.connect = {.conninfo = postgres.conninfo(),
                                  .password = postgres_password,
                                  .statement_timeout =
                                      absl::Milliseconds(postgres.statement_timeout_ms())},
                      .size = postgres.pool_size(),
                      .acquire_timeout = absl::Milliseconds(postgres.acquire_timeout_ms())}},
            clock));
    return std::unique_ptr<Store>(std::move(store));
  }
  PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                          SqliteStore::Open({.path = StorePath(config, sandbox)}, clock));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace payvox
