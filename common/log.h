// log.h: payvoxd's structured logs, one JSON object per line.
//
//   Logger log(std::cerr, clock, LogLevel::kInfo);
//   log.Info("reconciled open audit intents", {{"settled", "3"}, {"left_open", "0"}});
//   -> {"ts":"2026-11-23T12:00:00.000001Z","level":"info","msg":"reconciled open audit
//       intents","settled":"3","left_open":"0"}
//
// Every message and every field value goes through RedactText
// (common/redact.h) on its way out: card-like numbers, emails, Stripe keys,
// webhook secrets and bearer tokens never reach a log line, whatever the
// caller passed. Lines below the logger's level are dropped. Thread-safe:
// whole lines are written under a mutex.
#ifndef PAYVOX_COMMON_LOG_H_
#define PAYVOX_COMMON_LOG_H_

#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"

namespace payvox {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// ParseLogLevel reads "debug", "info", "warning" or "error".
std::optional<LogLevel> ParseLogLevel(absl::string_view name);

// OutcomeLevel is the level of the line that reports a call ending with
// `code`: warning when payvox failed it (INTERNAL, UNKNOWN, DATA_LOSS,
// UNAVAILABLE) or refused its credentials (UNAUTHENTICATED); info otherwise,
// since the caller's own mistakes are the service working.
LogLevel OutcomeLevel(absl::StatusCode code);

struct LogField {
  absl::string_view key;
  std::string value;
};

class Logger {
 public:
  // `out` and `clock` must outlive the logger.
  Logger(std::ostream& out, const Clock& clock, LogLevel level = LogLevel::kInfo);

  void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields = {});
  // Enabled: a line at `level` is written. Check it before building the
  // fields of a line on a hot path.
  bool Enabled(LogLevel level) const { return level >= level_; }
  void Debug(absl::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, message, fields);
  }
  void Info(absl::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warning(absl::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarning, message, fields);
  }
  void Error(absl::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, message, fields);
  }

 private:
  std::ostream& out_;
  const Clock& clock_;
  const LogLevel level_;
  std::mutex mu_;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_LOG_H_
