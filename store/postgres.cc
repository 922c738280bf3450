#include "store/postgres.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace payvox::pg {
namespace {

constexpr int kTransactionAttempts = 5;
// Marks the statuses of serialization failures and deadlocks, which
// InTransaction runs again (an ABORTED of the store's own is final).
constexpr char kRetryPayload[] = "payvox.store.postgres/retry";

// ErrorFor maps an SQLSTATE to a status: retryable outages UNAVAILABLE,
// conflicts between transactions ABORTED.
absl::Status ErrorFor(absl::string_view sqlstate, std::string message) {
  if (sqlstate.empty() || absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300") {
    return absl::UnavailableError(message);
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    absl::Status conflict = absl::AbortedError(message);
    conflict.SetPayload(kRetryPayload, absl::Cord("1"));
    return conflict;
  }
  if (sqlstate == "23505") return absl::AlreadyExistsError(message);
  if (sqlstate == "57014" || sqlstate == "55P03") {
    return absl::UnavailableError(absl::StrCat(message, " (statement timeout)"));
  }
  if (sqlstate == "53100") return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

std::string Trimmed(const char* text) {
  return std::string(absl::StripTrailingAsciiWhitespace(text == nullptr ? "" : text));
}

// A conninfo value, quoted for libpq.
std::string Quoted(absl::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

// --- Params ---

Params& Params::Text(absl::string_view value) {
  values_.emplace_back(value);
  nulls_.push_back(false);
  formats_.push_back(0);
  return *this;
}

Params& Params::Int(int64_t value) { return Text(absl::StrCat(value)); }

Params& Params::Bytes(absl::string_view value) {
  values_.emplace_back(value);
  nulls_.push_back(false);
  formats_.push_back(1);
  return *this;
}

Params& Params::Null() {
  values_.emplace_back();
  nulls_.push_back(true);
  formats_.push_back(0);
  return *this;
}

// --- Result ---

Result::Result(pg_result* result) : result_(result) {}
Result::~Result() { PQclear(result_); }
Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int Result::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }

int64_t Result::affected() const {
  int64_t n = 0;
  return absl::SimpleAtoi(PQcmdTuples(result_), &n) ? n : 0;
}

bool Result::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Result::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

int64_t Result::Int(int row, int column) const {
  int64_t value = 0;
  return absl::SimpleAtoi(Text(row, column), &value) ? value : 0;
}

std::string Result::Bytes(int row, int column) const {
  // bytea_output = hex (set by Connection::Open): "\x" and two digits a
  // byte.
  const std::string text = Text(row, column);
  absl::string_view hex = text;
  if (!absl::ConsumePrefix(&hex, "\\x")) return text;
  return absl::HexStringToBytes(hex);
}

// --- Connection ---

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  std::string conninfo = absl::StrCat(
      options.conninfo,
      " connect_timeout=", std::max<int64_t>(2, absl::ToInt64Seconds(options.connect_timeout)),
      " application_name=", Quoted(options.application_name));
  if (!options.password.empty()) absl::StrAppend(&conninfo, " password=", Quoted(options.password));
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  conninfo.assign(conninfo.size(), '\0');
  if (conn == nullptr) return absl::ResourceExhaustedError("store: postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("store: postgres: cannot connect: ", message));
  }
  std::unique_ptr<Connection> connection(new Connection(conn));
  PAYVOX_RETURN_IF_ERROR(connection->ExecScript(
      absl::StrCat("SET statement_timeout = ", absl::ToInt64Milliseconds(options.statement_timeout),
                   "; SET lock_timeout = ", absl::ToInt64Milliseconds(options.statement_timeout),
                   "; SET TIME ZONE 'UTC'; SET bytea_output = 'hex'; "
                   "SET client_min_messages = warning")));
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

absl::Status Connection::ResultError(pg_result* result, absl::string_view sql) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string message =
      Trimmed(result == nullptr ? PQerrorMessage(conn_) : PQresultErrorMessage(result));
  const absl::string_view first_line = absl::string_view(sql).substr(0, sql.find('\n'));
  // A lost connection has no SQLSTATE: UNAVAILABLE.
  return ErrorFor(
      broken() || state == nullptr ? "" : state,
      absl::StrCat("store: postgres: ", message, " (in: ", first_line.substr(0, 80), ")"));
}

absl::StatusOr<Result> Connection::Exec(absl::string_view sql, const Params& params) {
  std::vector<const char*> values(params.values_.size());
  std::vector<int> lengths(params.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params.nulls_[i] ? nullptr : params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  const std::string statement(sql);
  pg_result* result = PQexecParams(conn_, statement.c_str(), params.size(), nullptr, values.data(),
                                   lengths.data(), params.formats_.data(), /*resultFormat=*/0);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    absl::Status error = ResultError(result, sql);
    PQclear(result);
    return error;
  }
  return Result(result);
}

absl::Status Connection::ExecScript(absl::string_view sql) {
  const std::string script(sql);
  pg_result* result = PQexec(conn_, script.c_str());
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  absl::Status out = absl::OkStatus();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) out = ResultError(result, sql);
  PQclear(result);
  return out;
}

// --- Pool ---

Pool::Pool(PoolOptions options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->Give(std::move(connection_));
}

int Pool::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!returned_.wait_for(lock, absl::ToChronoMilliseconds(options_.acquire_timeout),
                            available)) {
      return absl::UnavailableError(absl::StrCat("store: postgres: all ", options_.size,
                                                 " connections stayed busy for ",
                                                 absl::FormatDuration(options_.acquire_timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    if (clock_.Now() < retry_connect_at_) return last_connect_error_;
    ++open_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(options_.connect);
  std::lock_guard<std::mutex> lock(mu_);
  if (!opened.ok()) {
    --open_;
    returned_.notify_one();
    last_connect_error_ = opened.status();
    retry_connect_at_ = clock_.Now() + options_.retry_connect_after;
    return opened.status();
  }
  retry_connect_at_ = absl::InfinitePast();
  return Lease(this, *std::move(opened));
}

void Pool::Give(std::unique_ptr<Connection> connection) {
  if (connection->broken() || connection->in_transaction()) {
    connection.reset();
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(connection));
  returned_.notify_one();
}

// --- Listener ---

Listener::Listener(ConnectOptions options, std::string channel)
    : options_(std::move(options)), channel_(std::move(channel)) {
  int ends[2] = {-1, -1};
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) == 0) {
    interrupt_read_ = ends[0];
    interrupt_write_ = ends[1];
  }
}

Listener::~Listener() {
  if (interrupt_read_ >= 0) close(interrupt_read_);
  if (interrupt_write_ >= 0) close(interrupt_write_);
}

void Listener::Interrupt() {
  if (interrupt_write_ < 0) return;
  const char byte = 1;
  // Full pipe: an interrupt is pending already.
  (void)!write(interrupt_write_, &byte, 1);
}

bool Listener::Connect() {
  absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(options_);
  if (!opened.ok()) return false;
  // The channel is payvox's own constant; quoted as an identifier all the
  // same.
  if (!(*opened)->ExecScript(absl::StrCat("LISTEN \"", channel_, "\"")).ok()) return false;
  connection_ = *std::move(opened);
  return true;
}

bool Listener::Wait(absl::Duration timeout) {
  const int timeout_ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout)));
  if (connection_ == nullptr || connection_->broken()) {
    connection_.reset();
    // Reconnected: events may have come while it was away.
    if (Connect()) return true;
  }
  pollfd fds[2] = {
      {.fd = interrupt_read_, .events = POLLIN, .revents = 0},
      {.fd = connection_ ? PQsocket(connection_->raw()) : -1, .events = POLLIN, .revents = 0}};
  if (poll(fds, 2, timeout_ms) <= 0) return false;
  if (fds[0].revents != 0) {
    // Left unread: every later Wait ends at once too.
    return false;
  }
  if (connection_ == nullptr || PQconsumeInput(connection_->raw()) == 0) {
    connection_.reset();
    return true;  // lost: the caller reads what it may have missed
  }
  bool any = false;
  while (PGnotify* notify = PQnotifies(connection_->raw())) {
    any = true;
    PQfreemem(notify);
  }
  return any;
}

// --- Transactions ---

absl::Status InTransaction(Pool& pool, const std::function<absl::Status(Connection&)>& body) {
  absl::Status last;
  for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
    PAYVOX_ASSIGN_OR_RETURN(Pool::Lease db, pool.Acquire());
    last = db->ExecScript("BEGIN");
    if (last.ok()) last = body(*db);
    if (last.ok()) last = db->ExecScript("COMMIT");
    if (!last.ok() && !db->broken() && db->in_transaction()) {
      // The rollback's own failure changes nothing: the lease drops a
      // connection still in a transaction.
      db->ExecScript("ROLLBACK").IgnoreError();
    }
    if (!last.GetPayload(kRetryPayload).has_value()) return last;
  }
  return last;
}

absl::Status LockKey(Connection& db, absl::string_view name) {
  return db.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Params().Text(name))
      .status();
}

}  // namespace payvox::pg
