#include "sandbox/faults.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::sandbox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

FormParams Form(std::initializer_list<std::pair<const char*, const char*>> fields) {
  FormParams form;
  for (const auto& [name, value] : fields) form.Add(name, value);
  return form;
}

TEST(FaultPlan, ConsumesTheFirstMatchingRuleUseByUse) {
  FaultPlan plan;
  plan.Add({.method = "POST",
            .path_prefix = "/v1/refunds",
            .times = 2,
            .fault = {.kind = FaultKind::kStatus, .http_status = 502}});
  plan.Add({.fault = {.kind = FaultKind::kMalformedJson}});
  EXPECT_EQ(plan.pending(), 3);
  // A GET does not match the first rule, so it takes the catch-all.
  std::optional<Fault> fault = plan.Take("GET", "/v1/refunds");
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->kind, FaultKind::kMalformedJson);
  for (int i = 0; i < 2; ++i) {
    fault = plan.Take("POST", "/v1/refunds");
    ASSERT_TRUE(fault.has_value());
    EXPECT_EQ(fault->http_status, 502);
  }
  EXPECT_FALSE(plan.Take("POST", "/v1/refunds").has_value());
  EXPECT_EQ(plan.pending(), 0);
}

TEST(FaultPlan, ClearDropsEverything) {
  FaultPlan plan;
  plan.Add({.times = 5});
  plan.Clear();
  EXPECT_FALSE(plan.Take("GET", "/v1/charges").has_value());
}

TEST(ParseFaultRule, ReadsEveryField) {
  absl::StatusOr<FaultRule> rule = ParseFaultRule(Form({{"kind", "rate_limit"},
                                                        {"method", "POST"},
                                                        {"path", "/v1/refunds"},
                                                        {"times", "3"},
                                                        {"should_retry", "true"},
                                                        {"latency_ms", "250"}}));
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->fault.kind, FaultKind::kRateLimit);
  EXPECT_EQ(ParseFaultRule(Form({{"kind", "lock_timeout"}}))->fault.kind, FaultKind::kLockTimeout);
  EXPECT_EQ(ParseFaultRule(Form({{"kind", "idempotency_key_in_use"}}))->fault.kind,
            FaultKind::kIdempotencyKeyInUse);
  EXPECT_EQ(rule->method, "POST");
  EXPECT_EQ(rule->path_prefix, "/v1/refunds");
  EXPECT_EQ(rule->times, 3);
  EXPECT_EQ(rule->fault.should_retry, true);
  EXPECT_EQ(rule->fault.latency, absl::Milliseconds(250));
}

TEST(ParseFaultRule, NamesTheBadField) {
  EXPECT_THAT(ParseFaultRule(Form({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind is required")));
  EXPECT_THAT(ParseFaultRule(Form({{"kind", "explode"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind must be")));
  EXPECT_THAT(ParseFaultRule(Form({{"kind", "status"}, {"status", "404"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  EXPECT_THAT(ParseFaultRule(Form({{"kind", "status"}, {"status", "501"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  EXPECT_THAT(ParseFaultRule(Form({{"kind", "latency"}, {"latency_ms", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("latency_ms")));
  EXPECT_THAT(ParseFaultRule(Form({{"kind", "status"}, {"should_retry", "maybe"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("should_retry")));
}

}  // namespace
}  // namespace payvox::sandbox
