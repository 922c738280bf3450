// The first voice flow end to end: generated gRPC client -> payvoxd's
// services -> HTTP Stripe client -> sandbox, all on loopback.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::ActionService::Stub;

class VoiceFlowTest : public PayvoxdTest {
 protected:
  grpc::Status Find(v1::FindCustomerRequest request, v1::FindCustomerResponse* response) {
    if (!request.has_context()) *request.mutable_context() = Context();
    return Invoke(&Stub::FindCustomer, request, response);
  }
};

TEST_F(VoiceFlowTest, FindCustomerByEmailPhoneAndId) {
  v1::FindCustomerRequest request;
  v1::FindCustomerResponse response;
  request.set_email("jenny.rosen@example.com");
  ASSERT_TRUE(Find(request, &response).ok());
  ASSERT_EQ(response.customers_size(), 1);
  EXPECT_EQ(response.customers(0).id(), "cus_DemoJennyRosen");
  EXPECT_EQ(response.say(), "I found your account.");

  request.set_phone("+14155550101");
  ASSERT_TRUE(Find(request, &response).ok());
  EXPECT_EQ(response.customers(0).name(), "Jenny Rosen");

  request.set_customer_id("cus_DemoHiroTanaka");
  ASSERT_TRUE(Find(request, &response).ok());
  EXPECT_EQ(response.customers(0).email(), "hiro.tanaka@example.jp");
}

TEST_F(VoiceFlowTest, SeveralMatchesAreReportedNotGuessed) {
  v1::FindCustomerRequest request;
  request.set_email("sam.lee@example.com");
  v1::FindCustomerResponse response;
  ASSERT_TRUE(Find(request, &response).ok());
  EXPECT_EQ(response.customers_size(), 2);
  EXPECT_THAT(response.say(), HasSubstr("2 accounts"));
}

TEST_F(VoiceFlowTest, UnknownCustomerSaysWhatWasSearchedAndWhatToAskNext) {
  v1::FindCustomerRequest request;
  request.set_email("nobody@example.com");
  v1::FindCustomerResponse response;
  grpc::Status status = Find(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("n***@example.com"));
  EXPECT_THAT(status.error_message(), HasSubstr("phone number"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("nobody@")));
  EXPECT_EQ(DetailOf(status).reason(), "customer_not_found");
  EXPECT_FALSE(DetailOf(status).say().empty());

  request.set_customer_id("cus_DoesNotExist");
  EXPECT_EQ(Find(request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(VoiceFlowTest, BadFindRequestsNameTheField) {
  v1::FindCustomerResponse response;
  v1::FindCustomerRequest empty;
  EXPECT_EQ(Find(empty, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::FindCustomerRequest bad_email;
  bad_email.set_email("not-an-email");
  EXPECT_THAT(Find(bad_email, &response).error_message(), HasSubstr("email"));
  v1::FindCustomerRequest bad_phone;
  bad_phone.set_phone("415-555-0123");
  EXPECT_THAT(Find(bad_phone, &response).error_message(), HasSubstr("E.164"));
  v1::FindCustomerRequest bad_id;
  bad_id.set_customer_id("../../v1/balance");
  EXPECT_EQ(Find(bad_id, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::FindCustomerRequest no_call;
  *no_call.mutable_context() = Context("", "");
  no_call.set_email("jenny.rosen@example.com");
  EXPECT_THAT(Find(no_call, &response).error_message(), HasSubstr("call_id"));
}

TEST_F(VoiceFlowTest, ThreeWrongLast4ThenResourceExhausted) {
  v1::VerifyIdentityResponse response;
  for (int remaining : {2, 1, 0}) {
    ASSERT_TRUE(Verify("cus_DemoJennyRosen", "1111", &response).ok());
    EXPECT_FALSE(response.verified());
    EXPECT_EQ(response.attempts_remaining(), remaining);
  }
  const grpc::Status exhausted = Verify("cus_DemoJennyRosen", "4242", &response);
  EXPECT_EQ(exhausted.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(DetailOf(exhausted).reason(), "verification_attempts_exhausted");
  // Another call starts with fresh attempts.
  ASSERT_TRUE(Verify("cus_DemoJennyRosen", "4242", &response, "call-2").ok());
  EXPECT_TRUE(response.verified());
}

TEST_F(VoiceFlowTest, BadVerifyRequests) {
  v1::VerifyIdentityResponse response;
  EXPECT_EQ(Verify("cus_DemoJennyRosen", "42", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Verify("", "4242", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Verify("cus_Nobody", "4242", &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(VoiceFlowTest, ListChargesSpeaksAmountsCardsAndFailures) {
  const v1::ListChargesResponse jenny = Charges("cus_DemoJennyRosen");
  ASSERT_EQ(jenny.charges_size(), 3);
  EXPECT_EQ(jenny.charges(0).id(), "ch_DemoJennyDuplicate");
  EXPECT_EQ(jenny.charges(0).amount().display(), "$49.00");
  EXPECT_EQ(jenny.charges(0).card().last4(), "4242");
  EXPECT_EQ(jenny.charges(0).refundable().amount_minor(), 4900);
  EXPECT_EQ(jenny.charges(2).status(), v1::CHARGE_STATUS_FAILED);
  EXPECT_EQ(jenny.charges(2).failure_reason(), "the bank declined it for insufficient funds");
  EXPECT_EQ(jenny.charges(2).refundable().amount_minor(), 0);
  EXPECT_EQ(jenny.charges(1).invoice_id(), "in_DemoJennyNovember");
  EXPECT_THAT(jenny.say(), HasSubstr("Visa ending in 4242"));

  const v1::ListChargesResponse page = Charges("cus_DemoJennyRosen", 2);
  EXPECT_EQ(page.charges_size(), 2);
  EXPECT_TRUE(page.has_more());

  EXPECT_EQ(Charges("cus_DemoHiroTanaka").charges(0).amount().display(), "¥5,000");
  EXPECT_EQ(Charges("cus_DemoLaylaHaddad").charges(0).amount().display(), "KWD 1.500");
}

TEST_F(VoiceFlowTest, RefundNeedsVerificationInTheSameCall) {
  v1::CreateRefundResponse response;
  grpc::Status status = Refund("r-1", "ch_DemoJennyPlan", 0, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(status).reason(), "needs_verification");
  VerifyJenny("call-other");
  EXPECT_EQ(Refund("r-1", "ch_DemoJennyPlan", 0, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 0);
}

TEST_F(VoiceFlowTest, RetriedRefundRefundsOnce) {
  VerifyJenny();
  v1::CreateRefundResponse first;
  ASSERT_TRUE(Refund("r-1", "ch_DemoJennyPlan", 1000, &first).ok());
  EXPECT_EQ(first.refund().amount().display(), "$10.00");
  EXPECT_EQ(first.refund().status(), v1::REFUND_STATUS_SUCCEEDED);
  EXPECT_THAT(first.say(), HasSubstr("$10.00"));
  v1::CreateRefundResponse retry;
  ASSERT_TRUE(Refund("r-1", "ch_DemoJennyPlan", 1000, &retry).ok());
  EXPECT_EQ(retry.refund().id(), first.refund().id());
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 1000);

  // The same request_id with other parameters is an idempotency conflict,
  // caught by payvox's record before Stripe is asked.
  v1::CreateRefundResponse conflict;
  const grpc::Status status = Refund("r-1", "ch_DemoJennyPlan", 2000, &conflict);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(DetailOf(status).reason(), "request_id_reused");
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 1000);

  // A new request_id is a new refund.
  v1::CreateRefundResponse second;
  ASSERT_TRUE(Refund("r-2", "ch_DemoJennyPlan", 0, &second).ok());
  EXPECT_EQ(second.refund().amount().amount_minor(), 3900);
  EXPECT_TRUE(Charges("cus_DemoJennyRosen").charges(1).refunded());
}

TEST_F(VoiceFlowTest, RefundsThatStripeRefusesMapByWhatToDoNext) {
  VerifyJenny();
  v1::CreateRefundResponse response;
  grpc::Status over = Refund("r-over", "ch_DemoJennyPlan", 4901, &response);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DetailOf(over).stripe_code(), "amount_too_large");
  EXPECT_EQ(DetailOf(over).param(), "amount");

  grpc::Status failed = Refund("r-failed", "ch_DemoJennyFailed", 0, &response);
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(Refund("r-all", "ch_DemoJennyDuplicate", 0, &response).ok());
  grpc::Status again = Refund("r-again", "ch_DemoJennyDuplicate", 0, &response);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(again).stripe_code(), "charge_already_refunded");

  EXPECT_EQ(Refund("r-none", "ch_DoesNotExist", 0, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(VoiceFlowTest, BadRefundRequestsNeverReachStripe) {
  VerifyJenny();
  v1::CreateRefundResponse response;
  EXPECT_THAT(Refund("", "ch_DemoJennyPlan", 0, &response).error_message(),
              HasSubstr("request_id"));
  EXPECT_EQ(Refund("r", "", 0, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Refund("r", "ch_DemoJennyPlan", -1, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Refund("r", "ch_DemoJennyPlan", 1'000'000'000, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 0);
}

TEST_F(VoiceFlowTest, RefundByPaymentIntent) {
  VerifyJenny();
  v1::CreateRefundResponse response;
  ASSERT_TRUE(Refund("r-pi", "pi_DemoJennyPlan", 0, &response).ok());
  EXPECT_EQ(response.refund().charge_id(), "ch_DemoJennyPlan");
}

}  // namespace
}  // namespace payvox::testing
