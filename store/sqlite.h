// sqlite.h: a thin RAII layer over the SQLite C API for SqliteStore.
//
//   Statement select(db, "SELECT attempts FROM verification WHERE tenant = ?");
//   select.Bind(1, tenant);
//   while (PAYVOX_ASSIGN_OR_RETURN(bool row, select.Step()), row) { select.Int(0); }
#ifndef PAYVOX_STORE_SQLITE_H_
#define PAYVOX_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace payvox::sqlite {

// Error turns an SQLite result code into a status naming `what`.
absl::Status Error(sqlite3* db, int code, absl::string_view what);

class Statement {
 public:
  Statement(sqlite3* db, absl::string_view sql);
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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  absl::Status status_;
};

// Exec runs SQL without parameters or rows (may hold several statements).
absl::Status Exec(sqlite3* db, absl::string_view sql);

// Transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction
// unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  const absl::Status& status() const { return status_; }
  absl::Status Commit();

 private:
  sqlite3* db_;
  absl::Status status_;
  bool done_ = false;
};

}  // namespace payvox::sqlite

#endif  // PAYVOX_STORE_SQLITE_H_
