// The production Stripe client (pool, retries) against the sandbox over a real loopback socket:
// keep-alive, Stripe's headers, idempotency replay and mismatch, and error
// mapping of what the sandbox answers.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "client/resilient_stripe_client.h"
#include "client/stripe_decoders.h"
#include "common/error_detail.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class SandboxHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SeedDemoData(emulator_);
    ASSERT_TRUE(server_.Start({.port = 0}).ok());
  }

  std::unique_ptr<stripe::ResilientStripeClient> Client(const std::string& key = "sk_test_http") {
    stripe::StripeClientOptions options;
    options.pool = {.base_url = server_.base_url(), .api_key = key};
    auto client = stripe::ResilientStripeClient::Create(io_.get_executor(), clock_, options);
    EXPECT_TRUE(client.ok()) << client.status();
    return *std::move(client);
  }

  stripe::StripeRequest RefundRequest(const std::string& amount, const std::string& key) {
    stripe::StripeRequest request{.method = stripe::HttpMethod::kPost, .path = "/v1/refunds"};
    request.params.Add("charge", "ch_DemoJennyPlan");
    request.params.Add("amount", amount);
    request.idempotency_key = key;
    return request;
  }

  SystemClock clock_;
  boost::asio::io_context io_;
  sandbox::StripeEmulator emulator_{clock_, {.id_seed = 3}};
  sandbox::SandboxServer server_{emulator_};
};

TEST_F(SandboxHttpTest, ManyRequestsOverKeepAlive) {
  auto client = Client();
  for (int i = 0; i < 50; ++i) {
    auto response = RunCoroutine(io_, client->Send({.path = "/v1/charges/ch_DemoJennyPlan"}));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->http_status, 200);
    EXPECT_TRUE(response->request_id.starts_with("req_"));
    ASSERT_TRUE(stripe::DecodeCharge(response->body).ok());
  }
}

TEST_F(SandboxHttpTest, IdempotencyReplayAndMismatchOverTheWire) {
  auto client = Client();
  auto first = RunCoroutine(io_, client->Send(RefundRequest("700", "key-1")));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->idempotent_replayed);
  auto replay = RunCoroutine(io_, client->Send(RefundRequest("700", "key-1")));
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(replay->idempotent_replayed);
  EXPECT_EQ(replay->body, first->body);
  auto mismatch = RunCoroutine(io_, client->Send(RefundRequest("800", "key-1")));
  EXPECT_THAT(mismatch, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(GetErrorDetail(mismatch.status())->stripe_type(), "idempotency_error");
}

TEST_F(SandboxHttpTest, LiveKeysAreRefusedAsTheTenantsProblem) {
  auto client = Client("sk_live_not_in_sandbox");
  auto response = RunCoroutine(io_, client->Send({.path = "/v1/customers"}));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("operator")));
}

// A route the endpoint lacks is an unavailable operation, not a missing
// object: the agent must not ask the caller for another id.
TEST_F(SandboxHttpTest, UnknownRoutesAreUnavailableOperationsAndMissingObjectsNotFound) {
  auto client = Client();
  auto response = RunCoroutine(io_, client->Send({.path = "/v1/nothing_here"}));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnimplemented,
                                 HasSubstr("This operation is unavailable")));
  auto missing = RunCoroutine(io_, client->Send({.path = "/v1/charges/ch_NoSuchCharge"}));
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound, HasSubstr("ch_NoSuchCharge")));
}

TEST_F(SandboxHttpTest, ServerRestartIsSurvivedByReconnecting) {
  auto client = Client();
  ASSERT_TRUE(RunCoroutine(io_, client->Send({.path = "/v1/customers"})).ok());
  const int port = server_.port();
  server_.Stop();  // closes the idle keep-alive connection
  ASSERT_TRUE(server_.Start({.port = port}).ok());
  auto response = RunCoroutine(io_, client->Send({.path = "/v1/customers"}));
  EXPECT_TRUE(response.ok()) << response.status();
}

TEST_F(SandboxHttpTest, DeadlineInThePastFailsFast) {
  auto client = Client();
  auto response =
      RunCoroutine(io_, client->Send({.path = "/v1/customers",
                                      .bounds = CallBounds(clock_.Now() - absl::Seconds(1))}));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(SandboxHttpTest, WarmUpOpensConnectionsTheFirstCallsReuse) {
  auto client = Client();
  ASSERT_TRUE(RunCoroutine(io_, client->WarmUp()).ok());
  stripe::PoolStats stats = *client->pool_stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.idle_connections, 2);
  ASSERT_TRUE(RunCoroutine(io_, client->Send({.path = "/v1/customers"})).ok());
  stats = *client->pool_stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.warm_round_trips, 1u);
}

TEST_F(SandboxHttpTest, ConnectionsTheServerClosedWhileIdleAreNeverWrittenOn) {
  // A server that closes idle keep-alive connections quickly, as Stripe's
  // do after a quiet spell.
  sandbox::SandboxServer quick(emulator_);
  ASSERT_TRUE(quick.Start({.port = 0, .idle_timeout = absl::Milliseconds(50)}).ok());
  stripe::StripeClientOptions options;
  options.pool = {.base_url = quick.base_url(), .api_key = "sk_test_http"};
  options.warm_connections = 3;
  auto client = stripe::ResilientStripeClient::Create(io_.get_executor(), clock_, options);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(RunCoroutine(io_, (*client)->WarmUp()).ok());
  ASSERT_EQ((*client)->pool_stats()->idle_connections, 3);
  // Wait until the server accepted all three and closed them (bounded; no
  // timing asserted). A connect completes before the server accepts, so
  // "none open" alone could be seen before the first accept.
  for (int i = 0; i < 500 && (quick.accepted_connections() < 3 || quick.open_connections() > 0);
       ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(quick.accepted_connections(), 3);
  ASSERT_EQ(quick.open_connections(), 0);
  auto response = RunCoroutine(io_, (*client)->Send({.path = "/v1/customers"}));
  ASSERT_TRUE(response.ok()) << response.status();
  const stripe::PoolStats pool = *(*client)->pool_stats();
  // The three closed ones were found closed before use and dropped; the
  // request went out once, on a fresh connection, with no retry.
  EXPECT_EQ(pool.stale_replaced, 3u);
  EXPECT_EQ(pool.connects, 4u);
  EXPECT_EQ(pool.warm_round_trips, 0u);
  EXPECT_EQ((*client)->stats().retries, 0u);
  EXPECT_EQ((*client)->stats().attempts, 1u);
}

TEST_F(SandboxHttpTest, ConcurrentRequestsBeyondThePoolWaitForAConnection) {
  stripe::StripeClientOptions options;
  options.pool = {.base_url = server_.base_url(), .api_key = "sk_test_http", .max_connections = 1};
  auto client = stripe::ResilientStripeClient::Create(io_.get_executor(), clock_, options);
  ASSERT_TRUE(client.ok());
  std::vector<std::future<absl::StatusOr<stripe::StripeResponse>>> results;
  for (int i = 0; i < 3; ++i) {
    stripe::StripeRequest request{.path = "/v1/charges/ch_DemoJennyPlan"};
    request.params.Add("n", std::to_string(i));  // distinct, so nothing is coalesced
    results.push_back(
        boost::asio::co_spawn(io_, (*client)->Send(request), boost::asio::use_future));
  }
  io_.restart();
  io_.run();
  for (auto& result : results) EXPECT_TRUE(result.get().ok());
  const stripe::PoolStats stats = *(*client)->pool_stats();
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.slot_waits, 2u);
  EXPECT_EQ(stats.warm_round_trips, 2u);
}

}  // namespace
}  // namespace payvox
