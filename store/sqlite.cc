#include "store/sqlite.h"

#include "absl/strings/str_cat.h"

namespace payvox::sqlite {

absl::Status Error(sqlite3* db, int code, absl::string_view what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const std::string text = absl::StrCat("store: ", what, ": ", message);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(text);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(text);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(text);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(text);
    default:
      return absl::InternalError(text);
  }
}

Connection::~Connection() {
  for (auto& [sql, statements] : idle_) {
    for (sqlite3_stmt* statement : statements) sqlite3_finalize(statement);
  }
  sqlite3_close(db_);
}

sqlite3_stmt* Connection::Take(absl::string_view sql, int& code) {
  code = SQLITE_OK;
  if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
    sqlite3_stmt* statement = it->second.back();
    it->second.pop_back();
    --kept_;
    return statement;
  }
  sqlite3_stmt* statement = nullptr;
  code = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  return statement;
}

void Connection::Give(sqlite3_stmt* statement) {
  if (statement == nullptr) return;
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (kept_ >= kMaxKept) {
    sqlite3_finalize(statement);
    return;
  }
  idle_[sqlite3_sql(statement)].push_back(statement);
  ++kept_;
}

Statement::Statement(Connection& connection, absl::string_view sql) : connection_(connection) {
  int code = SQLITE_OK;
  stmt_ = connection.Take(sql, code);
  if (code != SQLITE_OK) status_ = Error(connection.get(), code, "prepare");
}

Statement::~Statement() { connection_.Give(stmt_); }

void Statement::Bind(int index, int64_t value) {
  if (stmt_ != nullptr) sqlite3_bind_int64(stmt_, index, value);
}
void Statement::Bind(int index, absl::string_view text) {
  if (stmt_ != nullptr) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
}
void Statement::BindBlob(int index, absl::string_view bytes) {
  if (stmt_ != nullptr) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
}
void Statement::BindNull(int index) {
  if (stmt_ != nullptr) sqlite3_bind_null(stmt_, index);
}

absl::StatusOr<bool> Statement::Step() {
  if (!status_.ok()) return status_;
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return Error(connection_.get(), code, "step");
}

absl::Status Statement::Run() {
  for (;;) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::Blob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  return bytes == nullptr ? std::string()
                          : std::string(static_cast<const char*>(bytes),
                                        static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

absl::Status Exec(sqlite3* db, absl::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int code = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  if (code == SQLITE_OK) return absl::OkStatus();
  absl::Status status = Error(db, code, "exec");
  sqlite3_free(message);
  return status;
}

namespace {

absl::Status RunOnce(Connection& connection, absl::string_view sql) {
  Statement statement(connection, sql);
  return statement.Run();
}

}  // namespace

Transaction::Transaction(Connection& connection)
    : connection_(connection), status_(RunOnce(connection, "BEGIN IMMEDIATE")) {
  done_ = !status_.ok();
}

Transaction::~Transaction() {
  if (!done_) (void)RunOnce(connection_, "ROLLBACK");
}

absl::Status Transaction::Commit() {
  if (done_)
    return status_.ok() ? absl::InternalError("store: transaction already ended") : status_;
  done_ = true;
  absl::Status committed = RunOnce(connection_, "COMMIT");
  if (!committed.ok()) (void)RunOnce(connection_, "ROLLBACK");
  return committed;
}

}  // namespace payvox::sqlite
