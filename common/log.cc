#include "common/log.h"

#include "absl/time/time.h"
#include "common/json_writer.h"
#include "common/redact.h"

namespace payvox {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(absl::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (name == LevelName(level)) return level;
  }
  return std::nullopt;
}

LogLevel OutcomeLevel(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnauthenticated:
      return LogLevel::kWarning;
    default:
      return LogLevel::kInfo;
  }
}

Logger::Logger(std::ostream& out, const Clock& clock, LogLevel level)
    : out_(out), clock_(clock), level_(level) {}

void Logger::Log(LogLevel level, absl::string_view message,
                 std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  JsonWriter json;
  json.BeginObject()
      .Field("ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", clock_.Now(), absl::UTCTimeZone()))
      .Field("level", LevelName(level))
      .Field("msg", RedactText(message));
  for (const LogField& field : fields) json.Field(field.key, RedactText(field.value));
  json.EndObject();
  std::string line = json.Take();
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line << std::flush;
}

}  // namespace payvox
