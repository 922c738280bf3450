#include "common/secret_box.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

constexpr char kHexKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kSecret[] = "sk_test_51Hsecretvalue";

MasterKey Key(absl::string_view text = kHexKey) {
  absl::StatusOr<MasterKey> key = MasterKey::Parse(text);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

TEST(SecretBoxTest, SealsAndOpensWithTheSameContext) {
  const MasterKey key = Key();
  const std::string sealed = *key.Seal(kSecret, "stripe_key:acme");
  EXPECT_FALSE(absl::StrContains(sealed, "sk_test")) << sealed;
  EXPECT_TRUE(absl::StartsWith(sealed, "pvx1." + key.id() + "."));
  absl::StatusOr<std::string> opened = key.Open(sealed, "stripe_key:acme");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kSecret);
}

TEST(SecretBoxTest, EverySealUsesAFreshNonce) {
  const MasterKey key = Key();
  EXPECT_NE(*key.Seal(kSecret, "c"), *key.Seal(kSecret, "c"));
}

TEST(SecretBoxTest, AnotherContextOrATamperedValueDoesNotOpen) {
  const MasterKey key = Key();
  const std::string sealed = *key.Seal(kSecret, "stripe_key:acme");
  EXPECT_EQ(key.Open(sealed, "stripe_key:globex").status().code(), absl::StatusCode::kDataLoss);
  std::string tampered = sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  const absl::Status status = key.Open(tampered, "stripe_key:acme").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(absl::StrContains(status.message(), kSecret));
}

TEST(SecretBoxTest, ParsesHexAndBase64AndRefusesOtherKeys) {
  const MasterKey hex = Key();
  // The same 32 bytes in base64, with a trailing newline as a file has.
  const MasterKey base64 = Key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  EXPECT_EQ(hex.id(), base64.id());
  EXPECT_EQ(hex.id().size(), 16u);
  for (absl::string_view bad :
       {"", "short", "00010203",
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}) {
    const absl::Status status = MasterKey::Parse(bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(status.message(), "64 hex characters")) << status;
  }
}

TEST(SecretBoxTest, KeyringOpensValuesOfPreviousKeysAndSaysWhichNeedResealing) {
  const MasterKey old_key = Key();
  const MasterKey new_key = *MasterKey::Generate();
  ASSERT_NE(old_key.id(), new_key.id());
  const std::string old_sealed = *old_key.Seal(kSecret, "ctx");

  const Keyring rotated(new_key, {old_key});
  EXPECT_TRUE(rotated.NeedsReseal(old_sealed));
  ASSERT_EQ(*rotated.Open(old_sealed, "ctx"), kSecret);
  const std::string resealed = *rotated.Seal(kSecret, "ctx");
  EXPECT_FALSE(rotated.NeedsReseal(resealed));
  EXPECT_EQ(SealedKeyId(resealed), new_key.id());

  const Keyring only_new(new_key);
  const absl::Status missing = only_new.Open(old_sealed, "ctx").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(missing.message(), old_key.id())) << missing;
}

TEST(SecretBoxTest, RefusesValuesPayvoxDidNotSeal) {
  const Keyring keys(Key());
  for (absl::string_view bad : {"", "sk_test_plain", "pvx1.abc.def", "pvx1.0011223344556677.!!"}) {
    EXPECT_EQ(keys.Open(bad, "ctx").status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(SealedKeyId("sk_test_plain"), "");
}

}  // namespace
}  // namespace payvox
