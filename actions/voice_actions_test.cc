// Unit tests of VoiceActions against a scripted Stripe (no network). The
// same flows run end to end against the sandbox in tests/voice_flow_test.cc.
#include "actions/voice_actions.h"

#include <future>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

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

using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJennyCards[] =
    R"({"object":"list","has_more":false,"data":[{"id":"pm_1","type":"card","customer":"cus_1","card":{"brand":"visa","last4":"4242"}}]})";
constexpr char kJennyCharges[] = R"({"object":"list","has_more":false,"data":[
  {"id":"ch_2","amount":4900,"currency":"usd","customer":"cus_1","status":"succeeded","created":1789900000,
   "payment_method_details":{"card":{"brand":"mastercard","last4":"5555"}}},
  {"id":"ch_1","amount":1250,"currency":"usd","customer":"cus_1","status":"failed","failure_code":"card_declined",
   "outcome":{"reason":"insufficient_funds"},"created":1789800000}]})";

class VoiceActionsTest : public ::testing::Test {
 protected:
  VoiceActionsTest()
      : store_(*SqliteStore::Open({}, clock_)),
        store_executor_(*store_, {.threads = 1}),
        actions_(stripe_, store_executor_, clock_, keyring_, {.tenant_id = "acme"}) {
    stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, kJennyCards);
    stripe_.Answer("GET /v1/charges", 200, kJennyCharges);
    stripe_.Answer(
        "GET /v1/charges/ch_2", 200,
        R"({"id":"ch_2","amount":4900,"currency":"usd","customer":"cus_1","status":"succeeded",
                       "payment_method_details":{"card":{"brand":"mastercard","last4":"5555"}}})");
    stripe_.Answer(
        "POST /v1/refunds", 200,
        R"({"id":"re_1","amount":4900,"currency":"usd","charge":"ch_2","status":"succeeded"})");
  }

  static v1::CallContext Context(const char* request_id = "") {
    v1::CallContext context;
    context.set_call_id("call-1");
    context.set_request_id(request_id);
    return context;
  }

  absl::StatusOr<v1::VerifyIdentityResponse> Verify(const char* last4) {
    v1::VerifyIdentityRequest request;
    *request.mutable_context() = Context();
    request.set_customer_id("cus_1");
    request.set_last4(last4);
    return RunCoroutine(actions_.VerifyIdentity(request, absl::InfiniteFuture()));
  }

  absl::StatusOr<v1::CreateRefundResponse> Refund(const char* request_id = "r-1",
                                                  const char* charge = "ch_2") {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context(request_id);
    request.set_charge_id(charge);
    return RunCoroutine(actions_.CreateRefund(request, absl::InfiniteFuture()));
  }

  testing::FakeClock clock_;
  stripe::testing::FakeStripeClient stripe_;
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor store_executor_;
  Keyring keyring_{*MasterKey::Parse(std::string(64, '7'))};
  VoiceActions actions_;
};

TEST_F(VoiceActionsTest, FindCustomerReportsEveryMatch) {
  stripe_.Answer(
      "GET /v1/customers", 200,
      R"({"object":"list","has_more":false,"data":[{"id":"cus_1","name":"A"},{"id":"cus_2","name":"B"}]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("sam@example.com");
  auto response = RunCoroutine(actions_.FindCustomer(request, absl::InfiniteFuture()));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->customers_size(), 2);
  EXPECT_THAT(response->say(), HasSubstr("2 accounts"));
}

TEST_F(VoiceActionsTest, FindCustomerNotFoundSaysWhatWasSearchedWithoutTheEmail) {
  stripe_.Answer("GET /v1/customers", 200, R"({"object":"list","has_more":false,"data":[]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_email("nobody.here@example.com");
  auto response = RunCoroutine(actions_.FindCustomer(request, absl::InfiniteFuture()));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kNotFound, HasSubstr("n***@example.com")));
  EXPECT_THAT(std::string(response.status().message()), Not(HasSubstr("nobody.here")));
  EXPECT_THAT(std::string(response.status().message()), HasSubstr("test mode"));
  EXPECT_EQ(GetErrorDetail(response.status())->reason(), "customer_not_found");
}

TEST_F(VoiceActionsTest, FindCustomerByPhoneUsesAnEscapedSearch) {
  stripe_.Answer("GET /v1/customers/search", 200,
                 R"({"object":"search_result","has_more":false,"data":[{"id":"cus_1"}]})");
  v1::FindCustomerRequest request;
  *request.mutable_context() = Context();
  request.set_phone("+14155550101");
  ASSERT_TRUE(RunCoroutine(actions_.FindCustomer(request, absl::InfiniteFuture())).ok());
  EXPECT_EQ(stripe_.requests().back().params.Find("query"), R"(phone:"+14155550101")");

  request.set_phone("+1 415\" OR 1");
  EXPECT_THAT(RunCoroutine(actions_.FindCustomer(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("E.164")));
}

TEST_F(VoiceActionsTest, VerifyMatchesCardsOnFileAndCardsOfRecentCharges) {
  auto by_card = Verify("4242");
  ASSERT_TRUE(by_card.ok()) << by_card.status();
  EXPECT_TRUE(by_card->verified());
  EXPECT_EQ(by_card->verified_until(), absl::ToUnixSeconds(clock_.Now() + absl::Minutes(30)));
  auto by_charge = Verify("5555");
  ASSERT_TRUE(by_charge.ok());
  EXPECT_TRUE(by_charge->verified());
}

TEST_F(VoiceActionsTest, ThreeWrongAnswersThenExhausted) {
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

TEST_F(VoiceActionsTest, TheTenantsPolicyNarrowsAttemptsAndLifetime) {
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
  auto verified = RunCoroutine(actions_.VerifyIdentity(other_call, absl::InfiniteFuture()));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->verified_until(), absl::ToUnixSeconds(clock_.Now() + absl::Minutes(2)));
}

TEST_F(VoiceActionsTest, StripeOutageDoesNotUseUpAnAttempt) {
  stripe_.Fail("GET /v1/customers/cus_1/payment_methods", absl::UnavailableError("down"));
  for (int i = 0; i < 5; ++i) EXPECT_THAT(Verify("4242"), StatusIs(absl::StatusCode::kUnavailable));
  stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, kJennyCards);
  EXPECT_TRUE(Verify("4242")->verified());
}

TEST_F(VoiceActionsTest, VerificationInputIsValidated) {
  for (const char* bad : {"", "123", "12345", "12a4"}) {
    EXPECT_THAT(Verify(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(VoiceActionsTest, VerificationExpires) {
  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(Refund("r-1").ok());
  clock_.Advance(absl::Minutes(31));
  EXPECT_THAT(Refund("r-2"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(VoiceActionsTest, RefundNeedsVerificationInTheSameCall) {
  auto refused = Refund();
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("VerifyIdentity")));
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "needs_verification");
  for (const stripe::StripeRequest& request : stripe_.requests()) {
    EXPECT_NE(request.method, stripe::HttpMethod::kPost);  // nothing was refunded
  }
}

TEST_F(VoiceActionsTest, RefundKeyIsDerivedFromTheRequestId) {
  ASSERT_TRUE(Verify("4242")->verified());
  auto refund = Refund("r-1");
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_THAT(refund->say(), HasSubstr("$49.00"));
  EXPECT_THAT(refund->say(), HasSubstr("Mastercard ending in 5555"));
  // The retry is answered from payvox's idempotency record: Stripe is not
  // asked again, and the answer is the first one.
  const size_t stripe_requests = stripe_.requests().size();
  auto retried = Refund("r-1");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->SerializeAsString(), refund->SerializeAsString());
  EXPECT_EQ(stripe_.requests().size(), stripe_requests);
  ASSERT_TRUE(Refund("r-2").ok());
  std::vector<std::string> keys;
  for (const stripe::StripeRequest& request : stripe_.requests()) {
    if (request.method == stripe::HttpMethod::kPost) keys.push_back(request.idempotency_key);
  }
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_NE(keys[0], keys[1]);
}

TEST_F(VoiceActionsTest, AReusedRequestIdWithOtherParametersIsAborted) {
  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(Refund("r-1").ok());
  const size_t stripe_requests = stripe_.requests().size();
  v1::CreateRefundRequest other;
  *other.mutable_context() = Context("r-1");
  other.set_charge_id("ch_2");
  other.set_amount_minor(100);
  auto refused = RunCoroutine(actions_.CreateRefund(other, absl::InfiniteFuture()));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAborted, HasSubstr("new request_id")));
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "request_id_reused");
  EXPECT_EQ(stripe_.requests().size(), stripe_requests);
  // Confirming on the retry does not make it another request.
  v1::CreateRefundRequest confirmed;
  *confirmed.mutable_context() = Context("r-1");
  confirmed.mutable_context()->set_confirmed(true);
  confirmed.set_charge_id("ch_2");
  EXPECT_TRUE(RunCoroutine(actions_.CreateRefund(confirmed, absl::InfiniteFuture())).ok());
  EXPECT_EQ(stripe_.requests().size(), stripe_requests);
}

TEST_F(VoiceActionsTest, RefundInputIsValidatedBeforeStripeIsCalled) {
  ASSERT_TRUE(Verify("4242")->verified());
  const size_t before = stripe_.requests().size();
  EXPECT_THAT(Refund(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(Refund("r", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("charge_id")));
  EXPECT_THAT(Refund("r", "cus_1"), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::CreateRefundRequest request;
  *request.mutable_context() = Context("r-9");
  request.set_charge_id("ch_2");
  request.set_amount_minor(-1);
  EXPECT_THAT(RunCoroutine(actions_.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount_minor")));
  request.set_amount_minor(100'000'000);
  EXPECT_THAT(RunCoroutine(actions_.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_amount_minor(0);
  request.set_reason("changed_mind");
  EXPECT_THAT(RunCoroutine(actions_.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  request.set_reason("");
  request.set_note("card 4242 4242 4242 4242");
  EXPECT_THAT(RunCoroutine(actions_.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("card number")));
  EXPECT_EQ(stripe_.requests().size(), before);
}

TEST_F(VoiceActionsTest, ListChargesSpeaksTheLatestCharge) {
  v1::ListChargesRequest request;
  *request.mutable_context() = Context();
  request.set_customer_id("cus_1");
  auto response = RunCoroutine(actions_.ListCharges(request, absl::InfiniteFuture()));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->charges_size(), 2);
  EXPECT_EQ(response->charges(0).refundable().display(), "$49.00");
  EXPECT_EQ(response->charges(1).refundable().amount_minor(), 0);
  EXPECT_EQ(response->charges(1).failure_reason(), "the bank declined it for insufficient funds");
  EXPECT_EQ(response->say(),
            "I see 2 recent charges. The latest is $49.00 on September 20th on your Mastercard "
            "ending in 5555, and it went through.");
  request.set_customer_id("");
  EXPECT_THAT(RunCoroutine(actions_.ListCharges(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Three identical CreateRefund calls in flight at once (a retry racing its
// original) are one request: one POST, one audit intent and completion,
// the same answer for all three.
TEST_F(VoiceActionsTest, ConcurrentDuplicatesOfAWriteAreOneRequest) {
  ASSERT_TRUE(Verify("4242")->verified());
  boost::asio::io_context io;
  std::vector<std::future<absl::StatusOr<v1::CreateRefundResponse>>> answers;
  for (int i = 0; i < 3; ++i) {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context("r-dup");
    request.set_charge_id("ch_2");
    answers.push_back(
        boost::asio::co_spawn(io, actions_.CreateRefund(std::move(request), absl::InfiniteFuture()),
                              boost::asio::use_future));
  }
  io.run();
  std::vector<std::string> serialized;
  for (auto& answer : answers) {
    absl::StatusOr<v1::CreateRefundResponse> refund = answer.get();
    ASSERT_TRUE(refund.ok()) << refund.status();
    serialized.push_back(refund->SerializeAsString());
  }
  EXPECT_EQ(serialized[1], serialized[0]);
  EXPECT_EQ(serialized[2], serialized[0]);
  int posts = 0;
  for (const stripe::StripeRequest& request : stripe_.requests()) {
    if (request.method == stripe::HttpMethod::kPost) ++posts;
  }
  EXPECT_EQ(posts, 1);
  v1::QueryAuditRequest query;
  query.set_tenant_id("acme");
  query.set_limit(100);
  absl::StatusOr<std::vector<v1::AuditRecord>> trail = store_->QueryAudit(query);
  ASSERT_TRUE(trail.ok()) << trail.status();
  int intents = 0;
  int completions = 0;
  for (const v1::AuditRecord& record : *trail) {
    if (record.action() != "create_refund") continue;
    intents += record.kind() == "intent";
    completions += record.kind() == "completion";
  }
  EXPECT_EQ(intents, 1);
  EXPECT_EQ(completions, 1);
}

// A request_id reused for other parameters while its first request runs is
// refused, not joined; a failed first run's error reaches its duplicates.
TEST_F(VoiceActionsTest, ConcurrentDuplicatesShareFailuresAndRefuseOtherParameters) {
  ASSERT_TRUE(Verify("4242")->verified());
  stripe_.Answer("POST /v1/refunds", 400,
                 R"({"error":{"type":"invalid_request_error","code":"charge_already_refunded",
                     "message":"Charge ch_2 has already been refunded."}})");
  boost::asio::io_context io;
  std::vector<std::future<absl::StatusOr<v1::CreateRefundResponse>>> answers;
  for (const int64_t amount : {100, 100, 200}) {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context("r-fail");
    request.set_charge_id("ch_2");
    request.set_amount_minor(amount);
    answers.push_back(
        boost::asio::co_spawn(io, actions_.CreateRefund(std::move(request), absl::InfiniteFuture()),
                              boost::asio::use_future));
  }
  io.run();
  const absl::Status first = answers[0].get().status();
  EXPECT_EQ(first.code(), absl::StatusCode::kFailedPrecondition) << first;
  EXPECT_EQ(answers[1].get().status(), first);
  EXPECT_THAT(answers[2].get(), StatusIs(absl::StatusCode::kAborted, HasSubstr("request_id")));
  int posts = 0;
  for (const stripe::StripeRequest& request : stripe_.requests()) {
    if (request.method == stripe::HttpMethod::kPost) ++posts;
  }
  EXPECT_EQ(posts, 1);
}

// The policy is served from memory; a change stored by another process is
// read again once the cached one is older than policy_cache_ttl (5 s).
TEST_F(VoiceActionsTest, APolicyStoredElsewhereIsSeenWithinTheCacheLifetime) {
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
