#include "common/card_guard.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.pb.h"
#include "payvox/v1/admin.pb.h"

namespace payvox {
namespace {

using ::payvox::testing::IsOk;
using ::payvox::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCard[] = "4242424242424242";

TEST(CardGuardTest, AcceptsRequestsWithoutCardNumbers) {
  v1::FindCustomerRequest request;
  request.mutable_context()->set_call_id("call-1234567890123");  // 13 digits, not Luhn-valid
  request.set_email("jenny@example.com");
  EXPECT_THAT(RejectCardNumbersIn(request), IsOk());
  EXPECT_THAT(RejectCardNumbersIn(v1::CreateRefundRequest()), IsOk());
}

TEST(CardGuardTest, RefusesACardNumberInATopLevelField) {
  v1::FindCustomerRequest request;
  request.set_email(absl::StrCat(kCard, "@example.com"));
  const absl::Status status = RejectCardNumbersIn(request);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("email looks like it contains a card number"),
                                     Not(HasSubstr(kCard)))));
}

TEST(CardGuardTest, NamesNestedAndRepeatedFieldsByPath) {
  v1::FindCustomerRequest find;
  find.mutable_context()->set_call_id(kCard);
  EXPECT_THAT(RejectCardNumbersIn(find),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("context.call_id")));

  v1::CreateInvoiceRequest invoice;
  invoice.add_lines()->set_description("a hat");
  invoice.add_lines()->set_description("card 4242 4242 4242 4242 please");
  EXPECT_THAT(RejectCardNumbersIn(invoice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines[1].description")));
}

TEST(CardGuardTest, CoversAdminFields) {
  v1::CreateTenantRequest tenant;
  tenant.set_display_name("Shop 4000-0566-5566-5556");
  EXPECT_THAT(RejectCardNumbersIn(tenant),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("display_name")));
}

TEST(CardGuardTest, ChecksMapKeysAndValues) {
  google::protobuf::Struct values;
  (*values.mutable_fields())["note"].set_string_value(kCard);
  EXPECT_THAT(RejectCardNumbersIn(values),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fields[note].string_value")));

  google::protobuf::Struct keys;
  (*keys.mutable_fields())[kCard].set_number_value(1);
  EXPECT_THAT(RejectCardNumbersIn(keys),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("fields key"), Not(HasSubstr(kCard)))));
}

}  // namespace
}  // namespace payvox
