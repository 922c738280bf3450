#include "client/stripe_clients.h"

#include <boost/asio/io_context.hpp>

#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;

StripeClientOptions Options(const std::string& key, const std::string& url) {
  StripeClientOptions options;
  options.pool = {.base_url = url, .api_key = key};
  return options;
}

TEST(StripeClients, OneClientPerKeyAndHost) {
  boost::asio::io_context io;
  testing::FakeClock clock;
  StripeClients clients(io.get_executor(), clock);
  auto a = clients.For(Options("sk_test_a", "https://api.stripe.com"));
  auto again = clients.For(Options("sk_test_a", "https://api.stripe.com"));
  auto other_key = clients.For(Options("sk_test_b", "https://api.stripe.com"));
  auto other_host = clients.For(Options("sk_test_a", "http://127.0.0.1:12111"));
  ASSERT_TRUE(a.ok() && again.ok() && other_key.ok() && other_host.ok());
  EXPECT_EQ(a->get(), again->get());
  EXPECT_NE(a->get(), other_key->get());
  EXPECT_NE(a->get(), other_host->get());
  EXPECT_EQ(clients.size(), 3u);
}

TEST(StripeClients, BadOptionsAreReportedAndNothingIsKept) {
  boost::asio::io_context io;
  testing::FakeClock clock;
  StripeClients clients(io.get_executor(), clock);
  EXPECT_THAT(clients.For(Options("pk_test_a", "https://api.stripe.com")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(clients.size(), 0u);
}

}  // namespace
}  // namespace payvox::stripe
