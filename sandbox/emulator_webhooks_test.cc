// Webhook endpoints in the emulator and the signed deliveries WebhookSender
// makes of them, received by payvox's own listener.
#include <mutex>

#include "absl/strings/match.h"
#include "common/testing/fake_clock.h"
#include "common/testing/test_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "sandbox/webhook_sender.h"
#include "webhooks/listener.h"

namespace payvox::sandbox {
namespace {

using ::testing::HasSubstr;

class WebhookEndpointsTest : public ::testing::Test {
 protected:
  WebhookEndpointsTest() : emulator_(clock_, {.id_seed = 11}) { SeedDemoData(emulator_); }

  EmulatorResponse Call(std::string method, std::string target, std::string body = "") {
    return emulator_.Handle(
        {std::move(method), std::move(target), "Bearer sk_test_sandbox", "", std::move(body)});
  }

  // Creates an endpoint and returns its (id, secret).
  std::pair<std::string, std::string> Create(const std::string& url, const std::string& events) {
    EmulatorResponse created = Call("POST", "/v1/webhook_endpoints", "url=" + url + "&" + events);
    EXPECT_EQ(created.status, 200) << created.body;
    const size_t id = created.body.find("\"id\":\"") + 6;
    const size_t secret = created.body.find("\"secret\":\"") + 10;
    return {created.body.substr(id, created.body.find('"', id) - id),
            created.body.substr(secret, created.body.find('"', secret) - secret)};
  }

  testing::FakeClock clock_;
  StripeEmulator emulator_;
};

TEST_F(WebhookEndpointsTest, CreatesEndpointsShowingTheSecretOnlyOnce) {
  auto [id, secret] = Create("http%3A%2F%2F127.0.0.1%3A9%2Fhook",
                             "enabled_events[]=charge.refunded&enabled_events[]=charge.failed");
  EXPECT_TRUE(absl::StartsWith(id, "we_")) << id;
  EXPECT_TRUE(absl::StartsWith(secret, "whsec_")) << secret;
  const EmulatorResponse read = Call("GET", "/v1/webhook_endpoints/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_THAT(read.body, HasSubstr(R"("enabled_events":["charge.refunded","charge.failed"])"));
  EXPECT_FALSE(absl::StrContains(read.body, secret));
  EXPECT_FALSE(absl::StrContains(Call("GET", "/v1/webhook_endpoints").body, secret));
  EXPECT_EQ(Call("DELETE", "/v1/webhook_endpoints/" + id).status, 200);
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints/" + id).status, 404);
}

TEST_F(WebhookEndpointsTest, RefusesBadEndpoints) {
  EXPECT_THAT(Call("POST", "/v1/webhook_endpoints", "enabled_events[]=*").body,
              HasSubstr("Missing required param: url"));
  EXPECT_THAT(Call("POST", "/v1/webhook_endpoints", "url=ftp%3A%2F%2Fx&enabled_events[]=*").body,
              HasSubstr("Invalid URL"));
  EXPECT_THAT(Call("POST", "/v1/webhook_endpoints", "url=https%3A%2F%2Fx").body,
              HasSubstr("enabled_events"));
  EXPECT_THAT(
      Call("POST", "/v1/webhook_endpoints", "url=https%3A%2F%2Fx&enabled_events[]=DROP%20TABLE")
          .body,
      HasSubstr("not an event type"));
  EXPECT_THAT(
      Call("POST", "/v1/webhook_endpoints", "url=https%3A%2F%2Fx&enabled_events[]=*&colour=red")
          .body,
      HasSubstr("unknown parameter: colour"));
}

TEST_F(WebhookEndpointsTest, QueuesWantedEventsInOrderForEnabledEndpoints) {
  auto [refunds, refunds_secret] =
      Create("http%3A%2F%2F127.0.0.1%3A9%2Fa", "enabled_events[]=charge.refunded");
  auto [all, all_secret] = Create("http%3A%2F%2F127.0.0.1%3A9%2Fb", "enabled_events[]=*");
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyDuplicate").status, 200);
  std::vector<std::string> got;
  while (auto delivery = emulator_.NextDelivery(absl::ZeroDuration())) {
    got.push_back(delivery->endpoint_id + " " + delivery->event_type);
    EXPECT_EQ(delivery->secret, delivery->endpoint_id == refunds ? refunds_secret : all_secret);
    EXPECT_THAT(delivery->payload, HasSubstr(R"("object":"event")"));
  }
  EXPECT_THAT(got, ::testing::ElementsAre(refunds + " charge.refunded", all + " charge.refunded"));

  ASSERT_EQ(Call("POST", "/v1/webhook_endpoints/" + refunds, "disabled=true").status, 200);
  ASSERT_EQ(Call("POST", "/v1/payment_intents", "amount=500&currency=usd").status, 200);
  auto delivery = emulator_.NextDelivery(absl::ZeroDuration());
  ASSERT_TRUE(delivery.has_value());
  EXPECT_EQ(delivery->endpoint_id, all);
  EXPECT_FALSE(emulator_.NextDelivery(absl::ZeroDuration()).has_value());
}

// A sink that keeps what payvox's listener verified.
class RecordingSink final : public webhooks::WebhookSink {
 public:
  explicit RecordingSink(std::string secret) : secret_(std::move(secret)) {}
  boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> SigningSecrets(
      std::string tenant) override {
    if (tenant != "acme") co_return absl::NotFoundError("no tenant");
    co_return std::vector<std::string>{secret_};
  }
  boost::asio::awaitable<absl::Status> Ingest(std::string, std::string body) override {
    std::lock_guard<std::mutex> lock(mu_);
    bodies_.push_back(std::move(body));
    co_return absl::OkStatus();
  }
  boost::asio::awaitable<bool> Ready() override { co_return true; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  void set_secret(std::string secret) { secret_ = std::move(secret); }

 private:
  std::string secret_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

TEST_F(WebhookEndpointsTest, SenderDeliversSignedEventsThatPayvoxsListenerAccepts) {
  RecordingSink sink("unset");
  SystemClock system_clock;
  webhooks::WebhookListener listener(sink, system_clock);
  ASSERT_TRUE(listener.Start({.http = {.port = 0}}).ok());
  auto [id, secret] = Create(absl::StrCat("http%3A%2F%2F127.0.0.1%3A", listener.port(),
                                          "%2Fv1%2Fwebhooks%2Fstripe%2Facme"),
                             "enabled_events[]=charge.refunded");
  sink.set_secret(secret);
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyDuplicate").status, 200);
  auto delivery = emulator_.NextDelivery(absl::ZeroDuration());
  ASSERT_TRUE(delivery.has_value());

  WebhookSender sender(emulator_, system_clock, {});
  EXPECT_TRUE(sender.PostSigned(*delivery).ok());
  ASSERT_EQ(sink.bodies().size(), 1u);
  EXPECT_THAT(sink.bodies()[0], HasSubstr("charge.refunded"));

  // Signed with another secret: payvox's listener answers 400, the sender
  // reports it.
  WebhookDelivery forged = *delivery;
  forged.secret = "whsec_not_the_endpoints";
  const absl::Status refused = sender.PostSigned(forged);
  EXPECT_THAT(refused.message(), HasSubstr("400"));
  EXPECT_EQ(sink.bodies().size(), 1u);
}

TEST_F(WebhookEndpointsTest, DeliversOverHttpsToAListenerWithACertificate) {
  const testing::TestCertificate certificate = testing::MakeTestCertificate("payvox_webhook_tls");
  RecordingSink sink("unset");
  SystemClock system_clock;
  webhooks::WebhookListener listener(sink, system_clock);
  ASSERT_TRUE(listener
                  .Start({.http = {.port = 0,
                                   .tls_cert_file = certificate.cert_file,
                                   .tls_key_file = certificate.key_file}})
                  .ok());
  auto [id, secret] = Create(absl::StrCat("https%3A%2F%2Flocalhost%3A", listener.port(),
                                          "%2Fv1%2Fwebhooks%2Fstripe%2Facme"),
                             "enabled_events[]=*");
  sink.set_secret(secret);
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyDuplicate").status, 200);
  auto delivery = emulator_.NextDelivery(absl::ZeroDuration());
  ASSERT_TRUE(delivery.has_value());

  // Without trusting the certificate the sender refuses to talk.
  WebhookSender untrusting(emulator_, system_clock, {});
  EXPECT_THAT(untrusting.PostSigned(*delivery).message(), HasSubstr("TLS"));
  EXPECT_TRUE(sink.bodies().empty());
  WebhookSender trusting(emulator_, system_clock, {.extra_ca_file = certificate.cert_file});
  const absl::Status sent = trusting.PostSigned(*delivery);
  EXPECT_TRUE(sent.ok()) << sent;
  EXPECT_EQ(sink.bodies().size(), 1u);
  // Plain HTTP to the HTTPS listener gets nowhere.
  WebhookDelivery plain = *delivery;
  plain.url = absl::StrCat("http://127.0.0.1:", listener.port(), "/v1/webhooks/stripe/acme");
  EXPECT_FALSE(trusting.PostSigned(plain).ok());
  EXPECT_EQ(sink.bodies().size(), 1u);
}

TEST_F(WebhookEndpointsTest, SenderRetriesThenGivesUpOnAnEndpointThatDoesNotAnswer) {
  // Port 9 (discard) on loopback refuses connections.
  Create("http%3A%2F%2F127.0.0.1%3A9%2Fhook", "enabled_events[]=charge.refunded");
  ASSERT_EQ(Call("POST", "/v1/refunds", "charge=ch_DemoJennyDuplicate").status, 200);
  SystemClock system_clock;
  WebhookSender sender(emulator_, system_clock,
                       {.max_attempts = 3, .first_retry_pause = absl::Milliseconds(1)});
  sender.Start();
  for (int i = 0; i < 500 && sender.stats().given_up == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sender.Stop();
  EXPECT_EQ(sender.stats().given_up, 1);
  EXPECT_EQ(sender.stats().failed_attempts, 3);
  EXPECT_EQ(sender.stats().delivered, 0);
}

}  // namespace
}  // namespace payvox::sandbox
