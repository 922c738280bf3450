// postgres_rows.h: what PostgresStore's files share to read and write rows:
// times as Unix microseconds, expiries (NULL for never), messages kept as
// bytea. Internal to store/.
#ifndef PAYVOX_STORE_POSTGRES_ROWS_H_
#define PAYVOX_STORE_POSTGRES_ROWS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "payvox/v1/admin.pb.h"
#include "store/postgres.h"

namespace payvox::pg {

inline int64_t Micros(absl::Time time) { return absl::ToUnixMicros(time); }

// Expiry times: NULL in the database for "never".
inline Params& Expiry(Params& params, absl::Time at) {
  return at == absl::InfiniteFuture() ? params.Null() : params.Int(Micros(at));
}
inline absl::Time ReadExpiry(const Result& result, int row, int column) {
  return result.IsNull(row, column) ? absl::InfiniteFuture()
                                    : absl::FromUnixMicros(result.Int(row, column));
}

template <typename Message>
inline absl::StatusOr<Message> Parse(const std::string& bytes, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("store: ", what, " is unreadable"));
  }
  return message;
}

// Records reads column 0 of every row as an audit record.
inline absl::StatusOr<std::vector<v1::AuditRecord>> AuditRecords(const Result& result) {
  std::vector<v1::AuditRecord> out;
  out.reserve(static_cast<size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    PAYVOX_ASSIGN_OR_RETURN(v1::AuditRecord record,
                            Parse<v1::AuditRecord>(result.Bytes(row, 0), "an audit record"));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace payvox::pg

#endif  // PAYVOX_STORE_POSTGRES_ROWS_H_
