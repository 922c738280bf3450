// Unit tests of the catalog runner (the long tail) against a scripted Stripe.
#include "actions/catalog_runner.h"

#include "absl/strings/str_cat.h"
#include "actions/testing/action_test_env.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class CatalogRunnerTest : public ActionTest {
 protected:
  CatalogRunnerTest() {
    stripe_.Answer("POST /v1/customers/cus_1", 200,
                   R"({"id": "cus_1", "object": "customer", "name": "Jenny Rosen",
                       "email": "jenny@example.com"})");
  }

  absl::StatusOr<v1::ExecuteResponse> Run(const char* action, const char* arguments,
                                          v1::CallContext context) {
    const ActionSpec* spec = FindAction(action);
    if (spec == nullptr) return absl::NotFoundError(absl::StrCat("no catalog entry ", action));
    v1::ExecuteRequest request;
    request.set_action(action);
    request.set_arguments_json(arguments);
    *request.mutable_context() = std::move(context);
    return RunCoroutine(actions_.catalog.Run(*spec, request, absl::InfiniteFuture()));
  }
};

TEST_F(CatalogRunnerTest, AWriteTakesThePipelineWithTheOwnerOfItsPath) {
  v1::TenantPolicy policy;
  policy.add_enabled_actions("update_customers");
  actions_.PolicyChanged(policy);
  const char* arguments = R"({"customer_id": "cus_1", "name": "Jenny Rosen"})";
  // The path's customer must be verified in this call.
  EXPECT_THAT(Run("update_customer", arguments, Context("u-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_TRUE(Verify("4242")->verified());
  absl::StatusOr<v1::ExecuteResponse> updated = Run("update_customer", arguments, Context("u-2"));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->say(), "I've updated your account.");
  const stripe::StripeRequest sent = stripe_.requests().back();
  EXPECT_EQ(sent.params.Find("name"), "Jenny Rosen");
  EXPECT_THAT(sent.idempotency_key, ::testing::StartsWith("pvx_"));
  // A retry is answered from the saved answer: no second POST.
  const size_t requests = stripe_.requests().size();
  ASSERT_TRUE(Run("update_customer", arguments, Context("u-2")).ok());
  EXPECT_EQ(stripe_.requests().size(), requests);
}

TEST_F(CatalogRunnerTest, AWriteDropsWhatItChangedFromTheCallsSessions) {
  v1::TenantPolicy policy;
  policy.add_enabled_actions("update_customers");
  actions_.PolicyChanged(policy);
  stripe_.Answer("GET /v1/customers/cus_1", 200, R"({"id": "cus_1", "name": "Jenny"})");
  sessions_.Begin("acme", "call-1");
  v1::FindCustomerRequest find;
  *find.mutable_context() = Context();
  find.set_customer_id("cus_1");
  auto found = [&] {
    return RunCoroutine(actions_.customers.FindCustomer(find, absl::InfiniteFuture()));
  };
  ASSERT_TRUE(found().ok());
  ASSERT_TRUE(found().ok());
  auto reads = [&] {
    int count = 0;
    for (const stripe::StripeRequest& sent : stripe_.requests()) {
      count += sent.method == stripe::HttpMethod::kGet && sent.path == "/v1/customers/cus_1";
    }
    return count;
  };
  EXPECT_EQ(reads(), 1);  // the second was answered from the session
  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(
      Run("update_customer", R"({"customer_id": "cus_1", "name": "Jenny Rosen"})", Context("u-1"))
          .ok());
  ASSERT_TRUE(found().ok());
  EXPECT_EQ(reads(), 2);  // the update dropped the held customer
}

TEST_F(CatalogRunnerTest, AReadNeedsItsCapabilityAndSendsNoKey) {
  stripe_.Answer("GET /v1/balance", 200,
                 R"({"object": "balance", "available": [{"amount": 12000, "currency": "usd"}],
                     "pending": []})");
  EXPECT_THAT(Run("get_balance", "{}", Context()), StatusIs(absl::StatusCode::kPermissionDenied));
  v1::TenantPolicy policy;
  policy.add_enabled_actions("view_balance");
  actions_.PolicyChanged(policy);
  absl::StatusOr<v1::ExecuteResponse> balance = Run("get_balance", "{}", Context());
  ASSERT_TRUE(balance.ok()) << balance.status();
  EXPECT_THAT(balance->say(), HasSubstr("$120.00"));
  EXPECT_EQ(stripe_.requests().back().idempotency_key, "");
  EXPECT_THAT(balance->result_json(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace payvox
