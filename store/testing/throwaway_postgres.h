// throwaway_postgres.h: a PostgreSQL server of a test's own, started by
// scripts/postgres.sh on loopback in a temporary directory and stopped
// (its directory removed) when the object goes.
//
//   ThrowawayPostgres server;                       // starts it
//   ASSERT_TRUE(server.status().ok()) << server.status();
//   absl::StatusOr<pg::ConnectOptions> db = server.CreateDatabase();
//   auto store = PostgresStore::Open({.pool = {.connect = *db}}, clock);
#ifndef PAYVOX_STORE_TESTING_THROWAWAY_POSTGRES_H_
#define PAYVOX_STORE_TESTING_THROWAWAY_POSTGRES_H_

#include <string>

#include "absl/status/statusor.h"
#include "store/postgres.h"

namespace payvox::testing {

class ThrowawayPostgres {
 public:
  ThrowawayPostgres();
  ~ThrowawayPostgres();
  ThrowawayPostgres(const ThrowawayPostgres&) = delete;
  ThrowawayPostgres& operator=(const ThrowawayPostgres&) = delete;

  // Whether the server started (the script's output when not).
  const absl::Status& status() const { return status_; }
  // The server's "payvox" database.
  pg::ConnectOptions options() const;
  // CreateDatabase makes an empty database of its own for one test.
  absl::StatusOr<pg::ConnectOptions> CreateDatabase();
  // The directory holding the server (its conninfo, password and log).
  const std::string& directory() const { return directory_; }
  // Stop and Start the server on the same port and data (an outage).
  absl::Status Stop();
  absl::Status Start();

 private:
  absl::Status Run(const std::string& command);

  std::string directory_;
  std::string conninfo_;
  std::string password_;
  int databases_ = 0;
  absl::Status status_;
};

}  // namespace payvox::testing

#endif  // PAYVOX_STORE_TESTING_THROWAWAY_POSTGRES_H_
