#include "tools/refund_report.h"

#include <iomanip>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/money.h"

namespace payvox {
namespace {

// Tally counts one record into `counts`; returns the reason it was not
// made, or "" when it was made or failed.
std::string Tally(const v1::AuditRecord& record, RefundCounts& counts) {
  if (record.kind() == "completion") {
    if (record.ok()) {
      ++counts.made;
      if (record.has_amount()) {
        counts.refunded[record.amount().currency()] += record.amount().amount_minor();
      }
    } else {
      ++counts.failed;
    }
    return "";
  }
  if (record.kind() != "decision") return "";
  const std::string& decision = record.decision();
  std::string outcome = decision;
  if (decision == "deny") {
    ++counts.refused;
    outcome = "refused";
  } else if (decision == "needs_approval") {
    ++counts.needs_approval;
  } else if (decision == "needs_confirmation") {
    ++counts.needs_confirmation;
  } else if (decision == "needs_verification") {
    ++counts.needs_verification;
  }
  return record.rule().empty() ? outcome : absl::StrCat(outcome, " ", record.rule());
}

std::string Refunded(const RefundCounts& counts) {
  if (counts.refunded.empty()) return "-";
  std::vector<std::string> amounts;
  for (const auto& [currency, amount] : counts.refunded) {
    amounts.push_back(FormatMoney(amount, currency));
  }
  return absl::StrJoin(amounts, " + ");
}

// Padded: `text` and spaces up to `width` characters (not bytes: "€" is
// three).
std::string Padded(absl::string_view text, size_t width) {
  size_t characters = 0;
  for (const char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return absl::StrCat(text, std::string(width > characters ? width - characters : 0, ' '));
}

void Row(std::ostream& out, absl::string_view agent, const RefundCounts& counts) {
  out << Padded(agent, 24) << std::right << std::setw(6) << counts.made << "  "
      << Padded(Refunded(counts), 20) << std::right << std::setw(7) << counts.failed << std::setw(9)
      << counts.refused << std::setw(10) << counts.needs_approval << std::setw(9)
      << counts.needs_confirmation << std::setw(8) << counts.needs_verification << "\n";
}

}  // namespace

absl::StatusOr<absl::Time> ParseReportDay(absl::string_view day, absl::Time now) {
  if (day.empty()) {
    const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
    return absl::FromCivil(today, absl::UTCTimeZone());
  }
  absl::Time start;
  std::string error;
  if (day.size() != 10 || !absl::ParseTime("%Y-%m-%d", day, absl::UTCTimeZone(), &start, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--day must be a date as YYYY-MM-DD, not \"", day, "\""));
  }
  return start;
}

void RefundReport::Add(const v1::AuditRecord& record) {
  if (record.action() != "create_refund") return;
  const absl::Time at = absl::FromUnixMicros(record.created_unix_micros());
  if (at < day_start() || at >= day_end()) return;
  const std::string reason = Tally(record, by_agent_[record.agent_id()]);
  Tally(record, total_);
  if (!reason.empty()) ++not_made_[reason];
  if (record.kind() == "completion" && !record.ok()) ++failed_[record.result()];
}

void RefundReport::Print(absl::string_view tenant, std::ostream& out) const {
  out << "refunds on " << absl::FormatTime("%Y-%m-%d", day_start_, absl::UTCTimeZone())
      << " (UTC) for tenant " << tenant << "\n\n";
  out << std::left << std::setw(24) << "agent" << std::right << std::setw(6) << "made"
      << "  " << std::left << std::setw(20) << "refunded" << std::right << std::setw(7) << "failed"
      << std::setw(9) << "refused" << std::setw(10) << "approval" << std::setw(9) << "confirm"
      << std::setw(8) << "verify"
      << "\n";
  for (const auto& [agent, counts] : by_agent_) {
    Row(out, agent.empty() ? "(no agent id)" : agent, counts);
  }
  Row(out, "all agents", total_);
  if (!not_made_.empty()) {
    out << "\nnot made, by reason\n";
    for (const auto& [reason, count] : not_made_) {
      out << "  " << std::left << std::setw(50) << reason << std::right << std::setw(6) << count
          << "\n";
    }
  }
  if (!failed_.empty()) {
    out << "\nfailed, by error\n";
    for (const auto& [error, count] : failed_) {
      out << "  " << std::left << std::setw(50) << error << std::right << std::setw(6) << count
          << "\n";
    }
  }
}

}  // namespace payvox
