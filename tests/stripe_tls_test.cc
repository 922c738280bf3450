// The HTTP Stripe client over TLS against the sandbox's HTTPS listener: the
// peer certificate must chain to a trusted CA and name the host.
#include <cstdlib>
#include <fstream>

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "client/http_stripe_client.h"
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

class StripeTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A throwaway self-signed certificate for "localhost" only.
    dir_ = new std::string(::testing::TempDir() + "/payvox_tls");
    const std::string command =
        absl::StrCat("mkdir -p ", *dir_,
                     " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
                     "/CN=localhost -addext subjectAltName=DNS:localhost -keyout ",
                     *dir_, "/key.pem -out ", *dir_, "/cert.pem 2>/dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl could not make a test certificate";
  }

  void SetUp() override {
    sandbox::SeedDemoData(emulator_);
    ASSERT_TRUE(server_
                    .Start({.port = 0,
                            .tls_cert_file = *dir_ + "/cert.pem",
                            .tls_key_file = *dir_ + "/key.pem"})
                    .ok());
  }

  absl::StatusOr<stripe::StripeResponse> Get(const std::string& host, const std::string& ca) {
    auto client = stripe::HttpStripeClient::Create(
        io_.get_executor(), clock_,
        {.base_url = absl::StrCat("https://", host, ":", server_.port()),
         .api_key = "sk_test_tls",
         .extra_ca_file = ca});
    if (!client.ok()) return client.status();
    return RunCoroutine(io_, (*client)->Send({.path = "/v1/customers/cus_DemoJennyRosen"}));
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
