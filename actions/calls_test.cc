// Unit tests of BeginCall/EndCall and of the family reads inside a call
// session, on the scripted Stripe; tests/call_session_test.cc runs them
// through gRPC against the sandbox.
#include "actions/calls.h"

#include <string>

#include "actions/testing/action_test_env.h"
#include "common/error_detail.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class CallsTest : public ActionTest {
 protected:
  CallsTest() {
    stripe_.Answer("GET /v1/customers", 200,
                   R"({"object":"list","has_more":false,"data":[
                        {"id":"cus_1","name":"Jenny Rosen","email":"jenny@example.com"}]})");
    stripe_.Answer("GET /v1/subscriptions", 200, R"({"object":"list","has_more":false,"data":[]})");
    stripe_.Answer("GET /v1/invoices", 200, R"({"object":"list","has_more":false,"data":[]})");
  }

  absl::StatusOr<v1::BeginCallResponse> Begin(const char* email = "jenny@example.com") {
    v1::BeginCallRequest request;
    *request.mutable_context() = Context();
    request.set_email(email);
    request.set_caller_phone("+14155550123");
    return RunCoroutine(actions_.calls.BeginCall(request, absl::InfiniteFuture()));
  }
  absl::StatusOr<v1::EndCallResponse> End() {
    v1::EndCallRequest request;
    *request.mutable_context() = Context();
    return RunCoroutine(actions_.calls.EndCall(request, absl::InfiniteFuture()));
  }
  absl::StatusOr<v1::ListChargesResponse> Charges() {
    v1::ListChargesRequest request;
    *request.mutable_context() = Context();
    request.set_customer_id("cus_1");
    return RunCoroutine(actions_.charges.ListCharges(request, absl::InfiniteFuture()));
  }
  // Requests sent since `since` (an index into the recorded requests).
  std::vector<std::string> SentSince(size_t since) const {
    std::vector<std::string> sent;
    const auto requests = stripe_.requests();
    for (size_t i = since; i < requests.size(); ++i) {
      sent.push_back(absl::StrCat(stripe::MethodName(requests[i].method), " ", requests[i].path));
    }
    return sent;
  }
};

TEST_F(CallsTest, BeginCallFetchesTheAccountAndTheCallsReadsNeedNoStripeRequest) {
  absl::StatusOr<v1::BeginCallResponse> begun = Begin();
  ASSERT_TRUE(begun.ok()) << begun.status();
  EXPECT_EQ(begun->match_count(), 1);
  EXPECT_EQ(begun->customer().id(), "cus_1");
  EXPECT_TRUE(begun->card_on_file());
  EXPECT_EQ(begun->recent_charges(), 2);
  EXPECT_TRUE(begun->prefetch_complete());
  EXPECT_THAT(SentSince(0),
              ::testing::UnorderedElementsAre(
                  "GET /v1/customers", "GET /v1/customers/cus_1/payment_methods", "GET /v1/charges",
                  "GET /v1/subscriptions", "GET /v1/invoices", "GET /v1/invoices/upcoming"));
  // The email lookup found the customer: the phone's Search was not needed.
  const size_t prefetched = stripe_.requests().size();

  ASSERT_TRUE(Verify("4242")->verified());
  ASSERT_TRUE(Charges().ok());
  EXPECT_TRUE(SentSince(prefetched).empty());

  absl::StatusOr<v1::CreateRefundResponse> refund = Refund("r-1");
  ASSERT_TRUE(refund.ok()) << refund.status();
  EXPECT_THAT(SentSince(prefetched), ::testing::ElementsAre("POST /v1/refunds"));
  // The session holds the refund on its charge.
  absl::StatusOr<v1::ListChargesResponse> after = Charges();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->charges(0).refunded());
  EXPECT_THAT(SentSince(prefetched), ::testing::ElementsAre("POST /v1/refunds"));
}

TEST_F(CallsTest, ARepeatedBeginCallStartsNothingNew) {
  absl::StatusOr<v1::BeginCallResponse> first = Begin();
  ASSERT_TRUE(first.ok());
  const size_t sent = stripe_.requests().size();
  absl::StatusOr<v1::BeginCallResponse> second = Begin();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(stripe_.requests().size(), sent);
  EXPECT_EQ(second->SerializeAsString(), first->SerializeAsString());
}

TEST_F(CallsTest, TheCallersNumberIsAHintNeverIdentity) {
  stripe_.Answer("GET /v1/customers", 200, R"({"object":"list","has_more":false,"data":[]})");
  stripe_.Answer("GET /v1/customers/search", 200,
                 R"({"object":"search_result","has_more":false,"data":[{"id":"cus_1"}]})");
  absl::StatusOr<v1::BeginCallResponse> begun = Begin("nobody@example.com");
  ASSERT_TRUE(begun.ok());
  EXPECT_EQ(begun->customer().id(), "cus_1");  // found by the number when the email missed
  // Found is not verified: a refund still needs the last 4.
  absl::StatusOr<v1::CreateRefundResponse> refused = Refund();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "needs_verification");
}

TEST_F(CallsTest, WhatFailedToArriveIsFetchedOnFirstUse) {
  stripe_.Fail("GET /v1/customers/cus_1/payment_methods", absl::UnavailableError("Stripe down"));
  absl::StatusOr<v1::BeginCallResponse> begun = Begin();
  ASSERT_TRUE(begun.ok()) << begun.status();
  EXPECT_FALSE(begun->card_on_file());
  EXPECT_TRUE(begun->prefetch_complete());
  stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, ::payvox::testing::kJennyCards);
  const size_t prefetched = stripe_.requests().size();
  ASSERT_TRUE(Verify("4242")->verified());
  EXPECT_THAT(SentSince(prefetched),
              ::testing::ElementsAre("GET /v1/customers/cus_1/payment_methods"));
}

TEST_F(CallsTest, EndCallDropsTheSessionAndTheCallsVerification) {
  ASSERT_TRUE(Begin().ok());
  ASSERT_TRUE(Verify("4242")->verified());
  absl::StatusOr<v1::EndCallResponse> ended = End();
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_FALSE(ended->say().empty());
  EXPECT_EQ(sessions_.Find("acme", "call-1"), nullptr);
  // Reads go to Stripe again, and a write needs the caller verified again.
  const size_t before = stripe_.requests().size();
  ASSERT_TRUE(Charges().ok());
  EXPECT_THAT(SentSince(before), ::testing::ElementsAre("GET /v1/charges"));
  absl::StatusOr<v1::CreateRefundResponse> refused = Refund();
  EXPECT_EQ(GetErrorDetail(refused.status())->reason(), "needs_verification");
}

TEST_F(CallsTest, AnotherTenantsCallWithTheSameIdFindsNothing) {
  ASSERT_TRUE(Begin().ok());
  TenantActions other(stripe_, store_executor_, clock_, keyring_,
                      {.tenant_id = "other", .sessions = &sessions_});
  v1::ListChargesRequest request;
  *request.mutable_context() = Context();
  request.set_customer_id("cus_1");
  const size_t before = stripe_.requests().size();
  ASSERT_TRUE(RunCoroutine(other.charges.ListCharges(request, absl::InfiniteFuture())).ok());
  EXPECT_THAT(SentSince(before), ::testing::ElementsAre("GET /v1/charges"));
}

TEST_F(CallsTest, BadHintsAreNamed) {
  v1::BeginCallRequest request;
  *request.mutable_context() = Context();
  request.set_caller_phone("555-0123");
  EXPECT_THAT(RunCoroutine(actions_.calls.BeginCall(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("phone")));
  request.clear_caller_phone();
  request.set_customer_id("ch_1");
  EXPECT_THAT(RunCoroutine(actions_.calls.BeginCall(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("customer_id")));
  request.clear_customer_id();
  request.mutable_context()->clear_call_id();
  EXPECT_THAT(RunCoroutine(actions_.calls.BeginCall(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("call_id")));
}

TEST_F(CallsTest, WithoutSessionsBeginCallSaysSo) {
  TenantActions plain(stripe_, store_executor_, clock_, keyring_, {.tenant_id = "acme"});
  v1::BeginCallRequest request;
  *request.mutable_context() = Context();
  EXPECT_THAT(RunCoroutine(plain.calls.BeginCall(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no call sessions")));
}

}  // namespace
}  // namespace payvox
