#include "common/log.h"

#include <sstream>

#include "absl/strings/match.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::testing::HasSubstr;

class LogTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_{absl::FromUnixMicros(1'800'000'000'000'001)};
  std::ostringstream out_;
};

TEST_F(LogTest, WritesOneJsonObjectPerLine) {
  Logger log(out_, clock_);
  log.Info("payvoxd serving", {{"grpc_port", "50051"}, {"note", "a \"quoted\"\nline"}});
  EXPECT_EQ(out_.str(),
            "{\"ts\":\"2027-01-15T08:00:00.000001Z\",\"level\":\"info\",\"msg\":\"payvoxd "
            "serving\",\"grpc_port\":\"50051\",\"note\":\"a \\\"quoted\\\"\\nline\"}\n");
}

TEST_F(LogTest, DropsLinesBelowItsLevel) {
  Logger log(out_, clock_, LogLevel::kWarning);
  log.Debug("d");
  log.Info("i");
  log.Warning("w");
  log.Error("e");
  const std::string text = out_.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(out_.str(), HasSubstr(R"("level":"warning","msg":"w")"));
  EXPECT_THAT(out_.str(), HasSubstr(R"("level":"error","msg":"e")"));
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("loud"), std::nullopt);
}

TEST_F(LogTest, EverySensitiveValueIsRedactedInMessagesAndFields) {
  Logger log(out_, clock_);
  log.Error("Stripe refused sk_live_51HabcDEF for jenny.rosen@example.com",
            {{"card", "4242 4242 4242 4242"},
             {"dashed", "4000-0566-5566-5556"},
             {"plain", "4242424242424242"},
             {"secret", "whsec_abcdef123"},
             {"auth", "Bearer pvxt_acme.s3cr3t"},
             {"token", "pvxt_acme.abcdef"},
             {"restricted", "rk_test_abc"},
             {"ok", "ch_3MmlLrLkdIwHu7ix0snN0B15 order 1234"}});
  const std::string line = out_.str();
  for (const char* leaked : {"51HabcDEF", "jenny.rosen", "4242 4242", "4000-0566", "4242424242",
                             "abcdef123", "s3cr3t", "acme.abcdef", "rk_test_abc"}) {
    EXPECT_FALSE(absl::StrContains(line, leaked)) << leaked << " in " << line;
  }
  EXPECT_THAT(line, HasSubstr("sk_live_***"));
  EXPECT_THAT(line, HasSubstr("j***@example.com"));
  EXPECT_THAT(line, HasSubstr(R"("card":"[number]")"));
  EXPECT_THAT(line, HasSubstr(R"("auth":"Bearer ***")"));
  // Ids and short numbers stay readable.
  EXPECT_THAT(line, HasSubstr("ch_3MmlLrLkdIwHu7ix0snN0B15 order 1234"));
}

}  // namespace
}  // namespace payvox
