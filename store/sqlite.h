// sqlite.h: a thin RAII layer over the SQLite C API for SqliteStore.
//
//   Connection db(raw);  // owns it; keeps prepared statements for reuse
//   Statement select(db, "SELECT attempts FROM verification WHERE tenant = ?");
//   select.Bind(1, tenant);
//   while (PAYVOX_ASSIGN_OR_RETURN(bool row, select.Step()), row) { select.Int(0); }
#ifndef PAYVOX_STORE_SQLITE_H_
#define PAYVOX_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace payvox::sqlite {

// Error turns an SQLite result code into a status naming `what`.
absl::Status Error(sqlite3* db, int code, absl::string_view what);

// Connection owns an SQLite connection and keeps the statements prepared on
// it for reuse, by SQL text: preparing costs more than running most of
// payvox's statements (a refund runs some twenty). A statement is reset and
// its bindings cleared when it comes back. Not thread-safe: SqliteStore
// uses it under its lock.
class Connection {
 public:
  // Kept idle statements at most; past it, returning ones are finalized.
  static constexpr size_t kMaxKept = 256;

  explicit Connection(sqlite3* db) : db_(db) {}
  // Finalizes the kept statements, then closes the connection.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  // Rows changed by the last statement, and the last inserted rowid.
  int changes() const { return sqlite3_changes(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // Statements kept idle for reuse now.
  size_t kept() const { return kept_; }

 private:
  friend class Statement;
  // Take: an idle statement for `sql`, or a new one (SQLite's code in `code`).
  sqlite3_stmt* Take(absl::string_view sql, int& code);
  void Give(sqlite3_stmt* statement);

  sqlite3* const db_;
  absl::flat_hash_map<std::string, std::vector<sqlite3_stmt*>> idle_;
  size_t kept_ = 0;
};

class Statement {
 public:
  // Reuses one of `connection`'s statements for `sql` when one is idle.
  Statement(Connection& connection, absl::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // status: why preparing failed; OK otherwise.
  const absl::Status& status() const { return status_; }

  void Bind(int index, int64_t value);
  void Bind(int index, absl::string_view text);
  void BindBlob(int index, absl::string_view bytes);
  void BindNull(int index);

  // Step returns true while there is a row, false when done.
  absl::StatusOr<bool> Step();
  // Run steps until done, for statements without rows.
  absl::Status Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;

 private:
  Connection& connection_;
  sqlite3_stmt* stmt_ = nullptr;
  absl::Status status_;
};

// Exec runs SQL without parameters or rows (may hold several statements),
// prepared afresh.
absl::Status Exec(sqlite3* db, absl::string_view sql);

// Transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction
// unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  const absl::Status& status() const { return status_; }
  absl::Status Commit();

 private:
  Connection& connection_;
  absl::Status status_;
  bool done_ = false;
};

}  // namespace payvox::sqlite

#endif  // PAYVOX_STORE_SQLITE_H_
