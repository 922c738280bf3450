// Unit tests of the refunds family against a scripted Stripe (no network); the
// same flows run end to end against the sandbox in tests/.
#include "actions/refunds.h"

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

TEST_F(ActionTest, RefundNeedsVerificationInTheSameCall) {
  auto refused = Refund();
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("VerifyIdentity")));
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "needs_verification");
  for (const stripe::StripeRequest& request : stripe_.requests()) {
    EXPECT_NE(request.method, stripe::HttpMethod::kPost);  // nothing was refunded
  }
}

// ConfirmedRefund is a refund of ch_2 in call-1 carrying `token`.
v1::CreateRefundRequest ConfirmedRefund(const char* request_id, const std::string& token,
                                        int64_t amount = 0) {
  v1::CreateRefundRequest request;
  request.mutable_context()->set_call_id("call-1");
  request.mutable_context()->set_request_id(request_id);
  request.mutable_context()->set_confirmation_token(token);
  request.set_charge_id("ch_2");
  request.set_amount_minor(amount);
  return request;
}

size_t RefundsSent(const stripe::testing::FakeStripeClient& stripe) {
  size_t sent = 0;
  for (const stripe::StripeRequest& request : stripe.requests()) {
    if (request.method == stripe::HttpMethod::kPost) ++sent;
  }
  return sent;
}

TEST_F(ActionTest, AConfirmationAsksForTheAmountAndCardAndItsTokenCommitsOnce) {
  v1::TenantPolicy policy;
  policy.add_confirmed_actions("create_refund");
  actions_.PolicyChanged(policy);
  ASSERT_TRUE(Verify("4242")->verified());
  auto asked = Refund("r-1");
  ASSERT_THAT(asked, StatusIs(absl::StatusCode::kFailedPrecondition));
  const v1::ErrorDetail question = *GetErrorDetail(asked.status());
  EXPECT_EQ(question.reason(), "needs_confirmation");
  EXPECT_EQ(question.say(),
            "Just to confirm: shall I refund $49.00 to your Mastercard ending in 5555?");
  ASSERT_THAT(question.confirmation_token(), ::testing::StartsWith("pvxc_"));
  EXPECT_EQ(RefundsSent(stripe_), 0u);

  // Another amount, or another call, is not what the caller agreed to.
  auto other_amount = RunCoroutine(actions_.refunds.CreateRefund(
      ConfirmedRefund("r-1", question.confirmation_token(), 100), absl::InfiniteFuture()));
  EXPECT_EQ(GetErrorDetail(other_amount.status())->reason(), "confirmation_token_invalid");
  v1::CreateRefundRequest other_call = ConfirmedRefund("r-1", question.confirmation_token());
  other_call.mutable_context()->set_call_id("call-2");
  auto elsewhere = RunCoroutine(actions_.refunds.CreateRefund(other_call, absl::InfiniteFuture()));
  EXPECT_EQ(GetErrorDetail(elsewhere.status())->reason(), "confirmation_token_invalid");
  EXPECT_EQ(RefundsSent(stripe_), 0u);

  auto committed = RunCoroutine(actions_.refunds.CreateRefund(
      ConfirmedRefund("r-1", question.confirmation_token()), absl::InfiniteFuture()));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(RefundsSent(stripe_), 1u);
  // Its retry is the same request, answered from the first answer.
  auto retried = RunCoroutine(actions_.refunds.CreateRefund(
      ConfirmedRefund("r-1", question.confirmation_token()), absl::InfiniteFuture()));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->SerializeAsString(), committed->SerializeAsString());
  // Another request cannot use the token again.
  auto reused = RunCoroutine(actions_.refunds.CreateRefund(
      ConfirmedRefund("r-2", question.confirmation_token()), absl::InfiniteFuture()));
  EXPECT_EQ(GetErrorDetail(reused.status())->reason(), "confirmation_token_used");
  EXPECT_EQ(RefundsSent(stripe_), 1u);
}

TEST_F(ActionTest, APolicyCanRequireTheTokenWhereTheFlagWouldDo) {
  v1::TenantPolicy policy;
  policy.add_confirmed_actions("create_refund");
  actions_.PolicyChanged(policy);
  ASSERT_TRUE(Verify("4242")->verified());
  v1::CreateRefundRequest flagged = ConfirmedRefund("r-1", "");
  flagged.mutable_context()->set_confirmed(true);
  // The flag confirms for a trusted orchestrator...
  ASSERT_TRUE(RunCoroutine(actions_.refunds.CreateRefund(flagged, absl::InfiniteFuture())).ok());
  EXPECT_EQ(RefundsSent(stripe_), 1u);

  // ...until the policy requires the token.
  policy.set_confirmation_token_required(true);
  actions_.PolicyChanged(policy);
  flagged.mutable_context()->set_request_id("r-2");
  auto asked = RunCoroutine(actions_.refunds.CreateRefund(flagged, absl::InfiniteFuture()));
  ASSERT_THAT(asked, StatusIs(absl::StatusCode::kFailedPrecondition,
                              HasSubstr("with the confirmation_token of this answer")));
  const std::string token = GetErrorDetail(asked.status())->confirmation_token();
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(RefundsSent(stripe_), 1u);
  ASSERT_TRUE(RunCoroutine(actions_.refunds.CreateRefund(ConfirmedRefund("r-2", token),
                                                         absl::InfiniteFuture()))
                  .ok());
  EXPECT_EQ(RefundsSent(stripe_), 2u);
}

// The answer of a refund that took the last room under the daily limit was
// lost (Stripe's outcome unknown, its reservation kept): the retry reuses the
// reservation, so the limit must not count it against the retry itself.
TEST_F(ActionTest, ARetryNearTheLimitIsNotRefusedByItsOwnReservation) {
  v1::TenantPolicy policy;
  v1::CurrencyAmount& limit = *policy.mutable_refunds()->add_daily_limit();
  limit.set_currency("usd");
  limit.set_amount_minor(4900);  // exactly the charge
  actions_.PolicyChanged(policy);
  ASSERT_TRUE(Verify("4242")->verified());
  stripe_.Fail("POST /v1/refunds", absl::UnavailableError("the connection dropped"));
  auto lost = Refund("r-1");
  ASSERT_THAT(lost, StatusIs(absl::StatusCode::kUnavailable));
  stripe_.Answer(
      "POST /v1/refunds", 200,
      R"({"id":"re_1","amount":4900,"currency":"usd","charge":"ch_2","status":"succeeded"})");
  auto retried = Refund("r-1");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->refund().id(), "re_1");
  // The day's total counts the refund once, and a new refund finds no room.
  auto another = Refund("r-2");
  ASSERT_THAT(another, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(GetErrorDetail(another.status())->reason(), "refund_over_daily_limit");
}

TEST_F(ActionTest, RefundKeyIsDerivedFromTheRequestId) {
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

TEST_F(ActionTest, AReusedRequestIdWithOtherParametersIsAborted) {
  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(Refund("r-1").ok());
  const size_t stripe_requests = stripe_.requests().size();
  v1::CreateRefundRequest other;
  *other.mutable_context() = Context("r-1");
  other.set_charge_id("ch_2");
  other.set_amount_minor(100);
  auto refused = RunCoroutine(actions_.refunds.CreateRefund(other, absl::InfiniteFuture()));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAborted, HasSubstr("new request_id")));
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "request_id_reused");
  EXPECT_EQ(stripe_.requests().size(), stripe_requests);
  // Confirming on the retry does not make it another request.
  v1::CreateRefundRequest confirmed;
  *confirmed.mutable_context() = Context("r-1");
  confirmed.mutable_context()->set_confirmed(true);
  confirmed.set_charge_id("ch_2");
  EXPECT_TRUE(RunCoroutine(actions_.refunds.CreateRefund(confirmed, absl::InfiniteFuture())).ok());
  EXPECT_EQ(stripe_.requests().size(), stripe_requests);
}

TEST_F(ActionTest, RefundInputIsValidatedBeforeStripeIsCalled) {
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
  EXPECT_THAT(RunCoroutine(actions_.refunds.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount_minor")));
  request.set_amount_minor(100'000'000);
  EXPECT_THAT(RunCoroutine(actions_.refunds.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_amount_minor(0);
  request.set_reason("changed_mind");
  EXPECT_THAT(RunCoroutine(actions_.refunds.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  request.set_reason("");
  request.set_note("card 4242 4242 4242 4242");
  EXPECT_THAT(RunCoroutine(actions_.refunds.CreateRefund(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("card number")));
  EXPECT_EQ(stripe_.requests().size(), before);
}

// Three identical CreateRefund calls in flight at once (a retry racing its
// original) are one request: one POST, one audit intent and completion,
// the same answer for all three.
TEST_F(ActionTest, ConcurrentDuplicatesOfAWriteAreOneRequest) {
  ASSERT_TRUE(Verify("4242")->verified());
  boost::asio::io_context io;
  std::vector<std::future<absl::StatusOr<v1::CreateRefundResponse>>> answers;
  for (int i = 0; i < 3; ++i) {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context("r-dup");
    request.set_charge_id("ch_2");
    answers.push_back(boost::asio::co_spawn(
        io, actions_.refunds.CreateRefund(std::move(request), absl::InfiniteFuture()),
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

TEST_F(ActionTest, ConcurrentDuplicatesShareFailuresAndRefuseOtherParameters) {
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
    answers.push_back(boost::asio::co_spawn(
        io, actions_.refunds.CreateRefund(std::move(request), absl::InfiniteFuture()),
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

}  // namespace
}  // namespace payvox
