#include "client/stripe_errors.h"

#include "common/error_detail.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ErrorJson(const char* type, const char* code, const char* message,
                      const char* decline = "", const char* param = "") {
  return std::string(R"({"error":{"type":")") + type + R"(","code":")" + code + R"(","message":")" +
         message + R"(","decline_code":")" + decline + R"(","param":")" + param + R"("}})";
}

TEST(StripeErrorsTest, MapsByWhatTheCallerShouldDoNext) {
  EXPECT_THAT(
      StripeErrorToStatus(
          400, ErrorJson("invalid_request_error", "parameter_missing", "Missing amount"), ""),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(StripeErrorToStatus(400,
                                  ErrorJson("invalid_request_error", "charge_already_refunded",
                                            "Charge ch_1 has already been refunded."),
                                  ""),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(StripeErrorToStatus(
                  400, ErrorJson("idempotency_error", "", "Keys for idempotent requests"), ""),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("new request_id")));
  EXPECT_THAT(StripeErrorToStatus(401, "{}", ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("operator")));
  EXPECT_THAT(StripeErrorToStatus(403, "{}", ""), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      StripeErrorToStatus(
          404, ErrorJson("invalid_request_error", "resource_missing", "No such charge: 'ch_x'"),
          ""),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("ch_x")));
  EXPECT_THAT(StripeErrorToStatus(409, "{}", ""), StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(StripeErrorToStatus(429, "{}", ""), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(StripeErrorToStatus(502, "<html>bad gateway</html>", ""),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(StripeErrorsTest, APathTheEndpointLacksIsAnUnavailableOperationNotAMissingObject) {
  // Stripe's (and the sandbox's) answer for a URL it does not know names no
  // code; neither does a proxy's page.
  for (const std::string& body :
       {std::string(R"({"error":{"type":"invalid_request_error","message":)"
                    R"("Unrecognized request URL (GET: /v1/invoices/upcoming)."}})"),
        std::string("<html>404 Not Found</html>")}) {
    const absl::Status status = StripeErrorToStatus(404, body, "req_1");
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnimplemented,
                                 HasSubstr("This operation is unavailable")))
        << body;
    EXPECT_THAT(status.message(), HasSubstr("do not ask the caller for another one"));
    const v1::ErrorDetail detail = *GetErrorDetail(status);
    EXPECT_EQ(detail.reason(), "stripe_operation_unavailable");
    EXPECT_FALSE(detail.retryable());
    EXPECT_FALSE(detail.say().empty());
  }
  // Stripe naming what is missing stays NOT_FOUND.
  EXPECT_THAT(StripeErrorToStatus(404,
                                  ErrorJson("invalid_request_error", "invoice_upcoming_none",
                                            "No upcoming invoices for customer: cus_1"),
                                  ""),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(StripeErrorsTest, CardDeclinesAreExplainedAndCarryDetails) {
  const absl::Status status =
      StripeErrorToStatus(402,
                          ErrorJson("card_error", "card_declined",
                                    "Your card has insufficient funds.", "insufficient_funds"),
                          "req_123");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("insufficient funds")));
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->stripe_type(), "card_error");
  EXPECT_EQ(detail->decline_code(), "insufficient_funds");
  EXPECT_EQ(detail->stripe_request_id(), "req_123");
  EXPECT_FALSE(detail->retryable());
  EXPECT_THAT(detail->say(), HasSubstr("insufficient funds"));
}

TEST(StripeErrorsTest, SuspectedFraudIsExplainedToTheAgentButNotInTheCallersSentence) {
  const absl::Status status = StripeErrorToStatus(
      402, ErrorJson("card_error", "card_declined", "Your card was declined.", "fraudulent"),
      "req_1");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("suspects fraud; do not tell the caller")));
  const std::string say = GetErrorDetail(status)->say();
  EXPECT_THAT(say, HasSubstr("the bank declined the card"));
  EXPECT_THAT(say, ::testing::Not(HasSubstr("fraud")));
}

TEST(StripeErrorsTest, RetryableOnlyWhereARetryCanHelp) {
  EXPECT_TRUE(GetErrorDetail(StripeErrorToStatus(500, "", ""))->retryable());
  EXPECT_TRUE(GetErrorDetail(StripeErrorToStatus(429, "", ""))->retryable());
  EXPECT_FALSE(GetErrorDetail(StripeErrorToStatus(400, "", ""))->retryable());
}

TEST(StripeErrorsTest, ParamIsKeptAndEmailsAreRedacted) {
  const absl::Status status =
      StripeErrorToStatus(400,
                          ErrorJson("invalid_request_error", "email_invalid",
                                    "Invalid email address: jenny@example.com", "", "email"),
                          "");
  EXPECT_EQ(GetErrorDetail(status)->param(), "email");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("jenny@example.com")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("j***@example.com"));
}

TEST(StripeErrorsTest, TransportErrors) {
  EXPECT_THAT(TransportError(true, "read"), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(TransportError(false, "reset"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("same request_id")));
}

}  // namespace
}  // namespace payvox::stripe
