// EventService.Subscribe end to end: signed webhooks into payvoxd's
// listener, events out of gRPC streams, with replay, the replay/live seam,
// reconnects, filters, a slow reader, heartbeats and shutdown.
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tests/payvoxd_fixture.h"
#include "webhooks/signature.h"

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;

class EventStreamTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "tenant_id": "acme",
               "webhooks": {"listen_address": "127.0.0.1:0", "subscriber_queue": 8,
                            "heartbeat_seconds": 1}})";
  }

  void SetUp() override {
    PayvoxdTest::SetUp();
    events_ = v1::EventService::NewStub(channel_);
    socket_ = std::make_unique<boost::asio::ip::tcp::socket>(io_);
    socket_->connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(app_->webhook_port())});
  }

  // Deliver posts event number n (customer cus_<n % 3>) on a kept-alive
  // connection, signed as Stripe signs it.
  void Deliver(int n, const std::string& type = "charge.succeeded") {
    const std::string body =
        absl::StrCat(R"({"id":"evt_n)", n, R"(","object":"event","created":)", 1700000000 + n,
                     R"(,"data":{"object":{"id":"ch_)", n, R"(","object":"charge","amount":)",
                     100 + n, R"(,"currency":"usd","customer":"cus_)", n % 3,
                     R"(","status":"succeeded"}},"type":")", type, R"("})");
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    http::request<http::string_body> request{http::verb::post, "/v1/webhooks/stripe/acme", 11};
    request.set(
        "Stripe-Signature",
        absl::StrCat("t=", now, ",v1=", webhooks::SignPayload("whsec_payvox_sandbox", now, body)));
    request.body() = body;
    request.prepare_payload();
    http::write(*socket_, request);
    http::response<http::string_body> response;
    http::read(*socket_, buffer_, response);
    ASSERT_EQ(response.result(), http::status::ok) << response.body();
  }

  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::PaymentEvent>> reader;
  };

  std::unique_ptr<Stream> Subscribe(const v1::SubscribeRequest& request) {
    auto stream = std::make_unique<Stream>();
    stream->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream->reader = events_->Subscribe(&stream->context, request);
    // Live from here: events stored from now on reach it.
    stream->reader->WaitForInitialMetadata();
    return stream;
  }

  // Next reads the next event that is not a heartbeat.
  static v1::PaymentEvent Next(Stream& stream) {
    v1::PaymentEvent event;
    while (stream.reader->Read(&event)) {
      if (event.type() != "heartbeat") return event;
    }
    ADD_FAILURE() << "the stream ended";
    return event;
  }

  std::unique_ptr<v1::EventService::Stub> events_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
};

TEST_F(EventStreamTest, ReplaysAfterResumeThenFollowsLiveWithoutGapOrDuplicate) {
  for (int n = 1; n <= 5; ++n) Deliver(n);
  Deliver(3);  // a redelivery is stored once
  v1::SubscribeRequest request;
  request.set_resume_after(2);
  auto stream = Subscribe(request);
  for (int expected = 3; expected <= 5; ++expected) {
    const v1::PaymentEvent event = Next(*stream);
    EXPECT_EQ(event.sequence(), expected);
    EXPECT_EQ(event.stripe_event_id(), absl::StrCat("evt_n", expected));
    EXPECT_EQ(event.say(), absl::StrCat("A payment of $1.0", expected, " went through."));
  }
  for (int n = 6; n <= 8; ++n) Deliver(n);
  for (int expected = 6; expected <= 8; ++expected) EXPECT_EQ(Next(*stream).sequence(), expected);
  stream->context.TryCancel();
}

TEST_F(EventStreamTest, ThousandsOfEventsAcrossAReconnectArriveOnceEach) {
  constexpr int kEvents = 2000;
  std::thread sender([this] {
    for (int n = 1; n <= kEvents; ++n) Deliver(n);
  });
  int64_t last = 0;
  int received = 0;
  {
    auto first = Subscribe(v1::SubscribeRequest());  // from now on: sequence 1 at the earliest
    // The stream says from where it is live: its first event comes next.
    const auto start = first->context.GetServerInitialMetadata().find("payvox-start-sequence");
    ASSERT_NE(start, first->context.GetServerInitialMetadata().end());
    const int64_t start_sequence =
        std::stoll(std::string(start->second.data(), start->second.size()));
    while (received < 700) {
      const v1::PaymentEvent event = Next(*first);
      if (received == 0) {
        EXPECT_EQ(event.sequence(), start_sequence + 1);
        last = event.sequence() - 1;  // events before subscribing
      }
      ASSERT_EQ(event.sequence(), last + 1);
      last = event.sequence();
      ++received;
    }
    first->context.TryCancel();
  }
  // Reconnect where we stopped: the rest, every one once, in order.
  v1::SubscribeRequest resume;
  resume.set_resume_after(last);
  auto second = Subscribe(resume);
  while (last < kEvents) {
    const v1::PaymentEvent event = Next(*second);
    ASSERT_EQ(event.sequence(), last + 1);
    last = event.sequence();
  }
  sender.join();
  EXPECT_EQ(last, kEvents);
  second->context.TryCancel();
}

TEST_F(EventStreamTest, ASlowReaderCatchesUpFromTheStore) {
  v1::SubscribeRequest request;
  request.set_resume_after(0);
  auto slow = Subscribe(request);
  v1::PaymentEvent first;
  Deliver(1);
  ASSERT_TRUE(slow->reader->Read(&first));
  // Far more than its queue of 8, while it reads nothing: ingestion is not
  // held up, and nothing is lost.
  for (int n = 2; n <= 300; ++n) Deliver(n);
  int64_t last = first.sequence();
  while (last < 300) {
    const v1::PaymentEvent event = Next(*slow);
    ASSERT_EQ(event.sequence(), last + 1);
    last = event.sequence();
  }
  slow->context.TryCancel();
}

TEST_F(EventStreamTest, FiltersHeartbeatsAndACleanEndOnShutdown) {
  v1::SubscribeRequest request;
  request.set_customer_id("cus_1");
  request.add_types("charge.refunded");
  auto filtered = Subscribe(request);
  Deliver(1, "charge.refunded");   // cus_1
  Deliver(2, "charge.refunded");   // cus_2
  Deliver(4, "charge.succeeded");  // cus_1, another type
  Deliver(7, "charge.refunded");   // cus_1
  EXPECT_EQ(Next(*filtered).stripe_event_id(), "evt_n1");
  EXPECT_EQ(Next(*filtered).stripe_event_id(), "evt_n7");

  // Idle: a heartbeat comes within the interval (1 s here).
  v1::PaymentEvent heartbeat;
  ASSERT_TRUE(filtered->reader->Read(&heartbeat));
  EXPECT_EQ(heartbeat.type(), "heartbeat");
  EXPECT_EQ(heartbeat.sequence(), 4);

  app_->Shutdown();
  v1::PaymentEvent rest;
  while (filtered->reader->Read(&rest)) {
  }
  const grpc::Status status = filtered->reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  const auto& trailers = filtered->context.GetServerTrailingMetadata();
  auto last = trailers.find("payvox-last-sequence");
  ASSERT_NE(last, trailers.end());
  EXPECT_EQ(std::string(last->second.data(), last->second.size()), "4");
}

TEST_F(EventStreamTest, BadSubscriptionsAreRefusedNamingTheField) {
  v1::SubscribeRequest request;
  request.set_resume_after(-1);
  auto negative = Subscribe(request);
  v1::PaymentEvent event;
  EXPECT_FALSE(negative->reader->Read(&event));
  grpc::Status status = negative->reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("resume_after"));
  v1::SubscribeRequest bad_type;
  bad_type.add_types("Charge Failed");
  auto typed = Subscribe(bad_type);
  EXPECT_FALSE(typed->reader->Read(&event));
  EXPECT_EQ(typed->reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace payvox::testing
