// TLS on payvoxd's gRPC port: server certificates, and client certificates
// when grpc_tls.client_ca_file asks for them.
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/testing/test_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

std::string Read(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

const TestCertificate& Certificate() {
  static const TestCertificate* certificate =
      new TestCertificate(MakeTestCertificate("payvox_grpc_tls"));
  return *certificate;
}

class GrpcTlsTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return absl::StrCat(R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
                           "grpc_tls": {"cert_file": ")",
                        Certificate().cert_file, R"(", "key_file": ")", Certificate().key_file,
                        R"("}})");
  }

  // ListActions over a channel with `credentials` to 127.0.0.1, checking
  // the certificate for "localhost", the name it carries (no DNS lookup).
  grpc::Status Call(const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    auto channel = CreateAuthChannel(absl::StrCat("127.0.0.1:", app_->grpc_port()), credentials,
                                     {.tenant = SandboxTenantToken("default")}, arguments);
    auto stub = v1::ActionService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListActionsRequest request;
    v1::ListActionsResponse response;
    return stub->ListActions(&context, request, &response);
  }
};

TEST_F(GrpcTlsTest, ServesTlsToClientsThatTrustTheCertificateOnly) {
  grpc::SslCredentialsOptions trusting;
  trusting.pem_root_certs = Read(Certificate().cert_file);
  const grpc::Status ok = Call(grpc::SslCredentials(trusting));
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(Call(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
  // The system's CAs do not vouch for a self-signed certificate.
  EXPECT_EQ(Call(grpc::SslCredentials(grpc::SslCredentialsOptions())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

class MutualTlsTest : public GrpcTlsTest {
 protected:
  std::string ConfigJson() const override {
    return absl::StrCat(R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
                           "grpc_tls": {"cert_file": ")",
                        Certificate().cert_file, R"(", "key_file": ")", Certificate().key_file,
                        R"(", "client_ca_file": ")", Certificate().cert_file, R"("}})");
  }
};

TEST_F(MutualTlsTest, RequiresAClientCertificateFromTheConfiguredCa) {
  grpc::SslCredentialsOptions anonymous;
  anonymous.pem_root_certs = Read(Certificate().cert_file);
  EXPECT_EQ(Call(grpc::SslCredentials(anonymous)).error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions with_certificate = anonymous;
  with_certificate.pem_cert_chain = Read(Certificate().cert_file);
  with_certificate.pem_private_key = Read(Certificate().key_file);
  const grpc::Status ok = Call(grpc::SslCredentials(with_certificate));
  EXPECT_TRUE(ok.ok()) << ok.error_message();
}

TEST(GrpcTlsConfigTest, RefusesHalfConfiguredTls) {
  EXPECT_FALSE(ParseConfig(R"({"grpc_tls": {"cert_file": "/etc/hostname"}})").ok());
  EXPECT_FALSE(ParseConfig(R"({"grpc_tls": {"client_ca_file": "/etc/hostname"}})").ok());
  EXPECT_FALSE(
      ParseConfig(R"({"grpc_tls": {"cert_file": "/nonexistent", "key_file": "/x"}})").ok());
}

}  // namespace
}  // namespace payvox::testing
