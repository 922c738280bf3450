#include "tools/refund_report.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::testing::HasSubstr;

const absl::Time kDay = absl::FromCivil(absl::CivilDay(2026, 12, 2), absl::UTCTimeZone());

v1::AuditRecord Record(absl::string_view agent, absl::string_view kind, bool ok,
                       absl::Duration into_day = absl::Hours(9)) {
  v1::AuditRecord record;
  record.set_action("create_refund");
  record.set_agent_id(std::string(agent));
  record.set_kind(std::string(kind));
  record.set_ok(ok);
  record.set_created_unix_micros(absl::ToUnixMicros(kDay + into_day));
  return record;
}

v1::AuditRecord Made(absl::string_view agent, int64_t amount, absl::string_view currency) {
  v1::AuditRecord record = Record(agent, "completion", true);
  record.mutable_amount()->set_amount_minor(amount);
  record.mutable_amount()->set_currency(std::string(currency));
  record.set_result("re_123");
  return record;
}

v1::AuditRecord Decided(absl::string_view agent, absl::string_view decision,
                        absl::string_view rule) {
  v1::AuditRecord record = Record(agent, "decision", false);
  record.set_decision(std::string(decision));
  record.set_rule(std::string(rule));
  return record;
}

TEST(RefundReportTest, CountsMadeFailedAndNotMadeByAgentAndReason) {
  RefundReport report(kDay);
  report.Add(Record("agent-7", "intent", true));  // the intent is not a refund
  report.Add(Made("agent-7", 4900, "usd"));
  report.Add(Made("agent-7", 1000, "usd"));
  report.Add(Made("agent-7", 500, "eur"));
  report.Add(Made("", 2500, "usd"));
  v1::AuditRecord failed = Record("agent-9", "completion", false);
  failed.set_result("FAILED_PRECONDITION charge_already_refunded");
  report.Add(failed);
  report.Add(Decided("agent-9", "deny", "refunds.daily_limit"));
  report.Add(Decided("agent-9", "deny", "refunds.daily_limit"));
  report.Add(Decided("agent-7", "needs_approval", "refunds.max_auto_refund"));
  report.Add(Decided("agent-7", "needs_confirmation", ""));
  report.Add(Decided("agent-7", "needs_verification", "verification.required"));
  // Another action and another day are left out.
  v1::AuditRecord coupon = Made("agent-7", 100, "usd");
  coupon.set_action("apply_coupon");
  report.Add(coupon);
  v1::AuditRecord yesterday = Made("agent-7", 100, "usd");
  yesterday.set_created_unix_micros(absl::ToUnixMicros(kDay - absl::Seconds(1)));
  report.Add(yesterday);
  v1::AuditRecord tomorrow = Made("agent-7", 100, "usd");
  tomorrow.set_created_unix_micros(absl::ToUnixMicros(kDay + absl::Hours(24)));
  report.Add(tomorrow);

  const RefundCounts& seven = report.by_agent().at("agent-7");
  EXPECT_EQ(seven.made, 3);
  EXPECT_EQ(seven.refunded.at("usd"), 5900);
  EXPECT_EQ(seven.refunded.at("eur"), 500);
  EXPECT_EQ(seven.needs_approval, 1);
  EXPECT_EQ(seven.needs_confirmation, 1);
  EXPECT_EQ(seven.needs_verification, 1);
  const RefundCounts& nine = report.by_agent().at("agent-9");
  EXPECT_EQ(nine.made, 0);
  EXPECT_EQ(nine.failed, 1);
  EXPECT_EQ(nine.refused, 2);
  EXPECT_EQ(report.by_agent().at("").made, 1);
  EXPECT_EQ(report.total().made, 4);
  EXPECT_EQ(report.total().refunded.at("usd"), 8400);
  EXPECT_EQ(report.total().refused, 2);
  EXPECT_EQ(report.not_made_by_reason().at("refused refunds.daily_limit"), 2);
  EXPECT_EQ(report.not_made_by_reason().at("needs_approval refunds.max_auto_refund"), 1);
  EXPECT_EQ(report.not_made_by_reason().at("needs_confirmation"), 1);
  EXPECT_EQ(report.failed_by_error().at("FAILED_PRECONDITION charge_already_refunded"), 1);

  std::ostringstream text;
  report.Print("acme", text);
  EXPECT_THAT(text.str(), HasSubstr("refunds on 2026-12-02 (UTC) for tenant acme"));
  // Columns line up in characters, whatever the currency symbol's bytes.
  EXPECT_THAT(text.str(), HasSubstr("agent-7                      3  €5.00 + $59.00            0"));
  EXPECT_THAT(text.str(), HasSubstr("(no agent id)"));
  EXPECT_THAT(text.str(), HasSubstr("all agents"));
  EXPECT_THAT(text.str(), HasSubstr("refused refunds.daily_limit"));
  EXPECT_THAT(text.str(), HasSubstr("FAILED_PRECONDITION charge_already_refunded"));
}

TEST(RefundReportTest, AnEmptyDaySaysSo) {
  RefundReport report(kDay);
  std::ostringstream text;
  report.Print("acme", text);
  EXPECT_THAT(text.str(), HasSubstr("all agents"));
  EXPECT_THAT(text.str(), ::testing::Not(HasSubstr("not made")));
  EXPECT_EQ(report.total().made, 0);
}

TEST(RefundReportTest, TheDayIsAUtcDateOrToday) {
  EXPECT_EQ(*ParseReportDay("2026-12-02", absl::UnixEpoch()), kDay);
  EXPECT_EQ(*ParseReportDay("", kDay + absl::Hours(23)), kDay);
  for (const char* bad : {"2026-13-01", "02-12-2026", "2026-12-2", "yesterday", "2026-12-02x"}) {
    const absl::StatusOr<absl::Time> parsed = ParseReportDay(bad, kDay);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("--day")) << bad;
  }
}

}  // namespace
}  // namespace payvox
