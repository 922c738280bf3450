// audit_chain.h: the audit trail's rules, the same in every Store: how a
// record is hashed into its tenant's chain, how the chain is checked, and
// what a query may ask.
#ifndef PAYVOX_STORE_AUDIT_CHAIN_H_
#define PAYVOX_STORE_AUDIT_CHAIN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "payvox/v1/admin.pb.h"

namespace payvox {

// AuditContentForHash is the canonical text of a record's content (every
// field but the hash), which the chain hashes. Exposed for tests.
std::string AuditContentForHash(const v1::AuditRecord& record);
// ChainHash is hex SHA-256 over the previous hash, a newline, the content.
std::string ChainHash(absl::string_view previous_hash, const v1::AuditRecord& record);

// ChainCheck reads a tenant's stored records in sequence order and tells
// where the chain first breaks: a gap (a deleted record), an unreadable or
// edited record, or a hash that does not chain.
//
//   ChainCheck check;
//   for (each row, by sequence) if (!check.Next(sequence, record, hash)) break;
//   return check.result();
// CheckAuditQuery: INVALID_ARGUMENT naming what is wrong with `query`
// (tenant_id missing, limit past 1000, result not "ok"/"error"/"").
absl::Status CheckAuditQuery(const v1::QueryAuditRequest& query);
// AuditQueryLimit: the rows to return (100 when the query says 0).
int AuditQueryLimit(const v1::QueryAuditRequest& query);

class ChainCheck {
 public:
  ChainCheck() { result_.set_intact(true); }
  // Next takes the next stored row (its sequence, serialized record and
  // hash column); false once the chain is broken (result() names where).
  bool Next(int64_t sequence, const std::string& record_bytes, const std::string& stored_hash);
  // The rows to ask for next start at this sequence.
  int64_t expected() const { return expected_; }
  const v1::VerifyAuditChainResponse& result() const { return result_; }

 private:
  v1::VerifyAuditChainResponse result_;
  std::string previous_hash_;
  int64_t expected_ = 1;
};

}  // namespace payvox

#endif  // PAYVOX_STORE_AUDIT_CHAIN_H_
