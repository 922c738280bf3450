#include "store/audit_chain.h"

#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace payvox {

std::string AuditContentForHash(const v1::AuditRecord& record) {
  // One field per line, in field-number order; strings escaped so a value
  // cannot forge a field boundary.
  const std::vector<std::string> fields = {
      absl::StrCat(record.sequence()),
      absl::CEscape(record.tenant_id()),
      absl::CEscape(record.agent_id()),
      absl::CEscape(record.call_id()),
      absl::CEscape(record.request_id()),
      absl::CEscape(record.action()),
      absl::CEscape(record.customer_id()),
      absl::CEscape(record.target_id()),
      absl::StrCat(record.amount().amount_minor(), " ", absl::CEscape(record.amount().currency())),
      absl::CEscape(record.decision()),
      absl::CEscape(record.result()),
      record.ok() ? "1" : "0",
      absl::StrCat(record.created_unix_micros()),
      absl::CEscape(record.kind()),
      absl::StrCat(record.completes_sequence()),
      absl::CEscape(record.rule()),
      absl::CEscape(record.idempotency_key()),
  };
  return absl::StrJoin(fields, "\n");
}

std::string ChainHash(absl::string_view previous_hash, const v1::AuditRecord& record) {
  const std::string input = absl::StrCat(previous_hash, "\n", AuditContentForHash(record));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

namespace {
constexpr int kDefaultQueryLimit = 100;
constexpr int kMaxQueryLimit = 1000;
}  // namespace

absl::Status CheckAuditQuery(const v1::QueryAuditRequest& query) {
  if (query.tenant_id().empty()) return absl::InvalidArgumentError("tenant_id is required");
  if (query.limit() < 0 || query.limit() > kMaxQueryLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 0 (", kDefaultQueryLimit, ") to ", kMaxQueryLimit));
  }
  if (!query.result().empty() && query.result() != "ok" && query.result() != "error") {
    return absl::InvalidArgumentError("result must be \"ok\", \"error\" or empty");
  }
  return absl::OkStatus();
}

int AuditQueryLimit(const v1::QueryAuditRequest& query) {
  return query.limit() == 0 ? kDefaultQueryLimit : query.limit();
}

bool ChainCheck::Next(int64_t sequence, const std::string& record_bytes,
                      const std::string& stored_hash) {
  if (!result_.intact()) return false;
  v1::AuditRecord record;
  const bool intact = sequence == expected_ && record.ParseFromString(record_bytes) &&
                      record.sequence() == sequence && record.hash() == stored_hash &&
                      ChainHash(previous_hash_, record) == stored_hash;
  if (!intact) {
    result_.set_intact(false);
    result_.set_first_bad_sequence(expected_);
    return false;
  }
  result_.set_records_checked(result_.records_checked() + 1);
  previous_hash_ = stored_hash;
  ++expected_;
  return true;
}

}  // namespace payvox
