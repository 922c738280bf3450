#include "tools/secrets_command.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "common/secret_box.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

class ReencryptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir();
    db_ = dir_ + "/payvox_reencrypt.db";
    std::remove(db_.c_str());
    old_file_ =
        Write("old.key", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    new_file_ =
        Write("new.key", "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
    auto store = SqliteStore::Open({.path = db_}, clock_);
    ASSERT_TRUE(store.ok());
    const MasterKey old_key =
        *MasterKey::Parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    ASSERT_TRUE(
        (*store)
            ->CreateTenant({.tenant_id = "acme", .created = clock_.Now()},
                           {.tenant_id = "acme", .token_hash = "h", .created = clock_.Now()})
            .ok());
    ASSERT_TRUE(
        (*store)
            ->SetStripeKey("acme", *old_key.Seal("sk_test_acme", StripeKeyContext("acme")), "test")
            .ok());
    ASSERT_TRUE((*store)
                    ->AddWebhookEndpoint({.tenant_id = "acme",
                                          .endpoint_id = "we_1",
                                          .url = "https://x",
                                          .secret_sealed = *old_key.Seal(
                                              "whsec_1", WebhookSecretContext("acme", "we_1")),
                                          .created = clock_.Now()},
                                         clock_.Now())
                    .ok());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text << "\n";
    return path;
  }

  SystemClock clock_;
  std::string dir_, db_, old_file_, new_file_;
};

TEST_F(ReencryptTest, ResealsEverythingUnderTheNewKeyOnlyWhenAllOpen) {
  // Without the previous key nothing opens: nothing changes.
  absl::StatusOr<int> refused =
      ReencryptSecrets({"secrets", "re-encrypt"}, {.store = db_, .master_key_file = new_file_});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("nothing was changed"));
  EXPECT_FALSE(absl::StrContains(refused.status().message(), "sk_test_acme"));

  absl::StatusOr<int> resealed = ReencryptSecrets(
      {"secrets", "re-encrypt"},
      {.store = db_, .master_key_file = new_file_, .previous_master_key_file = old_file_});
  ASSERT_TRUE(resealed.ok()) << resealed.status();
  EXPECT_EQ(*resealed, 2);
  // The new key alone now opens both.
  const MasterKey new_key =
      *MasterKey::Parse("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
  auto store = SqliteStore::Open({.path = db_}, clock_);
  ASSERT_TRUE(store.ok());
  auto tenants = (*store)->ListTenants();
  ASSERT_TRUE(tenants.ok());
  EXPECT_EQ(*new_key.Open((*tenants)[0].stripe_key_sealed, StripeKeyContext("acme")),
            "sk_test_acme");
  auto endpoints = (*store)->WebhookEndpoints("acme", clock_.Now());
  ASSERT_TRUE(endpoints.ok());
  EXPECT_EQ(*new_key.Open((*endpoints)[0].secret_sealed, WebhookSecretContext("acme", "we_1")),
            "whsec_1");
  // Run again: nothing left to reseal.
  EXPECT_EQ(
      *ReencryptSecrets({"secrets", "re-encrypt"}, {.store = db_, .master_key_file = new_file_}),
      0);
  EXPECT_EQ(ReencryptSecrets({"secrets", "frobnicate"}, {.store = db_}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReencryptTest, AStoreThatDoesNotExistIsRefusedAndNotCreated) {
  const std::string missing = dir_ + "/mistyped.db";
  const absl::StatusOr<int> resealed = ReencryptSecrets(
      {"secrets", "re-encrypt"},
      {.store = missing, .master_key_file = new_file_, .previous_master_key_file = old_file_});
  EXPECT_EQ(resealed.status().code(), absl::StatusCode::kNotFound) << resealed.status();
  EXPECT_THAT(std::string(resealed.status().message()), ::testing::HasSubstr("mistyped.db"));
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
}  // namespace payvox
