// postgres.h: a thin layer over libpq for PostgresStore: connections,
// parameters, results, a bounded pool and transactions that retry
// serialization failures.
//
//   pg::Pool pool({.conninfo = "host=127.0.0.1 port=5432 dbname=payvox user=payvox",
//                  .password = password}, clock);
//   PAYVOX_RETURN_IF_ERROR(pg::InTransaction(pool, [&](pg::Connection& db) -> absl::Status {
//     PAYVOX_ASSIGN_OR_RETURN(pg::Result last,
//         db.Exec("SELECT sequence FROM audit WHERE tenant = $1", pg::Params().Text(tenant)));
//     ...
//   }));
//
// Errors: a connection PostgreSQL refused, lost or shut down is
// UNAVAILABLE (the caller may retry with the same request); a statement
// past the statement timeout is UNAVAILABLE too; a serialization failure or
// deadlock is ABORTED (InTransaction retries those); a unique violation is
// ALREADY_EXISTS. Messages never carry the password.
#ifndef PAYVOX_STORE_POSTGRES_H_
#define PAYVOX_STORE_POSTGRES_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"

struct pg_conn;
struct pg_result;

namespace payvox::pg {

struct ConnectOptions {
  // libpq's key=value string, without a password ("host=db port=5432
  // dbname=payvox user=payvox sslmode=require").
  std::string conninfo;
  // Read from a file or the environment by the caller; never in config.
  std::string password;
  // Each statement's limit (SET statement_timeout), and how long a
  // connection attempt may take.
  absl::Duration statement_timeout = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(2);
  // application_name, seen in pg_stat_activity.
  std::string application_name = "payvoxd";
};

// Params are a statement's $1, $2, ... in order: text, integers, bytes
// (sent as binary bytea) or NULL.
class Params {
 public:
  Params& Text(absl::string_view value);
  Params& Int(int64_t value);
  Params& Bytes(absl::string_view value);
  Params& Null();

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class Connection;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> formats_;
};

// Result holds the rows of one statement (text format).
class Result {
 public:
  explicit Result(pg_result* result);
  ~Result();
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  // An integer column; 0 for NULL or a value that is not one.
  int64_t Int(int row, int column) const;
  // A bytea column, decoded from PostgreSQL's hex output.
  std::string Bytes(int row, int column) const;

 private:
  pg_result* result_;
};

class Connection {
 public:
  // Open connects and sets the session up (statement timeout, UTC).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Exec runs one statement. Rows come back in text format.
  absl::StatusOr<Result> Exec(absl::string_view sql, const Params& params = Params());
  // Several statements without parameters (migrations).
  absl::Status ExecScript(absl::string_view sql);
  // broken: the connection is lost; the pool drops it.
  bool broken() const;
  // In a transaction (or a failed one) rather than idle.
  bool in_transaction() const;
  pg_conn* raw() const { return conn_; }

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  absl::Status ResultError(pg_result* result, absl::string_view sql);

  pg_conn* const conn_;
};

struct PoolOptions {
  ConnectOptions connect;
  // Connections at most; callers past them wait up to `acquire_timeout`.
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(2);
  // After a failed connection attempt, calls fail at once with its error
  // for this long instead of each trying again (fail fast while the
  // database is down).
  absl::Duration retry_connect_after = absl::Milliseconds(250);
};

// Pool keeps up to `size` connections, opened on demand. Thread-safe.
class Pool {
 public:
  // `clock` must outlive the pool.
  Pool(PoolOptions options, const Clock& clock);
  ~Pool();

  // Lease is a connection taken from the pool; it goes back when the lease
  // ends, or is closed if it broke or was left inside a transaction.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  absl::StatusOr<Lease> Acquire();
  const PoolOptions& options() const { return options_; }
  // Connections open now (idle and leased).
  int open() const;

 private:
  void Give(std::unique_ptr<Connection> connection);

  const PoolOptions options_;
  const Clock& clock_;
  // std::mutex, not absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then cannot see the hand-offs.
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  // The last connection attempt's failure, refused again until then.
  absl::Status last_connect_error_ ABSL_GUARDED_BY(mu_);
  absl::Time retry_connect_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// Listener waits for NOTIFY on one channel, on a connection of its own. A
// lost connection is opened again (and LISTENs again) at the next Wait;
// while it cannot be, Wait sleeps its timeout and says nothing came, so a
// caller polling on timeouts loses nothing.
class Listener {
 public:
  Listener(ConnectOptions options, std::string channel);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Wait returns true when notifications came (all of them are taken),
  // false after `timeout` or once Interrupt was called.
  bool Wait(absl::Duration timeout);
  // Interrupt ends the current and every later Wait at once (shutdown).
  // Thread-safe.
  void Interrupt();

 private:
  // Connect opens the connection and LISTENs; false when it cannot.
  bool Connect();

  const ConnectOptions options_;
  const std::string channel_;
  std::unique_ptr<Connection> connection_;
  // A pipe whose read end Wait polls beside the connection's socket.
  int interrupt_read_ = -1;
  int interrupt_write_ = -1;
};

// InTransaction runs `body` between BEGIN and COMMIT on a pooled
// connection, rolling back when it fails. A serialization failure or a
// deadlock (ABORTED) runs it again, up to 5 times in all: `body` must be
// safe to repeat.
absl::Status InTransaction(Pool& pool, const std::function<absl::Status(Connection&)>& body);

// LockKey: a transaction-scoped advisory lock on `name`
// (pg_advisory_xact_lock of its 64-bit hash): held until the transaction
// ends, by one transaction at a time across every replica.
absl::Status LockKey(Connection& db, absl::string_view name);

}  // namespace payvox::pg

#endif  // PAYVOX_STORE_POSTGRES_H_
