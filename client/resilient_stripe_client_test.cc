#include "client/resilient_stripe_client.h"

#include <deque>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/error_detail.h"
#include "common/testing/fake_clock.h"
#include "common/testing/fake_sleeper.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::FakeClock;
using ::payvox::testing::FakeSleeper;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// ScriptedTransport answers from a queue (200 "{}" once it is empty) and
// records every request. With a gate, each round trip waits for it.
class ScriptedTransport final : public StripeTransport {
 public:
  void Then(absl::StatusOr<HttpAnswer> answer) { script_.push_back(std::move(answer)); }
  void ThenStatus(int http_status, std::optional<bool> should_retry = std::nullopt) {
    Then(HttpAnswer{.http_status = http_status,
                    .body = R"({"error":{"type":"api_error","message":"boom"}})",
                    .should_retry = should_retry});
  }

  boost::asio::awaitable<absl::StatusOr<HttpAnswer>> RoundTrip(
      const StripeRequest& request) override {
    requests.push_back(request);
    if (gate != nullptr) co_await gate->Wait(absl::Hours(1), nullptr);
    if (script_.empty()) co_return HttpAnswer{.http_status = 200, .body = R"({"id":"ok"})"};
    absl::StatusOr<HttpAnswer> next = std::move(script_.front());
    script_.pop_front();
    co_return next;
  }

  std::vector<StripeRequest> requests;
  AsyncEvent* gate = nullptr;

 private:
  std::deque<absl::StatusOr<HttpAnswer>> script_;
};

class ResilientStripeClientTest : public ::testing::Test {
 protected:
  void Build(StripeClientOptions options = {}) {
    auto transport = std::make_unique<ScriptedTransport>();
    transport_ = transport.get();
    client_ = std::make_unique<ResilientStripeClient>(std::move(transport), Mode::kTest, clock_,
                                                      sleeper_, options, [] { return 1.0; });
  }

  absl::StatusOr<StripeResponse> Send(StripeRequest request) {
    return RunCoroutine(client_->Send(std::move(request)));
  }

  static StripeRequest Refund(absl::Time deadline = absl::InfiniteFuture()) {
    StripeRequest request{.method = HttpMethod::kPost,
                          .path = "/v1/refunds",
                          .idempotency_key = "pvx_key",
                          .bounds = CallBounds(deadline)};
    request.params.Add("charge", "ch_1");
    return request;
  }

  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  ScriptedTransport* transport_ = nullptr;
  std::unique_ptr<ResilientStripeClient> client_;
};

TEST_F(ResilientStripeClientTest, RetriesA503WithTheSameIdempotencyKeyAfterBackoff) {
  Build();
  transport_->ThenStatus(503);
  absl::StatusOr<StripeResponse> response = Send(Refund());
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(transport_->requests[0].idempotency_key, "pvx_key");
  EXPECT_EQ(transport_->requests[1].idempotency_key, "pvx_key");
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Milliseconds(500)));
  EXPECT_EQ(client_->stats().retries, 1u);
}

TEST_F(ResilientStripeClientTest, LogsEachAttemptWithItsPathTemplateAndStripesRequestId) {
  std::ostringstream out;
  Logger log(out, clock_, LogLevel::kDebug);
  Build({.log = &log});
  transport_->Then(HttpAnswer{.http_status = 503, .body = "{}", .request_id = "req_first"});
  transport_->Then(HttpAnswer{.http_status = 200, .body = "{}", .request_id = "req_second"});
  StripeRequest request = Refund();
  request.path = "/v1/customers/cus_9aZ/payment_methods?type=card&email=jenny@example.com";
  ASSERT_TRUE(Send(request).ok());
  const std::string lines = out.str();
  EXPECT_THAT(lines, HasSubstr(R"("level":"warning","msg":"stripe request failed")"));
  EXPECT_THAT(lines, HasSubstr(R"("path":"/v1/customers/{id}/payment_methods","status":"503")"
                               R"(,"stripe_request_id":"req_first","attempt":"1")"));
  EXPECT_THAT(lines, HasSubstr(R"("level":"debug","msg":"stripe request")"));
  EXPECT_THAT(lines, HasSubstr(R"("stripe_request_id":"req_second","attempt":"2")"));
  EXPECT_THAT(lines, Not(HasSubstr("cus_9aZ")));
  EXPECT_THAT(lines, Not(HasSubstr("jenny")));
  // At info, only the failure.
  std::ostringstream quiet;
  Logger info(quiet, clock_, LogLevel::kInfo);
  Build({.log = &info});
  ASSERT_TRUE(Send(Refund()).ok());
  EXPECT_EQ(quiet.str(), "");
}

TEST(PathTemplateTest, HidesIdsAndQueries) {
  EXPECT_EQ(PathTemplate("/v1/refunds"), "/v1/refunds");
  EXPECT_EQ(PathTemplate("/v1/refunds/re_1"), "/v1/refunds/{id}");
  EXPECT_EQ(PathTemplate("/v1/billing_portal/sessions"), "/v1/billing_portal/sessions");
  EXPECT_EQ(PathTemplate("/v1/customers/search?query=email:'a@b.c'"), "/v1/customers/search");
  EXPECT_EQ(PathTemplate("/v1/subscriptions/sub_DemoJennyPro/resume"),
            "/v1/subscriptions/{id}/resume");
}

TEST_F(ResilientStripeClientTest, BacksOffExponentiallyAndStopsAtMaxRetries) {
  Build({.retry = {.max_retries = 3}});
  for (int i = 0; i < 4; ++i) transport_->ThenStatus(500);
  EXPECT_THAT(Send(Refund()), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("HTTP 500")));
  EXPECT_EQ(transport_->requests.size(), 4u);
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Milliseconds(500), absl::Seconds(1), absl::Seconds(2)));
}

TEST_F(ResilientStripeClientTest, RetriesConnectionErrorsAnd409) {
  Build();
  transport_->Then(absl::UnavailableError("connection reset"));
  transport_->ThenStatus(409);
  EXPECT_TRUE(Send(Refund()).ok());
  EXPECT_EQ(transport_->requests.size(), 3u);
}

TEST_F(ResilientStripeClientTest, HonoursStripeShouldRetryBothWays) {
  Build();
  transport_->ThenStatus(429);
  EXPECT_THAT(Send(Refund()), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(transport_->requests.size(), 1u);

  Build();
  transport_->ThenStatus(429, /*should_retry=*/true);
  EXPECT_TRUE(Send(Refund()).ok());
  EXPECT_EQ(transport_->requests.size(), 2u);

  Build();
  transport_->ThenStatus(500, /*should_retry=*/false);
  EXPECT_THAT(Send(Refund()), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(ResilientStripeClientTest, NeverRetriesPastTheDeadline) {
  Build();
  transport_->ThenStatus(503);
  transport_->ThenStatus(503);
  // 0.5 s backoff fits in 0.7 s; the next one (1 s) does not.
  EXPECT_THAT(Send(Refund(clock_.Now() + absl::Milliseconds(700))),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(sleeper_.sleeps().size(), 1u);
}

TEST_F(ResilientStripeClientTest, DoesNotRetryWhatStripeDecided) {
  Build();
  transport_->Then(HttpAnswer{
      .http_status = 402,
      .body =
          R"({"error":{"type":"card_error","code":"card_declined","decline_code":"expired_card"}})"});
  EXPECT_THAT(Send(Refund()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("expired")));
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(ResilientStripeClientTest, GivesTheCallsDeadlineOrTheDefaultTimeoutToTheTransport) {
  Build({.default_timeout = absl::Seconds(3)});
  ASSERT_TRUE(Send(Refund()).ok());
  EXPECT_EQ(transport_->requests[0].bounds.deadline, clock_.Now() + absl::Seconds(3));
  const absl::Time deadline = clock_.Now() + absl::Seconds(1);
  ASSERT_TRUE(Send(Refund(deadline)).ok());
  EXPECT_EQ(transport_->requests[1].bounds.deadline, deadline);
  // A far deadline is held to the longest a request may take, so an audit
  // intent is answered within it (the reconciler relies on it).
  ASSERT_TRUE(Send(Refund(clock_.Now() + absl::Hours(1))).ok());
  EXPECT_EQ(transport_->requests[2].bounds.deadline, clock_.Now() + kLongestRequest);
}

TEST_F(ResilientStripeClientTest, RefusesAPostWithoutIdempotencyKey) {
  Build();
  EXPECT_THAT(Send({.method = HttpMethod::kPost, .path = "/v1/refunds"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Idempotency-Key")));
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(ResilientStripeClientTest, ACancelledCallSendsNothingAndIsNotRetried) {
  Build();
  auto cancel = std::make_shared<CancelSignal>();
  cancel->Cancel();
  StripeRequest request = Refund();
  request.bounds.cancel = cancel;
  EXPECT_THAT(Send(request), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(transport_->requests.empty());

  transport_->Then(absl::CancelledError("closed"));
  EXPECT_THAT(Send(Refund()), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(ResilientStripeClientTest, WaitsForARateLimitTokenOrRefusesWhenNoneComesInTime) {
  Build({.rate_limits =
             RateLimits{.read_per_second = 1, .write_per_second = 1, .search_per_second = 1}});
  ASSERT_TRUE(Send(Refund()).ok());
  // The second write waits one second for its token.
  ASSERT_TRUE(Send(Refund()).ok());
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1)));
  // The third has half a second: not enough.
  const absl::Status refused = Send(Refund(clock_.Now() + absl::Milliseconds(500))).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("write")));
  EXPECT_EQ(GetErrorDetail(refused)->reason(), "rate_limited");
  EXPECT_EQ(transport_->requests.size(), 2u);
  // Reads have their own bucket.
  EXPECT_TRUE(Send({.path = "/v1/charges"}).ok());
}

// Each endpoint has its own budget within the account's: refunds past it
// wait, reads of charges do not, and the waits are counted by family.
TEST_F(ResilientStripeClientTest, HoldsEachEndpointToItsBudgetAndCountsTheWaits) {
  metrics::Registry registry;
  Build({.rate_limits = RateLimits{.read_per_second = 100,
                                   .write_per_second = 100,
                                   .search_per_second = 20,
                                   .endpoint_per_second = 2},
         .metrics = &registry});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Send(Refund()).ok());
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Milliseconds(500)));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Send({.path = "/v1/charges/ch_1"}).ok());
  EXPECT_EQ(sleeper_.sleeps().size(), 1u);
  const std::string rendered = registry.Render();
  EXPECT_THAT(rendered,
              HasSubstr(R"(payvox_stripe_rate_limit_total{family="refunds",result="wait"} 1)"));
  EXPECT_THAT(rendered,
              HasSubstr(R"(payvox_stripe_rate_limit_wait_seconds_total{family="refunds"} 0.5)"));
  EXPECT_THAT(rendered, Not(HasSubstr(R"(family="charges",result="wait")")));
  client_.reset();  // before the registry it reports to
}

// A 429 lock_timeout (another request held the charge) is sent again with
// the same Idempotency-Key after backoff, and then succeeds.
TEST_F(ResilientStripeClientTest, RetriesALockTimeoutWithTheSameIdempotencyKey) {
  Build();
  transport_->Then(HttpAnswer{
      .http_status = 429,
      .body = R"({"error":{"type":"invalid_request_error","code":"lock_timeout",)"
              R"("message":"This object cannot be accessed right now because another API )"
              R"(request or Stripe process is currently accessing it."}})"});
  ASSERT_TRUE(Send(Refund()).ok());
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(transport_->requests[1].idempotency_key, transport_->requests[0].idempotency_key);
  EXPECT_EQ(sleeper_.sleeps().size(), 1u);
}

TEST_F(ResilientStripeClientTest, TheBreakerOpensAfterRepeatedFailuresAndFailsFast) {
  Build({.retry = {.max_retries = 0},
         .breaker = {.failure_threshold = 2, .cool_down = absl::Seconds(10)}});
  transport_->ThenStatus(502);
  transport_->Then(absl::DeadlineExceededError("read timed out"));
  EXPECT_FALSE(Send(Refund()).ok());
  EXPECT_FALSE(Send(Refund()).ok());
  EXPECT_THAT(Send(Refund()), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("pausing")));
  EXPECT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(client_->stats().breaker_refusals, 1u);
  // After the cool-down one probe goes through and closes it.
  clock_.Advance(absl::Seconds(10));
  EXPECT_TRUE(Send(Refund()).ok());
  EXPECT_TRUE(Send(Refund()).ok());
  EXPECT_EQ(transport_->requests.size(), 4u);
}

TEST_F(ResilientStripeClientTest, CoalescesConcurrentIdenticalRequests) {
  Build();
  AsyncEvent gate;
  transport_->gate = &gate;
  boost::asio::io_context io;
  auto first = boost::asio::co_spawn(io, client_->Send(Refund()), boost::asio::use_future);
  auto second = boost::asio::co_spawn(io, client_->Send(Refund()), boost::asio::use_future);
  StripeRequest other = Refund();
  other.idempotency_key = "pvx_other";
  auto third = boost::asio::co_spawn(io, client_->Send(other), boost::asio::use_future);
  // Let all three reach the transport or the in-flight table, then open the gate.
  io.poll();
  gate.Set();
  io.run();
  ASSERT_TRUE(first.get().ok());
  absl::StatusOr<StripeResponse> shared = second.get();
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->body, R"({"id":"ok"})");
  ASSERT_TRUE(third.get().ok());
  EXPECT_EQ(transport_->requests.size(), 2u);  // one per distinct request
  EXPECT_EQ(client_->stats().coalesced, 1u);
}

TEST(ResilientStripeClientCreate, ValidatesOptions) {
  boost::asio::io_context io;
  FakeClock clock;
  StripeClientOptions options;
  options.pool.api_key = "sk_test_1";
  options.retry.max_retries = -1;
  EXPECT_THAT(ResilientStripeClient::Create(io.get_executor(), clock, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_retries")));
  options.retry.max_retries = 2;
  options.pool.api_key = "pk_live_1";
  EXPECT_THAT(ResilientStripeClient::Create(io.get_executor(), clock, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("publishable")));
  options.pool.api_key = "rk_live_1";
  absl::StatusOr<std::unique_ptr<ResilientStripeClient>> live =
      ResilientStripeClient::Create(io.get_executor(), clock, options);
  ASSERT_TRUE(live.ok());
  EXPECT_EQ((*live)->mode(), Mode::kLive);
  EXPECT_TRUE((*live)->pool_stats().has_value());
}

}  // namespace
}  // namespace payvox::stripe
