// The production Stripe client against a misbehaving sandbox: every fault
// of sandbox/faults.h, over a real loopback socket. The refund cases play
// the orchestrator too: a call that fails is sent again with the same
// request (same Idempotency-Key) until it succeeds, and in the end exactly
// one refund must exist.
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "client/stripe_decoders.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"

namespace payvox {
namespace {

using ::payvox::sandbox::Fault;
using ::payvox::sandbox::FaultKind;
using ::payvox::sandbox::FaultRule;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kCharge[] = "ch_DemoJennyPlan";

class StripeFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SeedDemoData(emulator_);
    ASSERT_TRUE(server_.Start({.port = 0}).ok());
    stripe::StripeClientOptions options;
    options.pool = {.base_url = server_.base_url(), .api_key = "sk_test_faults"};
    auto client = stripe::ResilientStripeClient::Create(io_.get_executor(), clock_, options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void Inject(FaultRule rule) { server_.faults().Add(std::move(rule)); }

  absl::StatusOr<stripe::Refund> Refund(absl::Duration timeout = absl::Seconds(10)) {
    stripe::StripeApi api(*client_);
    return RunCoroutine(io_, api.CreateRefund({.charge = kCharge, .amount = 500},
                                              {.bounds = CallBounds(clock_.Now() + timeout),
                                               .idempotency_key = "pvx_fault_refund"}));
  }

  std::vector<stripe::Refund> RefundsOfCharge() {
    stripe::StripeRequest request{.path = "/v1/refunds"};
    request.params.Add("charge", kCharge);
    absl::StatusOr<stripe::StripeResponse> response = RunCoroutine(io_, client_->Send(request));
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return {};
    absl::StatusOr<stripe::List<stripe::Refund>> list = stripe::DecodeRefundList(response->body);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? list->data : std::vector<stripe::Refund>{};
  }

  SystemClock clock_;
  boost::asio::io_context io_;
  sandbox::StripeEmulator emulator_{clock_, {.id_seed = 11}};
  sandbox::SandboxServer server_{emulator_};
  std::unique_ptr<stripe::ResilientStripeClient> client_;
};

struct FaultCase {
  const char* name;
  Fault fault;
  int times;
};

class RefundUnderFaultTest : public StripeFaultsTest,
                             public ::testing::WithParamInterface<FaultCase> {};

TEST_P(RefundUnderFaultTest, EndsWithExactlyOneRefund) {
  // Warm the connection first, so faults also hit reused connections.
  ASSERT_TRUE(RefundsOfCharge().empty());
  Inject({.method = "POST",
          .path_prefix = "/v1/refunds",
          .times = GetParam().times,
          .fault = GetParam().fault});
  absl::StatusOr<stripe::Refund> refund;
  std::vector<absl::Status> failures;
  for (int call = 0; call < 4; ++call) {
    refund = Refund();
    if (refund.ok()) break;
    failures.push_back(refund.status());
  }
  ASSERT_TRUE(refund.ok()) << refund.status();
  for (const absl::Status& failure : failures) {
    // What the orchestrator saw before success told it to send the same request again.
    EXPECT_THAT(failure.code(),
                ::testing::AnyOf(absl::StatusCode::kUnavailable,
                                 absl::StatusCode::kResourceExhausted, absl::StatusCode::kInternal))
        << failure;
  }
  const std::vector<stripe::Refund> refunds = RefundsOfCharge();
  ASSERT_EQ(refunds.size(), 1u);
  EXPECT_EQ(refunds[0].id, refund->id);
  EXPECT_EQ(refunds[0].amount, 500);
  EXPECT_EQ(server_.faults().pending(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, RefundUnderFaultTest,
    ::testing::Values(
        FaultCase{"latency", {.kind = FaultKind::kLatency, .latency = absl::Milliseconds(200)}, 1},
        FaultCase{"http500", {.kind = FaultKind::kStatus, .http_status = 500}, 1},
        FaultCase{"http502", {.kind = FaultKind::kStatus, .http_status = 502}, 1},
        FaultCase{"http503_twice", {.kind = FaultKind::kStatus, .http_status = 503}, 2},
        FaultCase{"http503_past_retries", {.kind = FaultKind::kStatus, .http_status = 503}, 3},
        FaultCase{
            "rate_limit_should_retry", {.kind = FaultKind::kRateLimit, .should_retry = true}, 1},
        FaultCase{"rate_limit", {.kind = FaultKind::kRateLimit}, 1},
        FaultCase{"lock_timeout_twice", {.kind = FaultKind::kLockTimeout}, 2},
        FaultCase{"idempotency_key_in_use_twice", {.kind = FaultKind::kIdempotencyKeyInUse}, 2},
        FaultCase{"reset_before_response", {.kind = FaultKind::kResetBeforeResponse}, 1},
        FaultCase{"drop_after_commit", {.kind = FaultKind::kDropAfterCommit}, 1},
        FaultCase{"drop_after_commit_twice", {.kind = FaultKind::kDropAfterCommit}, 2},
        FaultCase{
            "trickle",
            {.kind = FaultKind::kTrickle, .latency = absl::Milliseconds(5), .chunk_bytes = 64},
            1},
        FaultCase{"malformed_json", {.kind = FaultKind::kMalformedJson}, 1}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.name; });

TEST_F(StripeFaultsTest, ACommittedRefundWhoseAnswerWasLostComesBackByReplay) {
  Inject({.method = "POST",
          .path_prefix = "/v1/refunds",
          .fault = {.kind = FaultKind::kDropAfterCommit}});
  stripe::StripeRequest request{.method = stripe::HttpMethod::kPost,
                                .path = "/v1/refunds",
                                .idempotency_key = "pvx_lost_answer"};
  request.params.Add("charge", kCharge);
  request.params.Add("amount", "300");
  absl::StatusOr<stripe::StripeResponse> response = RunCoroutine(io_, client_->Send(request));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_TRUE(response->idempotent_replayed);
  EXPECT_EQ(client_->stats().retries, 1u);
  EXPECT_EQ(RefundsOfCharge().size(), 1u);
}

// Stripe did nothing on a lock_timeout or an idempotency_key_in_use: the
// client sends the same refund again within the one call, and it is made
// once.
TEST_F(StripeFaultsTest, HeldObjectsAndKeysAreRetriedWithinTheCall) {
  for (const FaultKind kind : {FaultKind::kLockTimeout, FaultKind::kIdempotencyKeyInUse}) {
    Inject({.method = "POST", .path_prefix = "/v1/refunds", .fault = {.kind = kind}});
  }
  absl::StatusOr<stripe::Refund> refund = Refund();
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_EQ(client_->stats().retries, 2u);
  EXPECT_EQ(server_.faults().pending(), 0);
  EXPECT_EQ(RefundsOfCharge().size(), 1u);
}

TEST_F(StripeFaultsTest, RateLimitWithoutShouldRetryIsNotRetried) {
  Inject({.fault = {.kind = FaultKind::kRateLimit}});
  EXPECT_THAT(RunCoroutine(io_, client_->Send({.path = "/v1/customers"})),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(client_->stats().attempts, 1u);
}

TEST_F(StripeFaultsTest, ShouldRetryFalseStopsRetryingA503) {
  Inject({.fault = {.kind = FaultKind::kStatus, .http_status = 503, .should_retry = false}});
  EXPECT_THAT(RunCoroutine(io_, client_->Send({.path = "/v1/customers"})),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(client_->stats().attempts, 1u);
}

TEST_F(StripeFaultsTest, SlowAnswersEndAtTheDeadline) {
  Inject({.fault = {.kind = FaultKind::kLatency, .latency = absl::Seconds(3)}});
  const absl::Time start = clock_.Now();
  EXPECT_THAT(
      RunCoroutine(io_, client_->Send({.path = "/v1/customers",
                                       .bounds = CallBounds(start + absl::Milliseconds(300))})),
      StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("same request_id")));
  EXPECT_LT(clock_.Now() - start, absl::Seconds(2));
}

TEST_F(StripeFaultsTest, ATrickledBodyThatOutlastsTheDeadlineIsCutOff) {
  Inject({.fault = {
              .kind = FaultKind::kTrickle, .latency = absl::Milliseconds(100), .chunk_bytes = 8}});
  EXPECT_THAT(
      RunCoroutine(io_,
                   client_->Send({.path = "/v1/charges/ch_DemoJennyPlan",
                                  .bounds = CallBounds(clock_.Now() + absl::Milliseconds(400))})),
      StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(StripeFaultsTest, MalformedJsonIsAClearErrorNotACrash) {
  Inject({.fault = {.kind = FaultKind::kMalformedJson}});
  stripe::StripeApi api(*client_);
  EXPECT_THAT(RunCoroutine(io_, api.GetCharge(kCharge, {})),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot read")));
}

TEST_F(StripeFaultsTest, CancellingTheCallClosesItsStripeRequestAtOnce) {
  Inject({.fault = {.kind = FaultKind::kLatency, .latency = absl::Seconds(5)}});
  auto cancel = std::make_shared<CancelSignal>();
  const absl::Time start = clock_.Now();
  auto result = boost::asio::co_spawn(
      io_,
      client_->Send(
          {.path = "/v1/customers", .bounds = CallBounds(start + absl::Seconds(10), cancel)}),
      boost::asio::use_future);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel->Cancel();
  });
  io_.run();
  canceller.join();
  EXPECT_THAT(result.get(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(clock_.Now() - start, absl::Seconds(2));
  EXPECT_EQ(client_->stats().retries, 0u);
}

TEST_F(StripeFaultsTest, FaultsCanBeSetOverHttp) {
  stripe::StripeRequest add{.method = stripe::HttpMethod::kPost,
                            .path = "/_sandbox/faults",
                            .idempotency_key = "pvx_control"};
  add.params.Add("kind", "status");
  add.params.Add("status", "502");
  add.params.Add("path", "/v1/balance");
  add.params.Add("times", "7");
  ASSERT_TRUE(RunCoroutine(io_, client_->Send(add)).ok());
  EXPECT_EQ(server_.faults().pending(), 7);
  add.params = {};
  add.params.Add("kind", "nonsense");
  add.idempotency_key = "pvx_control_2";
  EXPECT_THAT(RunCoroutine(io_, client_->Send(add)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind must be")));
}

}  // namespace
}  // namespace payvox
