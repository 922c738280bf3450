// payvoxctl's operator commands against an in-process payvoxd.
#include "tools/admin_commands.h"

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;

class AdminCommandsTest : public PayvoxdTest {
 protected:
  absl::Status Run(const std::vector<std::string>& args, AdminFlags flags = {}) {
    output_.str("");
    return RunAdminCommand(*admin_, args, flags, output_);
  }
  std::ostringstream output_;
};

TEST_F(AdminCommandsTest, PolicySetAndGet) {
  const std::string path = ::testing::TempDir() + "/payvoxctl_policy.json";
  std::ofstream(path)
      << R"({"refunds": {"max_auto_refund": [{"currency": "usd", "amount_minor": 1000}]}})";
  ASSERT_TRUE(Run({"policy", "set"}, {.policy_file = path}).ok());
  ASSERT_TRUE(Run({"policy", "get"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr(R"("amount_minor":"1000")"));

  std::ofstream(path) << R"({"coupons": {"max_percent_off": 400}})";
  const absl::Status bad = Run({"policy", "set"}, {.policy_file = path});
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("SetPolicy: policy.coupons.max_percent_off"));
  EXPECT_EQ(Run({"policy", "set"}).code(), absl::StatusCode::kInvalidArgument);
  // A key given twice is a mistake, not "the last one wins".
  std::ofstream(path) << R"({"confirmed_actions": ["create_refund"], "confirmed_actions": []})";
  const absl::Status twice = Run({"policy", "set"}, {.policy_file = path});
  EXPECT_EQ(twice.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(twice.message(), HasSubstr("\"confirmed_actions\" twice"));
}

TEST_F(AdminCommandsTest, ApprovalsAndAuditFromTheCommandLine) {
  const std::string path = ::testing::TempDir() + "/payvoxctl_policy2.json";
  std::ofstream(path)
      << R"({"refunds": {"max_auto_refund": [{"currency": "usd", "amount_minor": 1000}]}})";
  ASSERT_TRUE(Run({"policy", "set"}, {.policy_file = path}).ok());
  ASSERT_TRUE(Run({"approvals", "list"}).ok());
  EXPECT_EQ(output_.str(), "no approvals\n");

  VerifyJenny();
  v1::CreateRefundResponse pending;
  ASSERT_TRUE(Refund("r-1", "ch_DemoJennyPlan", 0, &pending).ok());
  ASSERT_TRUE(Run({"approvals", "list"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr(pending.approval_id()));
  EXPECT_THAT(output_.str(), HasSubstr("$49.00"));

  EXPECT_EQ(Run({"approvals", "decide", pending.approval_id()}, {.approve = true}).code(),
            absl::StatusCode::kInvalidArgument);  // --by is required
  ASSERT_TRUE(
      Run({"approvals", "decide", pending.approval_id()}, {.approve = true, .by = "ops"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("approved: re_"));

  ASSERT_TRUE(Run({"audit", "query"}, {.action = "create_refund", .result = "ok"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr(R"("kind":"completion")"));
  ASSERT_TRUE(Run({"audit", "verify"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("audit chain intact"));

  // The day's review: the agent's refund asked for approval; the refund
  // was made by the operator who approved it.
  ASSERT_TRUE(Run({"report", "refunds"}, {.now = absl::Now()}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("needs_approval refunds.max_auto_refund"));
  EXPECT_THAT(output_.str(), ::testing::ContainsRegex(R"(approved by ops +1  \$49\.00)"));
  EXPECT_THAT(output_.str(), ::testing::ContainsRegex(R"(test-agent +0  - +0 +0 +1 )"));
  const std::string yesterday =
      absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  ASSERT_TRUE(Run({"report", "refunds"}, {.day = yesterday}).ok());
  EXPECT_THAT(output_.str(), ::testing::Not(HasSubstr("test-agent")));
  EXPECT_EQ(Run({"report", "refunds"}, {.day = "tomorrow"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run({"report", "payments"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run({"audit", "frobnicate"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run({"audit", "verify"}, {.tenant = "nobody"}).code(), absl::StatusCode::kNotFound);
}

TEST_F(AdminCommandsTest, TenantsAndStripeConnectionsFromTheCommandLine) {
  ASSERT_TRUE(Run({"tenants", "create"}, {.tenant = "initech", .name = "Initech"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("tenant initech created"));
  EXPECT_THAT(output_.str(), HasSubstr("pvxt_initech."));
  const std::string key_file = ::testing::TempDir() + "/payvoxctl_key";
  std::ofstream(key_file) << "pk_test_tenant_initech\n";
  const absl::Status publishable =
      Run({"stripe", "connect"}, {.tenant = "initech", .key_file = key_file});
  EXPECT_EQ(publishable.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(publishable.message(), HasSubstr("publishable"));
  std::ofstream(key_file) << "sk_test_tenant_initech\n";
  ASSERT_TRUE(Run({"stripe", "connect"}, {.tenant = "initech", .key_file = key_file}).ok());
  EXPECT_EQ(output_.str(), "connected in test mode\n");
  ASSERT_TRUE(Run({"tenants", "rotate-token"}, {.tenant = "initech", .overlap = 60}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("the previous token works until"));
  ASSERT_TRUE(Run({"stripe", "disconnect"}, {.tenant = "initech"}).ok());
  EXPECT_EQ(Run({"stripe", "connect"}, {.tenant = "initech"}).code(),
            absl::StatusCode::kInvalidArgument);  // --key_file
}

TEST_F(AdminCommandsTest, WebhooksConfigureRegistersTheEndpoint) {
  EXPECT_EQ(Run({"webhooks", "configure"}).code(), absl::StatusCode::kInvalidArgument);  // --url
  ASSERT_TRUE(
      Run({"webhooks", "configure"}, {.url = "https://payvox.example/v1/webhooks/stripe/default"})
          .ok());
  EXPECT_THAT(output_.str(),
              ::testing::MatchesRegex("registered we_[A-Za-z0-9]+ for 15 event "
                                      "types; its signing secret is stored sealed\n"));
  EXPECT_EQ(Run({"webhooks", "configure"}, {.url = "not a url"}).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace payvox::testing
