// payvoxd with its webhook listener: a secure hand-off started over gRPC,
// completed by the card provider at the (sandbox) Stripe, and Stripe's
// signed event delivered to payvoxd's listener.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tests/payvoxd_fixture.h"
#include "webhooks/signature.h"

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

class WebhookFlowTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "tenant_id": "acme", "policy": {"enabled_actions": ["all"]},
               "webhooks": {"listen_address": "127.0.0.1:0"}})";
  }

  // Http sends one request to `port` on loopback.
  static http::response<http::string_body> Http(int port, http::verb method,
                                                const std::string& target,
                                                const std::string& body = "",
                                                const std::string& signature = "",
                                                const std::string& authorization = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!signature.empty()) headers.emplace_back("Stripe-Signature", signature);
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    if (method == http::verb::post) {
      headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return HttpExchange(port, method, target, body, headers);
  }

  int SandboxPort() const {
    const std::string url = app_->sandbox_url();
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(url.substr(url.rfind(':') + 1), &port));
    return port;
  }

  // Stripe's side: the newest event of `type` at the sandbox.
  std::string LatestEvent(const std::string& type) {
    const std::string list =
        Http(SandboxPort(), http::verb::get, absl::StrCat("/v1/events?limit=1&type=", type), "", "",
             "Bearer sk_test_x")
            .body();
    const size_t at = list.find("\"id\":\"evt_");
    EXPECT_NE(at, std::string::npos) << list;
    const std::string id = list.substr(at + 6, list.find('"', at + 6) - at - 6);
    return Http(SandboxPort(), http::verb::get, absl::StrCat("/v1/events/", id), "", "",
                "Bearer sk_test_x")
        .body();
  }

  http::response<http::string_body> Deliver(const std::string& body,
                                            const std::string& secret = "whsec_payvox_sandbox") {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return Http(app_->webhook_port(), http::verb::post, "/v1/webhooks/stripe/acme", body,
                absl::StrCat("t=", now, ",v1=", webhooks::SignPayload(secret, now, body)));
  }
};

TEST_F(WebhookFlowTest, AHandOffCompletesThroughASignedWebhook) {
  ASSERT_GT(app_->webhook_port(), 0);
  EXPECT_EQ(Http(app_->webhook_port(), http::verb::get, "/readyz").result(), http::status::ok);

  VerifyJenny();
  v1::StartSecurePaymentRequest start;
  *start.mutable_context() = Context("pay-1");
  start.set_customer_id("cus_DemoJennyRosen");
  start.mutable_amount()->set_amount_minor(2000);
  start.mutable_amount()->set_currency("usd");
  v1::StartSecurePaymentResponse started;
  ASSERT_TRUE(Invoke(&v1::ActionService::Stub::StartSecurePayment, start, &started).ok());

  // The DTMF provider confirms the intent with the card it captured.
  auto confirmed =
      Http(SandboxPort(), http::verb::post,
           absl::StrCat("/v1/payment_intents/", started.payment_intent_id(), "/confirm"),
           "payment_method=pm_card_visa", "", "Bearer sk_test_provider");
  ASSERT_EQ(confirmed.result(), http::status::ok) << confirmed.body();

  const std::string event = LatestEvent("payment_intent.succeeded");
  EXPECT_THAT(event, HasSubstr(started.payment_intent_id()));
  EXPECT_THAT(event, HasSubstr("\"payvox_call_id\":\"call-1\""));
  auto delivered = Deliver(event);
  EXPECT_EQ(delivered.result(), http::status::ok) << delivered.body();
  // Stripe delivers at least once: the same event again is fine.
  EXPECT_EQ(Deliver(event).result(), http::status::ok);
  // Not signed by the tenant's secret: refused.
  EXPECT_EQ(Deliver(event, "whsec_not_ours").result(), http::status::bad_request);
  EXPECT_EQ(
      Http(app_->webhook_port(), http::verb::post, "/v1/webhooks/stripe/globex", event).result(),
      http::status::not_found);

  // Once payvoxd stops, the listener is closed too.
  const int port = app_->webhook_port();
  app_->Shutdown();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code error;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}, error);
  EXPECT_TRUE(error);
}

TEST_F(WebhookFlowTest, ConfigureWebhooksClosesTheLoopARefundAtStripeReachesSubscribers) {
  v1::ConfigureWebhooksRequest configure;
  configure.set_tenant_id("acme");
  configure.set_url(
      absl::StrCat("http://127.0.0.1:", app_->webhook_port(), "/v1/webhooks/stripe/acme"));
  v1::ConfigureWebhooksResponse configured;
  const grpc::Status status =
      Admin(&v1::AdminService::Stub::ConfigureWebhooks, configure, &configured);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(configured.endpoint_id(), ::testing::StartsWith("we_"));
  EXPECT_THAT(configured.enabled_events(), ::testing::Contains("charge.refunded"));
  EXPECT_THAT(configured.enabled_events(), ::testing::Contains("payment_intent.payment_failed"));
  // Stripe holds the endpoint with the URL payvox gave it.
  const std::string endpoints =
      Http(SandboxPort(), http::verb::get, "/v1/webhook_endpoints", "", "", "Bearer sk_test_x")
          .body();
  EXPECT_THAT(endpoints, HasSubstr(configured.endpoint_id()));
  EXPECT_THAT(endpoints, HasSubstr(configure.url()));

  auto events = v1::EventService::NewStub(channel_);
  grpc::ClientContext stream_context;
  stream_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::SubscribeRequest subscribe;
  subscribe.add_types("charge.refunded");
  auto reader = events->Subscribe(&stream_context, subscribe);

  VerifyJenny();
  v1::CreateRefundResponse refunded;
  ASSERT_TRUE(Refund("refund-loop", "ch_DemoJennyDuplicate", 0, &refunded).ok());

  // The sandbox signs charge.refunded with the endpoint's secret and posts
  // it to payvoxd's listener, which verifies it with the stored secret.
  v1::PaymentEvent event;
  do {
    ASSERT_TRUE(reader->Read(&event)) << "the stream ended before charge.refunded arrived";
  } while (event.type() == "heartbeat");
  EXPECT_EQ(event.type(), "charge.refunded");
  EXPECT_EQ(event.object_id(), "ch_DemoJennyDuplicate");
  EXPECT_EQ(event.customer_id(), "cus_DemoJennyRosen");
  stream_context.TryCancel();
}

TEST_F(WebhookFlowTest, ConfigureWebhooksRefusesBadRequests) {
  v1::ConfigureWebhooksRequest request;
  v1::ConfigureWebhooksResponse response;
  request.set_tenant_id("acme");
  for (const char* url : {"", "ftp://payvox.example/hook", "https://", "https://a b.example/"}) {
    request.set_url(url);
    const grpc::Status status =
        Admin(&v1::AdminService::Stub::ConfigureWebhooks, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
    EXPECT_THAT(status.error_message(), HasSubstr("url")) << url;
  }
  request.set_tenant_id("globex");
  request.set_url("https://payvox.example/v1/webhooks/stripe/globex");
  EXPECT_EQ(Admin(&v1::AdminService::Stub::ConfigureWebhooks, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace payvox::testing
