#include "client/http_connection_pool.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseBaseUrlTest, AcceptsHttpsHttpPortsAndPaths) {
  absl::StatusOr<ParsedUrl> url = ParseBaseUrl("https://api.stripe.com");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.stripe.com");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->path_prefix, "");

  url = ParseBaseUrl("http://127.0.0.1:12111/stripe/");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->port, "12111");
  EXPECT_EQ(url->path_prefix, "/stripe");

  url = ParseBaseUrl("http://[::1]:8080");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
}

TEST(ParseBaseUrlTest, RejectsWhatIsNotAUrl) {
  EXPECT_THAT(ParseBaseUrl("ftp://x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBaseUrl("https://"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBaseUrl("http://h:0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBaseUrl("http://h:99999"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBaseUrl("http://[::1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HttpConnectionPoolTest, RefusesPublishableAndUnknownKeys) {
  boost::asio::io_context io;
  testing::FakeClock clock;
  EXPECT_THAT(HttpConnectionPool::Create(io.get_executor(), clock, {.api_key = "pk_test_123"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("publishable")));
  EXPECT_THAT(HttpConnectionPool::Create(io.get_executor(), clock, {.api_key = "hello"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sk_")));
  EXPECT_THAT(
      HttpConnectionPool::Create(io.get_executor(), clock,
                                 {.api_key = "sk_test_1", .extra_ca_file = "/nonexistent.pem"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("extra CA file")));
  EXPECT_THAT(HttpConnectionPool::Create(io.get_executor(), clock,
                                         {.api_key = "sk_test_1", .max_connections = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_connections")));
}

TEST(HttpConnectionPoolTest, UnreachableServerIsUnavailableAndRetryable) {
  boost::asio::io_context io;
  // Find a loopback port nobody listens on.
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const int port = acceptor.local_endpoint().port();
  acceptor.close();

  SystemClock clock;
  auto client = HttpConnectionPool::Create(
      io.get_executor(), clock,
      {.base_url = "http://127.0.0.1:" + std::to_string(port), .api_key = "sk_test_1"});
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<HttpAnswer> response = testing::RunCoroutine(
      io, (*client)->RoundTrip({.method = HttpMethod::kGet,
                                .path = "/v1/balance",
                                .bounds = CallBounds(clock.Now() + absl::Seconds(5))}));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("same request_id")));
}

}  // namespace
}  // namespace payvox::stripe
