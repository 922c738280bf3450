// The webhook listener and the ingestion behind it, over real sockets on
// loopback and a real (in-memory) store.
#include "webhooks/ingestor.h"

#include <sys/socket.h>

#include <sstream>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "common/testing/fake_clock.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"
#include "webhooks/listener.h"
#include "webhooks/signature.h"

namespace payvox::webhooks {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1700000000;

std::string EventBody(const std::string& id, const std::string& type, const std::string& object) {
  return absl::StrCat(R"({"id":")", id, R"(","object":"event","created":)", kNow,
                      R"(,"data":{"object":)", object, R"(},"type":")", type, R"("})");
}

std::string FailedIntent(const std::string& metadata) {
  return absl::StrCat(
      R"({"id":"pi_1","object":"payment_intent","amount":2000,"currency":"usd",)",
      R"("customer":"cus_1","status":"requires_payment_method","metadata":)", metadata,
      R"(,"last_payment_error":{"code":"card_declined","decline_code":"expired_card"}})");
}

class WebhookListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open({.path = ":memory:"}, clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    executor_ = std::make_unique<StoreExecutor>(*store_, StoreExecutorOptions{.threads = 1});
    ingestor_ = std::make_unique<EventIngestor>(
        *executor_, clock_,
        EventIngestor::Options{
            .configured = {{"acme", {"whsec_old", "whsec_new"}}},
            .keyring = &keyring_,
            .serving = [this] { return serving_.load(); },
            .on_stored =
                [this](const std::string& tenant, const v1::PaymentEvent& event) {
                  std::lock_guard<std::mutex> lock(mu_);
                  delivered_.push_back(
                      absl::StrCat(tenant, ":", event.sequence(), ":", event.type()));
                },
            .log = &log_});
    listener_ = std::make_unique<WebhookListener>(*ingestor_, clock_);
    ASSERT_TRUE(
        listener_->Start({.http = {.max_body_bytes = 4096, .max_connections = 8}, .log = &log_})
            .ok());
  }

  // The listener stops, then the store's threads end, then everything goes
  // (webhooks/listener.h).
  void TearDown() override {
    if (listener_) listener_->Stop();
    if (executor_) executor_->Join();
  }

  // Send sends one request on a new connection and returns the response.
  http::response<http::string_body> Send(http::verb method, const std::string& target,
                                         const std::string& body = "",
                                         const std::string& signature = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!signature.empty()) headers.emplace_back("Stripe-Signature", signature);
    return testing::HttpExchange(listener_->port(), method, target, body, headers);
  }

  http::response<http::string_body> Post(const std::string& body, const std::string& secret,
                                         int64_t timestamp = kNow,
                                         const std::string& tenant = "acme") {
    return Send(http::verb::post, absl::StrCat("/v1/webhooks/stripe/", tenant), body,
                absl::StrCat("t=", timestamp, ",v1=", SignPayload(secret, timestamp, body)));
  }

  std::vector<std::string> Delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

  testing::FakeClock clock_{absl::FromUnixSeconds(kNow)};
  // Read only once the listener stopped.
  std::ostringstream log_text_;
  Logger log_{log_text_, clock_, LogLevel::kInfo};
  Keyring keyring_{*MasterKey::Generate()};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<StoreExecutor> executor_;
  std::unique_ptr<EventIngestor> ingestor_;
  std::unique_ptr<WebhookListener> listener_;
  std::atomic<bool> serving_{true};
  std::mutex mu_;
  std::vector<std::string> delivered_;
};

TEST_F(WebhookListenerTest, SignedEventsAreStoredOnceAndDeliveredInOrder) {
  const std::string failed =
      EventBody("evt_1", "payment_intent.payment_failed",
                FailedIntent(R"({"payvox_call_id":"call-9","payvox_handoff_session":"hos_1"})"));
  ASSERT_TRUE(store_
                  ->CreateHandoffSession({.tenant_id = "acme",
                                          .session_id = "hos_1",
                                          .call_id = "call-9",
                                          .payment_intent_id = "pi_1"})
                  .ok());
  auto first = Post(failed, "whsec_old");
  EXPECT_EQ(first.result(), http::status::ok) << first.body();
  // Either active secret signs; a redelivery is answered 200 and stored once.
  EXPECT_EQ(Post(failed, "whsec_new").result(), http::status::ok);
  const std::string other = EventBody("evt_2", "invoice.finalized",
                                      R"({"id":"in_1","object":"invoice","customer":"cus_1"})");
  EXPECT_EQ(Post(other, "whsec_new").result(), http::status::ok);
  EXPECT_EQ(Delivered(), (std::vector<std::string>{"acme:1:payment_intent.payment_failed",
                                                   "acme:2:invoice.finalized"}));
  auto stored = store_->ReadEvents("acme", 0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].call_id(), "call-9");
  EXPECT_EQ((*stored)[0].failure_reason(), "the card has expired");
  // The hand-off learned its outcome.
  EXPECT_EQ((*store_->FindHandoffSession("acme", "pi_1"))->state, "failed");
}

TEST_F(WebhookListenerTest, EachDeliveryIsLoggedWithItsEventIdAndOutcome) {
  const std::string body = EventBody("evt_log1", "invoice.finalized",
                                     R"({"id":"in_1","object":"invoice","customer":"cus_1"})");
  ASSERT_EQ(Post(body, "whsec_new").result(), http::status::ok);
  ASSERT_EQ(Post(body, "whsec_new").result(), http::status::ok);
  ASSERT_EQ(Post(body, "whsec_wrong").result(), http::status::bad_request);
  listener_->Stop();
  const std::string lines = log_text_.str();
  EXPECT_THAT(lines,
              HasSubstr(R"("level":"info","msg":"webhook","tenant":"acme",)"
                        R"("event_id":"evt_log1","type":"invoice.finalized","outcome":"stored")"));
  EXPECT_THAT(lines, HasSubstr(R"("event_id":"evt_log1","type":"invoice.finalized",)"
                               R"("outcome":"duplicate")"));
  EXPECT_THAT(lines, HasSubstr(R"("level":"warning","msg":"webhook signature refused",)"
                               R"("tenant":"acme","reason":"invalid")"));
  EXPECT_THAT(lines, Not(HasSubstr("whsec_")));
}

TEST_F(WebhookListenerTest, OutOfOrderDeliveriesAreStoredOnceAndNeverUndoAFinalOutcome) {
  ASSERT_TRUE(store_
                  ->CreateHandoffSession({.tenant_id = "acme",
                                          .session_id = "hos_1",
                                          .call_id = "call-9",
                                          .payment_intent_id = "pi_1"})
                  .ok());
  const std::string metadata = R"({"payvox_call_id":"call-9","payvox_handoff_session":"hos_1"})";
  // The first attempt failed (evt_a), the second succeeded (evt_b), but
  // Stripe delivers the success first and the failure, and a redelivery of
  // the success, after it.
  const std::string failed =
      EventBody("evt_a", "payment_intent.payment_failed", FailedIntent(metadata));
  const std::string succeeded = EventBody(
      "evt_b", "payment_intent.succeeded",
      absl::StrCat(R"({"id":"pi_1","object":"payment_intent","amount":2000,"currency":"usd",)",
                   R"("customer":"cus_1","status":"succeeded","metadata":)", metadata, "}"));
  EXPECT_EQ(Post(succeeded, "whsec_new").result(), http::status::ok);
  EXPECT_EQ(Post(failed, "whsec_new").result(), http::status::ok);
  EXPECT_EQ(Post(succeeded, "whsec_old").result(), http::status::ok);
  EXPECT_EQ((*store_->FindHandoffSession("acme", "pi_1"))->state, "succeeded");
  // Both are stored once, numbered in arrival order.
  EXPECT_EQ(Delivered(), (std::vector<std::string>{"acme:1:payment_intent.succeeded",
                                                   "acme:2:payment_intent.payment_failed"}));
  auto stored = store_->ReadEvents("acme", 0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].stripe_event_id(), "evt_b");
  EXPECT_EQ((*stored)[1].stripe_event_id(), "evt_a");
}

TEST_F(WebhookListenerTest, ForgedStaleOrBrokenRequestsAreRefusedAndNeverStored) {
  const std::string body = EventBody(
      "evt_9", "charge.failed", R"({"id":"ch_1","object":"charge","amount":100,"currency":"usd"})");
  EXPECT_EQ(Post(body, "whsec_someone_else").result(), http::status::bad_request);
  EXPECT_EQ(Post(body, "whsec_old", kNow - 301).result(), http::status::bad_request);
  EXPECT_EQ(Post(body, "whsec_old", kNow + 3600).result(), http::status::bad_request);
  EXPECT_EQ(Send(http::verb::post, "/v1/webhooks/stripe/acme", body).result(),
            http::status::bad_request);  // unsigned
  // Signed, but not a Stripe event.
  auto not_event = Post(R"({"hello":"world"})", "whsec_old");
  EXPECT_EQ(not_event.result(), http::status::bad_request);
  EXPECT_THAT(not_event.body(), HasSubstr("not a Stripe event"));
  EXPECT_EQ(Post(body, "whsec_old", kNow, "globex").result(), http::status::not_found);
  EXPECT_EQ(Post(body, "whsec_old", kNow, "ACME;drop").result(), http::status::not_found);
  EXPECT_EQ(Send(http::verb::get, "/v1/webhooks/stripe/acme").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(Send(http::verb::post, "/v1/elsewhere").result(), http::status::not_found);
  EXPECT_EQ(Post(std::string(5000, 'x'), "whsec_old").result(), http::status::payload_too_large);
  EXPECT_EQ(*store_->LastEventSequence("acme"), 0);
  EXPECT_TRUE(Delivered().empty());
}

TEST_F(WebhookListenerTest, SecretsStoredByConfigureWebhooksVerifyUntilTheyExpire) {
  // globex has no configured secret: only what ConfigureWebhooks stored.
  auto add = [&](const std::string& id, const std::string& secret, absl::Time others_expire) {
    ASSERT_TRUE(store_
                    ->AddWebhookEndpoint({.tenant_id = "globex",
                                          .endpoint_id = id,
                                          .url = "https://payvox.example/v1/webhooks/stripe/globex",
                                          .secret_sealed = *keyring_.Seal(
                                              secret, WebhookSecretContext("globex", id)),
                                          .created = clock_.Now()},
                                         others_expire)
                    .ok());
  };
  const std::string body =
      EventBody("evt_g1", "charge.failed",
                R"({"id":"ch_1","object":"charge","amount":100,"currency":"usd"})");
  EXPECT_EQ(Post(body, "whsec_g1", kNow, "globex").result(), http::status::not_found);
  add("we_1", "whsec_g1", clock_.Now());
  auto accepted = Post(body, "whsec_g1", kNow, "globex");
  EXPECT_EQ(accepted.result(), http::status::ok) << accepted.body();
  // A second endpoint: the first secret keeps working for the overlap.
  add("we_2", "whsec_g2", clock_.Now() + absl::Seconds(60));
  const std::string second =
      EventBody("evt_g2", "charge.failed",
                R"({"id":"ch_2","object":"charge","amount":100,"currency":"usd"})");
  EXPECT_EQ(Post(second, "whsec_g1", kNow, "globex").result(), http::status::ok);
  clock_.Advance(absl::Seconds(61));
  const int64_t later = kNow + 61;
  const std::string third =
      EventBody("evt_g3", "charge.failed",
                R"({"id":"ch_3","object":"charge","amount":100,"currency":"usd"})");
  EXPECT_EQ(Post(third, "whsec_g1", later, "globex").result(), http::status::bad_request);
  EXPECT_EQ(Post(third, "whsec_g2", later, "globex").result(), http::status::ok);
  // A sealed secret moved to another tenant's row does not open there.
  ASSERT_TRUE(store_
                  ->AddWebhookEndpoint({.tenant_id = "initech",
                                        .endpoint_id = "we_1",
                                        .url = "https://x",
                                        .secret_sealed = *keyring_.Seal(
                                            "whsec_g2", WebhookSecretContext("globex", "we_2")),
                                        .created = clock_.Now()},
                                       clock_.Now())
                  .ok());
  EXPECT_EQ(Post(third, "whsec_g2", later, "initech").result(), http::status::not_found);
  EXPECT_EQ(*store_->LastEventSequence("globex"), 3);
}

TEST_F(WebhookListenerTest, HealthAndReadiness) {
  EXPECT_EQ(Send(http::verb::get, "/healthz").result(), http::status::ok);
  EXPECT_EQ(Send(http::verb::get, "/readyz").result(), http::status::ok);
  serving_ = false;
  EXPECT_EQ(Send(http::verb::get, "/readyz").result(), http::status::service_unavailable);
  EXPECT_EQ(Send(http::verb::get, "/healthz").result(), http::status::ok);
}

TEST_F(WebhookListenerTest, KeepsConnectionsAlive) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(listener_->port())});
  boost::beast::flat_buffer buffer;
  for (int i = 0; i < 3; ++i) {
    const std::string body = EventBody(absl::StrCat("evt_k", i), "customer.created",
                                       R"({"id":"cus_1","object":"customer"})");
    http::request<http::string_body> request{http::verb::post, "/v1/webhooks/stripe/acme", 11};
    request.set("Stripe-Signature",
                absl::StrCat("t=", kNow, ",v1=", SignPayload("whsec_new", kNow, body)));
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_TRUE(response.keep_alive());
  }
  EXPECT_EQ(*store_->LastEventSequence("acme"), 3);
}

// Eight open connections (the cap), each idle after one answered request,
// half of them dribbling the headers of another: a signed delivery on a new
// connection is still served, and the connection idle the longest made room.
TEST_F(WebhookListenerTest, AtTheCapTheIdlestConnectionMakesRoomForADelivery) {
  boost::asio::io_context io;
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<uint16_t>(listener_->port()));
  std::vector<boost::asio::ip::tcp::socket> open;
  for (int i = 0; i < 8; ++i) {
    boost::asio::ip::tcp::socket& socket = open.emplace_back(io);
    socket.connect(endpoint);
    http::request<http::string_body> health{http::verb::get, "/healthz", 11};
    health.set(http::field::host, "127.0.0.1");
    http::write(socket, health);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    ASSERT_EQ(response.result(), http::status::ok);
    if (i % 2 == 1) {
      boost::asio::write(socket, boost::asio::buffer(std::string(
                                     "POST /v1/webhooks/stripe/acme HTTP/1.1\r\nHost: x\r\n")));
    }
  }
  const std::string body =
      EventBody("evt_room", "customer.created", R"({"id":"cus_1","object":"customer"})");
  EXPECT_EQ(Post(body, "whsec_new").result(), http::status::ok);
  // The first connection, idle the longest, was closed.
  struct timeval bound = {5, 0};
  setsockopt(open[0].native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
  char byte = 0;
  boost::system::error_code error;
  open[0].read_some(boost::asio::buffer(&byte, 1), error);
  EXPECT_EQ(error, boost::asio::error::eof) << error.message();
}

}  // namespace
}  // namespace payvox::webhooks
