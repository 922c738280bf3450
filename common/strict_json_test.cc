#include "common/strict_json.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StrictJsonTest, AcceptsJsonAsWritten) {
  EXPECT_OK(CheckStrictJson(R"({"a": [1, {"b": "c"}], "d": {"a": 2}})", "the config"));
  EXPECT_OK(CheckStrictJson("{}", "the config"));
}

TEST(StrictJsonTest, RefusesWhatProtobufWouldForgive) {
  EXPECT_THAT(CheckStrictJson("{'io_threads': 2}", "the config"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the config is not strict")));
  EXPECT_THAT(CheckStrictJson(R"({"io_threads": 2,})", "the config"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trailing commas")));
  EXPECT_THAT(CheckStrictJson(R"({"a": 1} {"b": 2})", "the config"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckStrictJson("", "the config"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StrictJsonTest, NamesAKeyGivenTwice) {
  EXPECT_THAT(CheckStrictJson(R"({"io_threads": 2, "io_threads": 3})", "the config"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"io_threads\" twice")));
  EXPECT_THAT(CheckStrictJson(R"({"policy": {"refunds": {"daily_limit": [{"currency": "usd",
                      "currency": "eur"}]}}})",
                              "the config"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"policy.refunds.daily_limit[0].currency\" twice")));
}

}  // namespace
}  // namespace payvox
