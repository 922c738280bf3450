#include "common/secure_random.h"

#include <openssl/rand.h>

#include "common/secret_box.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::IsOk;
using ::payvox::testing::StatusIs;

// FailingGenerator makes RAND_bytes fail while it is alive, as it does when
// OpenSSL cannot seed (no entropy source). The deprecated method API is the
// way OpenSSL 3 still offers to replace the generator in a process.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
class FailingGenerator {
 public:
  FailingGenerator() : previous_(RAND_get_rand_method()) { RAND_set_rand_method(&kFailing); }
  ~FailingGenerator() { RAND_set_rand_method(previous_); }

 private:
  static int Fail(unsigned char*, int) { return 0; }
  static int Status() { return 0; }
  static constexpr RAND_METHOD kFailing = {nullptr, &Fail, nullptr, nullptr, &Fail, &Status};
  const RAND_METHOD* previous_;
};
#pragma GCC diagnostic pop

TEST(SecureRandomTest, ReturnsDistinctBytesOfTheAskedLength) {
  absl::StatusOr<std::string> a = SecureRandomBytes(32);
  absl::StatusOr<std::string> b = SecureRandomBytes(32);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST(SecureRandomTest, AFailingGeneratorIsAnErrorNeverWeakBytes) {
  absl::StatusOr<MasterKey> key = MasterKey::Parse(std::string(64, 'a'));
  ASSERT_THAT(key, IsOk());
  FailingGenerator failing;
  EXPECT_THAT(SecureRandomBytes(16), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(MasterKey::Generate(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(key->Seal("sk_test_secret", "ctx"), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace payvox
