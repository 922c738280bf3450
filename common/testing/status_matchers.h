// status_matchers.h: GoogleTest matchers for absl::Status and StatusOr
// (Abseil 20220623 has none).
//
//   EXPECT_THAT(DecodeCharge(body), IsOkAndHolds(Field(&Charge::id, "ch_1")));
//   EXPECT_THAT(ParseForm("a=%zz"), StatusIs(absl::StatusCode::kInvalidArgument));
//   EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, HasSubstr("cus_")));
#ifndef PAYVOX_COMMON_TESTING_STATUS_MATCHERS_H_
#define PAYVOX_COMMON_TESTING_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace payvox::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(status.message()),
                                       result_listener);
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace payvox::testing

// EXPECT_OK / ASSERT_OK: the status (or StatusOr) is OK.
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::payvox::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::payvox::testing::IsOk())
// ASSERT_OK_AND_ASSIGN(lhs, expr): asserts the StatusOr `expr` is OK and
// moves its value into `lhs`.
#define PAYVOX_TESTING_CONCAT_(a, b) a##b
#define PAYVOX_TESTING_CONCAT(a, b) PAYVOX_TESTING_CONCAT_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(PAYVOX_TESTING_CONCAT(status_or_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(name, lhs, expr) \
  auto name = (expr);                               \
  ASSERT_TRUE(name.ok()) << name.status();          \
  lhs = std::move(*name)

#endif  // PAYVOX_COMMON_TESTING_STATUS_MATCHERS_H_
