#include "sandbox/webhook_signing.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::sandbox {
namespace {

using ::payvox::testing::StatusIs;

// The vector is HMAC-SHA256("whsec_test_secret", "1700000000.{...}"),
// computed independently (Python's hmac module).
TEST(WebhookSigningTest, SignsLikeStripe) {
  EXPECT_EQ(StripeSignatureHeader("whsec_test_secret", 1700000000, R"({"id":"evt_1"})"),
            "t=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a");
}

TEST(WebhookSigningTest, ParsesEndpointUrls) {
  absl::StatusOr<EndpointUrl> plain =
      ParseEndpointUrl("http://127.0.0.1:8081/v1/webhooks/stripe/acme");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8081");
  EXPECT_EQ(plain->target, "/v1/webhooks/stripe/acme");
  absl::StatusOr<EndpointUrl> tls = ParseEndpointUrl("https://hooks.example.com");
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->port, "443");
  EXPECT_EQ(tls->target, "/");
  for (const char* bad : {"ftp://x", "http://", "http://h:0/", "http://h:99999/",
                          "http://user:pw@h/", "http://h h/", "hooks.example.com"}) {
    EXPECT_THAT(ParseEndpointUrl(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace payvox::sandbox
