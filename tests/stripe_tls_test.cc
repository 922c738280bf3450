// The HTTP Stripe client over TLS against the sandbox's HTTPS listener: the
// peer certificate must chain to a trusted CA and name the host.
#include <cstdlib>
#include <fstream>

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "client/resilient_stripe_client.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"

namespace payvox {
namespace {

using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class StripeTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A throwaway self-signed certificate for "localhost" only.
    dir_ = new std::string(::testing::TempDir() + "/payvox_tls");
    testing::MakeTestCertificate("payvox_tls");
  }

  void SetUp() override {
    sandbox::SeedDemoData(emulator_);
    ASSERT_TRUE(server_
                    .Start({.port = 0,
                            .tls_cert_file = *dir_ + "/cert.pem",
                            .tls_key_file = *dir_ + "/key.pem"})
                    .ok());
  }

  absl::StatusOr<std::unique_ptr<stripe::ResilientStripeClient>> Client(
      const std::string& host, const std::string& ca, absl::Duration idle_timeout) {
    stripe::StripeClientOptions options;
    options.pool = {.base_url = absl::StrCat("https://", host, ":", server_.port()),
                    .api_key = "sk_test_tls",
                    .extra_ca_file = ca,
                    .idle_timeout = idle_timeout};
    // A refused certificate is final: no point waiting out retries.
    options.retry.max_retries = 0;
    return stripe::ResilientStripeClient::Create(io_.get_executor(), clock_, options);
  }

  absl::StatusOr<stripe::StripeResponse> Get(stripe::ResilientStripeClient& client) {
    return RunCoroutine(io_, client.Send({.path = "/v1/customers/cus_DemoJennyRosen"}));
  }

  absl::StatusOr<stripe::StripeResponse> Get(const std::string& host, const std::string& ca) {
    auto client = Client(host, ca, absl::Seconds(50));
    if (!client.ok()) return client.status();
    return Get(**client);
  }

  static std::string* dir_;
  SystemClock clock_;
  boost::asio::io_context io_;
  sandbox::StripeEmulator emulator_{clock_, {.id_seed = 5}};
  sandbox::SandboxServer server_{emulator_};
};

std::string* StripeTlsTest::dir_ = nullptr;

TEST_F(StripeTlsTest, TrustedCertificateForTheHostWorks) {
  auto response = Get("localhost", *dir_ + "/cert.pem");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->http_status, 200);
  EXPECT_THAT(response->body, HasSubstr("cus_DemoJennyRosen"));
}

TEST_F(StripeTlsTest, NewConnectionsResumeTheTlsSession) {
  // Idle connections expire at once, so every request opens a new one.
  auto client = Client("localhost", *dir_ + "/cert.pem", absl::Nanoseconds(1));
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Get(**client).ok());
  const stripe::PoolStats stats = *(*client)->pool_stats();
  EXPECT_EQ(stats.tls_handshakes, 3u);
  EXPECT_EQ(stats.tls_resumed, 2u);
  EXPECT_EQ(stats.idle_evicted, 2u);
}

TEST_F(StripeTlsTest, KeepAliveReusesOneConnection) {
  auto client = Client("localhost", *dir_ + "/cert.pem", absl::Seconds(50));
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Get(**client).ok());
  const stripe::PoolStats stats = *(*client)->pool_stats();
  EXPECT_EQ(stats.tls_handshakes, 1u);
  EXPECT_EQ(stats.warm_round_trips, 4u);
}

TEST_F(StripeTlsTest, UntrustedCertificateIsRefused) {
  EXPECT_THAT(Get("localhost", ""),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("TLS handshake failed")));
}

TEST_F(StripeTlsTest, CertificateForAnotherHostIsRefused) {
  // Trusted CA, but the certificate names "localhost", not 127.0.0.1.
  EXPECT_THAT(Get("127.0.0.1", *dir_ + "/cert.pem"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("TLS handshake failed")));
}

}  // namespace
}  // namespace payvox
