// store_tenants_conformance_test.cc: tenants, tokens, webhook endpoints and
// sealed secrets, on every Store (store/testing/store_test.h).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/audit_chain.h"
#include "store/testing/store_test.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using testing::SampleAuditRecord;
using ::testing::UnorderedElementsAre;

class TenantStoreTest : public testing::StoreTest {
 protected:
  TenantStoreTest() { clock_.Advance(absl::FromUnixSeconds(1'800'000'000) - clock_.Now()); }
  TenantToken Token(const std::string& tenant, const std::string& hash) {
    return {.tenant_id = tenant, .token_hash = hash, .created = clock_.Now()};
  }
};

TEST_P(TenantStoreTest, CreatesTenantsOnceWithTheirFirstToken) {
  ASSERT_TRUE(
      store_
          ->CreateTenant({.tenant_id = "acme", .display_name = "Acme", .created = clock_.Now()},
                         Token("acme", "h1"))
          .ok());
  EXPECT_EQ(
      store_->CreateTenant({.tenant_id = "acme", .created = clock_.Now()}, Token("acme", "h2"))
          .code(),
      absl::StatusCode::kAlreadyExists);
  auto tenants = store_->ListTenants();
  ASSERT_TRUE(tenants.ok());
  EXPECT_THAT(*tenants, ElementsAre(Field(&Tenant::display_name, "Acme")));
  auto tokens = store_->TenantTokens(clock_.Now());
  ASSERT_TRUE(tokens.ok());
  EXPECT_THAT(*tokens, ElementsAre(Field(&TenantToken::token_hash, "h1")));
}

TEST_P(TenantStoreTest, ARotatedTokenWorksUntilTheOverlapEnds) {
  ASSERT_TRUE(
      store_->CreateTenant({.tenant_id = "acme", .created = clock_.Now()}, Token("acme", "old"))
          .ok());
  const absl::Time overlap_end = clock_.Now() + absl::Hours(1);
  ASSERT_TRUE(store_->AddTenantToken(Token("acme", "new"), overlap_end).ok());
  auto during = store_->TenantTokens(clock_.Now());
  ASSERT_TRUE(during.ok());
  EXPECT_THAT(*during,
              UnorderedElementsAre(Field(&TenantToken::expires_at, overlap_end),
                                   Field(&TenantToken::expires_at, absl::InfiniteFuture())));
  auto after = store_->TenantTokens(overlap_end);
  ASSERT_TRUE(after.ok());
  EXPECT_THAT(*after, ElementsAre(Field(&TenantToken::token_hash, "new")));
  EXPECT_EQ(store_->AddTenantToken(Token("nobody", "x"), overlap_end).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(TenantStoreTest, StripeKeysAndWebhookSecretsAreResealedAllOrNothing) {
  ASSERT_TRUE(
      store_->CreateTenant({.tenant_id = "acme", .created = clock_.Now()}, Token("acme", "h"))
          .ok());
  ASSERT_TRUE(store_->SetStripeKey("acme", "sealed-key", "test").ok());
  EXPECT_EQ(store_->SetStripeKey("nobody", "k", "test").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->AddWebhookEndpoint({.tenant_id = "acme",
                                        .endpoint_id = "we_1",
                                        .url = "https://x",
                                        .secret_sealed = "sealed-secret",
                                        .created = clock_.Now()},
                                       clock_.Now())
                  .ok());
  // Saved answers are sealed too; one saved before sealing is left alone.
  ASSERT_TRUE(store_
                  ->SaveIdempotencyRecord({.tenant_id = "acme",
                                           .key = "k-1",
                                           .action = "create_refund",
                                           .fingerprint = "f",
                                           .response = "pvx1.0123456789abcdef.answer",
                                           .expires_at = clock_.Now() + absl::Hours(1)})
                  .ok());
  ASSERT_TRUE(store_
                  ->SaveIdempotencyRecord({.tenant_id = "acme",
                                           .key = "k-0",
                                           .action = "create_refund",
                                           .fingerprint = "f",
                                           .response = "plain",
                                           .expires_at = clock_.Now() + absl::Hours(1)})
                  .ok());
  std::vector<std::string> contexts;
  auto rewritten =
      store_->ResealSecrets([&](const std::string& sealed, const std::string& context) {
        contexts.push_back(context);
        return absl::StatusOr<std::string>("re-" + sealed);
      });
  ASSERT_TRUE(rewritten.ok()) << rewritten.status();
  EXPECT_EQ(*rewritten, 3);
  EXPECT_THAT(contexts,
              ElementsAre("stripe_key:acme", "webhook_secret:acme:we_1", "answer:acme:k-1"));
  auto answer = store_->FindIdempotencyRecord("acme", "k-1", clock_.Now());
  ASSERT_TRUE(answer.ok() && answer->has_value());
  EXPECT_EQ((*answer)->response, "re-pvx1.0123456789abcdef.answer");

  // A failure part way leaves every value as it was.
  auto failed = store_->ResealSecrets(
      [](const std::string& sealed, const std::string& context) -> absl::StatusOr<std::string> {
        if (context.starts_with("webhook")) return absl::DataLossError("cannot open");
        return "again-" + sealed;
      });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss);
  auto tenants = store_->ListTenants();
  ASSERT_TRUE(tenants.ok());
  EXPECT_EQ((*tenants)[0].stripe_key_sealed, "re-sealed-key");
  EXPECT_EQ((*tenants)[0].stripe_mode, "test");
}

TEST_P(TenantStoreTest, ANewWebhookEndpointLetsThePreviousSecretVerifyUntilItExpires) {
  const absl::Time t0 = clock_.Now();
  ASSERT_TRUE(store_
                  ->AddWebhookEndpoint({.tenant_id = "acme",
                                        .endpoint_id = "we_1",
                                        .url = "u",
                                        .secret_sealed = "s1",
                                        .created = t0},
                                       t0)
                  .ok());
  clock_.Advance(absl::Seconds(1));
  const absl::Time overlap_end = clock_.Now() + absl::Hours(24);
  ASSERT_TRUE(store_
                  ->AddWebhookEndpoint({.tenant_id = "acme",
                                        .endpoint_id = "we_2",
                                        .url = "u",
                                        .secret_sealed = "s2",
                                        .created = clock_.Now()},
                                       overlap_end)
                  .ok());
  auto both = store_->WebhookEndpoints("acme", clock_.Now());
  ASSERT_TRUE(both.ok());
  EXPECT_THAT(*both, ElementsAre(Field(&WebhookEndpoint::endpoint_id, "we_2"),
                                 Field(&WebhookEndpoint::endpoint_id, "we_1")));
  auto later = store_->WebhookEndpoints("acme", overlap_end);
  ASSERT_TRUE(later.ok());
  EXPECT_THAT(*later, ElementsAre(Field(&WebhookEndpoint::endpoint_id, "we_2")));
  auto other = store_->WebhookEndpoints("globex", clock_.Now());
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

PAYVOX_ON_EVERY_STORE(TenantStoreTest);

}  // namespace
}  // namespace payvox
