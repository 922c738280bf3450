#include "webhooks/signature.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::webhooks {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kPayload =
    R"({"id":"evt_test_1","object":"event","type":"invoice.payment_failed"})";
constexpr absl::string_view kVector =
    "00d0eba62a85628fd823911cc9e5f00f5bc2ce54efd662885ceb02baa94cc71b";
const std::vector<std::string> kSecrets = {"whsec_test_secret"};
const absl::Time kSigned = absl::FromUnixSeconds(1700000000);

absl::Status Verify(absl::string_view header, absl::Time now = kSigned,
                    const std::vector<std::string>& secrets = kSecrets) {
  return VerifySignature(header, kPayload, secrets, now);
}

TEST(SignatureTest, StripesTestVectorPasses) {
  EXPECT_EQ(SignPayload("whsec_test_secret", 1700000000, kPayload), kVector);
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v1=", kVector)).ok());
}

TEST(SignatureTest, AnyMatchingV1AndAnyActiveSecretPass) {
  const std::string wrong(64, 'a');
  // Several v1 values: one matching is enough, in any position.
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v1=", wrong, ",v1=", kVector)).ok());
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v1=", kVector, ",v1=", wrong)).ok());
  // Rotation: the tenant has the old and the new secret.
  const std::vector<std::string> rotated = {"whsec_new", "whsec_test_secret"};
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v1=", kVector), kSigned, rotated).ok());
  const std::string by_new = SignPayload("whsec_new", 1700000000, kPayload);
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v1=", by_new), kSigned, rotated).ok());
  // v0 and unknown schemes are ignored.
  EXPECT_TRUE(Verify(absl::StrCat("t=1700000000,v0=", wrong, ",v1=", kVector, ",v9=x")).ok());
}

TEST(SignatureTest, ForgedOrMalformedHeadersAreRefused) {
  const std::string good = absl::StrCat("t=1700000000,v1=", kVector);
  struct Case {
    std::string header;
    absl::StatusCode code;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"", absl::StatusCode::kInvalidArgument, "missing"},
           {absl::StrCat("v1=", kVector), absl::StatusCode::kInvalidArgument, "no t="},
           {"t=1700000000", absl::StatusCode::kInvalidArgument, "no v1"},
           {absl::StrCat("t=1700000000,v0=", kVector), absl::StatusCode::kInvalidArgument, "no v1"},
           {absl::StrCat("t=1700000000,t=1700000000,v1=", kVector),
            absl::StatusCode::kInvalidArgument, "repeats t="},
           {absl::StrCat("t=17e8,v1=", kVector), absl::StatusCode::kInvalidArgument, "t="},
           {absl::StrCat("t=-5,v1=", kVector), absl::StatusCode::kInvalidArgument, "t="},
           {"t=1700000000,v1=", absl::StatusCode::kInvalidArgument, "empty v1"},
           {absl::StrCat("t=1700000000;v1=", kVector), absl::StatusCode::kInvalidArgument, "t="},
           {std::string(9000, 'v'), absl::StatusCode::kInvalidArgument, "8 KiB"},
           // Wrong secret, truncated hex, upper-case hex, whitespace.
           {absl::StrCat("t=1700000000,v1=", SignPayload("whsec_other", 1700000000, kPayload)),
            absl::StatusCode::kUnauthenticated, "no v1 signature matches"},
           {absl::StrCat("t=1700000000,v1=", kVector.substr(0, 63)),
            absl::StatusCode::kUnauthenticated, "no v1 signature matches"},
           {absl::StrCat("t=1700000000,v1=", absl::AsciiStrToUpper(kVector)),
            absl::StatusCode::kUnauthenticated, "no v1 signature matches"},
           {absl::StrCat("t=1700000000, v1=", kVector), absl::StatusCode::kInvalidArgument,
            "no v1"},
           // The signature is bound to its timestamp.
           {absl::StrCat("t=1700000001,v1=", kVector), absl::StatusCode::kUnauthenticated,
            "no v1 signature matches"},
       }) {
    SCOPED_TRACE(c.header.substr(0, 80));
    const absl::Status status = Verify(c.header);
    EXPECT_THAT(status, StatusIs(c.code, HasSubstr(c.message)));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(kVector.substr(0, 16))));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("whsec_")));
  }
  EXPECT_TRUE(Verify(good).ok());
}

TEST(SignatureTest, TimestampsMustBeRecentAndNotFarAhead) {
  const std::string header = absl::StrCat("t=1700000000,v1=", kVector);
  EXPECT_TRUE(Verify(header, kSigned + absl::Seconds(300)).ok());
  EXPECT_THAT(Verify(header, kSigned + absl::Seconds(301)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("older than")));
  EXPECT_TRUE(Verify(header, kSigned - absl::Seconds(60)).ok());
  EXPECT_THAT(Verify(header, kSigned - absl::Seconds(61)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("in the future")));
  // Without a secret nothing passes.
  EXPECT_THAT(Verify(header, kSigned, {}), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace payvox::webhooks
