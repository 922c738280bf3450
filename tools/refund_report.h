// refund_report.h: the day's refunds from the audit trail, for the daily
// review (`payvoxctl report refunds --day=YYYY-MM-DD`).
//
//   RefundReport report(day);
//   for (const v1::AuditRecord& record : page.records()) report.Add(record);
//   report.Print(std::cout);
//
// Only create_refund records count. A refund is made when its completion
// is ok, failed when its completion is not (Stripe refused it, or its
// answer was lost); a decision record is a refund that did not go ahead:
// refused (deny), or waiting on an approval, a confirmation or a
// verification. Each is counted for the agent that asked and, for
// decisions and failures, under its reason.
#ifndef PAYVOX_TOOLS_REFUND_REPORT_H_
#define PAYVOX_TOOLS_REFUND_REPORT_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "payvox/v1/admin.pb.h"

namespace payvox {

// ParseReportDay reads "YYYY-MM-DD" as a UTC day (the day the daily limits
// count in) and returns its first instant; empty is today.
absl::StatusOr<absl::Time> ParseReportDay(absl::string_view day, absl::Time now);

struct RefundCounts {
  int made = 0;
  int failed = 0;
  int refused = 0;
  int needs_approval = 0;
  int needs_confirmation = 0;
  int needs_verification = 0;
  // Refunded, by currency, in minor units.
  absl::btree_map<std::string, int64_t> refunded;
};

class RefundReport {
 public:
  explicit RefundReport(absl::Time day_start) : day_start_(day_start) {}

  absl::Time day_start() const { return day_start_; }
  absl::Time day_end() const { return day_start_ + absl::Hours(24); }

  // Add counts one audit record; records of other actions or outside the
  // day are left out.
  void Add(const v1::AuditRecord& record);

  // By agent id ("" for calls that named none).
  const absl::btree_map<std::string, RefundCounts>& by_agent() const { return by_agent_; }
  const RefundCounts& total() const { return total_; }
  // "refused refunds.max_amount", "needs_approval refunds.approval_above", ...
  const absl::btree_map<std::string, int>& not_made_by_reason() const { return not_made_; }
  // The completion's result: "FAILED_PRECONDITION charge_already_refunded".
  const absl::btree_map<std::string, int>& failed_by_error() const { return failed_; }

  // Print writes the report as aligned text for a person.
  void Print(absl::string_view tenant, std::ostream& out) const;

 private:
  absl::Time day_start_;
  absl::btree_map<std::string, RefundCounts> by_agent_;
  RefundCounts total_;
  absl::btree_map<std::string, int> not_made_;
  absl::btree_map<std::string, int> failed_;
};

}  // namespace payvox

#endif  // PAYVOX_TOOLS_REFUND_REPORT_H_
