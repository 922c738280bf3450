// test_certificate.h: a throwaway self-signed certificate for "localhost"
// (made with the openssl command line), for tests of TLS paths.
#ifndef PAYVOX_COMMON_TESTING_TEST_CERTIFICATE_H_
#define PAYVOX_COMMON_TESTING_TEST_CERTIFICATE_H_

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace payvox::testing {

struct TestCertificate {
  std::string cert_file;
  std::string key_file;
};

// MakeTestCertificate writes cert.pem and key.pem into a directory named
// `name` under the test's temporary directory.
inline TestCertificate MakeTestCertificate(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  const std::string command =
      absl::StrCat("mkdir -p ", dir,
                   " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
                   "/CN=localhost -addext subjectAltName=DNS:localhost -keyout ",
                   dir, "/key.pem -out ", dir, "/cert.pem 2>/dev/null");
  EXPECT_EQ(std::system(command.c_str()), 0) << "openssl could not make a test certificate";
  return {dir + "/cert.pem", dir + "/key.pem"};
}

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_TEST_CERTIFICATE_H_
