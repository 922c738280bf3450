// Unit tests of the customers family against a scripted Stripe (no network); the
// same flows run end to end against the sandbox in tests/.
#include "actions/customers.h"

#include <future>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "actions/testing/action_test_env.h"
#include "client/testing/fake_stripe_client.h"
#include "common/error_detail.h"
#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(ActionTest, FindCustomerReportsEveryMatch) {
  stripe_.Answer(
      "GET /v1/customers", 200,
      R"({"object":"list","has_more":false,"data":[{"id":"cus_1","name":"A"},{"id":"cus_2","name":"B"}]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("sam@example.com");
  auto response = RunCoroutine(actions_.customers.FindCustomer(request, absl::InfiniteFuture()));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->customers_size(), 2);
  EXPECT_THAT(response->say(), HasSubstr("2 accounts"));
}

TEST_F(ActionTest, FindCustomerNotFoundSaysWhatWasSearchedWithoutTheEmail) {
  stripe_.Answer("GET /v1/customers", 200, R"({"object":"list","has_more":false,"data":[]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("nobody.here@example.com");
  auto response = RunCoroutine(actions_.customers.FindCustomer(request, absl::InfiniteFuture()));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kNotFound, HasSubstr("n***@example.com")));
  EXPECT_THAT(std::string(response.status().message()), Not(HasSubstr("nobody.here")));
  EXPECT_THAT(std::string(response.status().message()), HasSubstr("test mode"));
  EXPECT_EQ(GetErrorDetail(response.status())->reason(), "customer_not_found");
}

TEST_F(ActionTest, FindCustomerByPhoneUsesAnEscapedSearch) {
  stripe_.Answer("GET /v1/customers/search", 200,
                 R"({"object":"search_result","has_more":false,"data":[{"id":"cus_1"}]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_phone("+14155550101");
  ASSERT_TRUE(RunCoroutine(actions_.customers.FindCustomer(request, absl::InfiniteFuture())).ok());
  EXPECT_EQ(stripe_.requests().back().params.Find("query"), R"(phone:"+14155550101")");

  request.set_phone("+1 415\" OR 1");
  EXPECT_THAT(RunCoroutine(actions_.customers.FindCustomer(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("E.164")));
}

TEST_F(ActionTest, VerifyMatchesCardsOnFileAndCardsOfRecentCharges) {
  auto by_card = Verify("4242");
  ASSERT_TRUE(by_card.ok()) << by_card.status();
  EXPECT_TRUE(by_card->verified());
  EXPECT_EQ(by_card->verified_until(), absl::ToUnixSeconds(clock_.Now() + absl::Minutes(30)));
  auto by_charge = Verify("5555");
  ASSERT_TRUE(by_charge.ok());
  EXPECT_TRUE(by_charge->verified());
}

TEST_F(ActionTest, ThreeWrongAnswersThenExhausted) {
  for (int remaining : {2, 1, 0}) {
    auto response = Verify("0000");
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_FALSE(response->verified());
    EXPECT_EQ(response->attempts_remaining(), remaining);
  }
  auto exhausted = Verify("4242");  // even the right answer is refused now
  EXPECT_THAT(exhausted, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(GetErrorDetail(exhausted.status())->reason(), "verification_attempts_exhausted");
}

TEST_F(ActionTest, TheTenantsPolicyNarrowsAttemptsAndLifetime) {
  v1::TenantPolicy policy;
  policy.set_max_verification_attempts(1);
  policy.set_verification_ttl_seconds(120);
  ASSERT_TRUE(store_->SetPolicy("acme", policy).ok());
  actions_.PolicyChanged(policy);  // as AdminService.SetPolicy does
  auto wrong = Verify("0000");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->attempts_remaining(), 0);
  EXPECT_THAT(Verify("4242"), StatusIs(absl::StatusCode::kResourceExhausted));

  // A new call with the server's attempts again and the policy's lifetime.
  v1::VerifyIdentityRequest other_call;
  other_call.mutable_context()->set_call_id("call-2");
  other_call.set_customer_id("cus_1");
  other_call.set_last4("4242");
  policy.set_max_verification_attempts(0);
  ASSERT_TRUE(store_->SetPolicy("acme", policy).ok());
  actions_.PolicyChanged(policy);  // as AdminService.SetPolicy does
  auto verified =
      RunCoroutine(actions_.customers.VerifyIdentity(other_call, absl::InfiniteFuture()));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->verified_until(), absl::ToUnixSeconds(clock_.Now() + absl::Minutes(2)));
}

TEST_F(ActionTest, StripeOutageDoesNotUseUpAnAttempt) {
  stripe_.Fail("GET /v1/customers/cus_1/payment_methods", absl::UnavailableError("down"));
  for (int i = 0; i < 5; ++i) EXPECT_THAT(Verify("4242"), StatusIs(absl::StatusCode::kUnavailable));
  stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, testing::kJennyCards);
  EXPECT_TRUE(Verify("4242")->verified());
}

TEST_F(ActionTest, VerificationInputIsValidated) {
  for (const char* bad : {"", "123", "12345", "12a4"}) {
    EXPECT_THAT(Verify(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(ActionTest, VerificationExpires) {
  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(Refund("r-1").ok());
  clock_.Advance(absl::Minutes(31));
  EXPECT_THAT(Refund("r-2"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// The policy is served from memory; a change stored by another process is
// read again once the cached one is older than policy_cache_ttl (5 s).
TEST_F(ActionTest, APolicyStoredElsewhereIsSeenWithinTheCacheLifetime) {
  ASSERT_TRUE(Verify("4242")->verified());  // reads (and caches) the default policy
  v1::TenantPolicy policy;
  policy.add_enabled_actions("view_payments");  // refunds off
  ASSERT_TRUE(store_->SetPolicy("acme", policy).ok());
  ASSERT_TRUE(Refund("r-cached").ok()) << "the cached policy still allows refunds";
  clock_.Advance(absl::Seconds(6));
  EXPECT_THAT(Refund("r-fresh"), StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace payvox
