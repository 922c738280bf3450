// payvoxctl's actions, execute and events tail against an in-process
// payvoxd --sandbox.
#include "tools/agent_commands.h"

#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tests/payvoxd_fixture.h"
#include "webhooks/signature.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AgentCommandsTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "webhooks": {"listen_address": "127.0.0.1:0"}})";
  }
  absl::Status Run(const std::vector<std::string>& args, AgentFlags flags = {}) {
    output_.str("");
    auto events = v1::EventService::NewStub(channel_);
    return RunAgentCommand(*actions_, *events, args, flags, output_);
  }
  // Post delivers a signed Stripe event to the webhook listener.
  HttpResponse Post(const std::string& id) {
    const std::string event = absl::StrCat(
        R"({"id":")", id, R"(","object":"event","created":1790000000,"type":"charge.failed",)",
        R"("data":{"object":{"id":"ch_1","object":"charge","amount":1250,"currency":"usd",)",
        R"("customer":"cus_DemoJennyRosen","failure_code":"card_declined"}}})");
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return HttpExchange(
        app_->webhook_port(), boost::beast::http::verb::post, "/v1/webhooks/stripe/default", event,
        {{"Stripe-Signature",
          absl::StrCat("t=", now,
                       ",v1=", webhooks::SignPayload("whsec_payvox_sandbox", now, event))}});
  }
  std::ostringstream output_;
};

TEST_F(AgentCommandsTest, ListsTheCatalogAndExecutesActions) {
  ASSERT_TRUE(Run({"actions"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("find_customer  [read]"));
  EXPECT_THAT(output_.str(), HasSubstr("cancel_subscription  [destructive, not enabled]"));

  ASSERT_TRUE(
      Run({"execute", "list_charges"}, {.args = R"({"customer_id":"cus_DemoJennyRosen"})"}).ok());
  EXPECT_THAT(output_.str(), HasSubstr("ch_DemoJennyPlan"));
  EXPECT_THAT(output_.str(), HasSubstr("say: "));

  const absl::Status refused =
      Run({"execute", "create_refund"}, {.args = R"({"charge_id":"ch_DemoJennyPlan"})"});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("Execute: "));
  EXPECT_THAT(refused.message(), HasSubstr("[needs_verification]"));
  EXPECT_THAT(refused.message(), HasSubstr("agent would say"));
  EXPECT_EQ(Run({"execute", "list_charges"}, {.args = "{"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run({"execute"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AgentCommandsTest, TailsEventsAndStopsByItself) {
  // A tail from now on, then a signed event posted while it listens.
  std::ostringstream live;
  absl::Status tailed;
  std::thread tail([&] {
    auto events = v1::EventService::NewStub(channel_);
    tailed = RunAgentCommand(*actions_, *events, {"events", "tail"},
                             {.max_events = 1, .timeout = absl::Seconds(10)}, live);
  });
  absl::SleepFor(absl::Seconds(1));  // the stream is set up
  const HttpResponse posted = Post("evt_ctl_1");
  tail.join();
  ASSERT_EQ(posted.result_int(), 200) << posted.body();
  ASSERT_TRUE(tailed.ok()) << tailed;
  EXPECT_THAT(live.str(), HasSubstr(R"("type":"charge.failed")"));
  EXPECT_THAT(live.str(), HasSubstr("evt_ctl_1"));

  // A second event while nobody listens: resumed after the first, the tail
  // replays it from the store; resumed after it, nothing comes and the
  // timeout ends the tail.
  ASSERT_EQ(Post("evt_ctl_2").result_int(), 200);
  const std::string text = live.str();
  const size_t at = text.find("\"sequence\":");
  ASSERT_NE(at, std::string::npos) << text;
  const int64_t sequence = std::stoll(text.substr(text.find_first_of("0123456789", at)));
  ASSERT_TRUE(Run({"events", "tail"},
                  {.resume_after = sequence, .max_events = 1, .timeout = absl::Seconds(5)})
                  .ok());
  EXPECT_THAT(output_.str(), HasSubstr("evt_ctl_2"));
  EXPECT_THAT(output_.str(), Not(HasSubstr("evt_ctl_1")));
  ASSERT_TRUE(
      Run({"events", "tail"}, {.resume_after = sequence + 1, .timeout = absl::Seconds(1)}).ok());
  EXPECT_THAT(output_.str(), Not(HasSubstr("evt_ctl_")));
  EXPECT_EQ(Run({"events", "tail"}, {.max_events = -1}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace payvox::testing
