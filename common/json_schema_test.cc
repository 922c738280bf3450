#include "common/json_schema.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kRefund[] = R"({
  "type": "object",
  "properties": {
    "charge_id": {"type": "string", "description": "The charge", "minLength": 4, "maxLength": 64},
    "amount_minor": {"type": "integer", "description": "Cents", "minimum": 0, "maximum": 99999999},
    "reason": {"type": "string", "description": "Why", "enum": ["duplicate", "fraudulent"]},
    "notify": {"type": "boolean", "description": "Email the customer"},
    "lines": {"type": "array", "description": "Lines", "items": {
      "type": "object", "description": "One line",
      "properties": {"price": {"type": "string", "description": "Price id"}},
      "required": ["price"], "additionalProperties": false}}
  },
  "required": ["charge_id"],
  "additionalProperties": false
})";

TEST(JsonSchemaTest, AcceptsTheSubsetItEnforces) {
  EXPECT_TRUE(CheckSchema(kRefund).ok()) << CheckSchema(kRefund);
}

TEST(JsonSchemaTest, RefusesSchemasWithRulesItWouldNotEnforce) {
  EXPECT_THAT(CheckSchema("{"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JSON")));
  EXPECT_THAT(CheckSchema(R"({"type": "string"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("object")));
  EXPECT_THAT(CheckSchema(R"({"type": "object"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs properties")));
  EXPECT_THAT(
      CheckSchema(R"({"type": "object", "properties": {"a": {"type": "string"}}})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a schema needs a description")));
  EXPECT_THAT(CheckSchema(R"({"type": "object", "properties": {
                 "a": {"type": "string", "description": "x", "pattern": "^a"}}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"pattern\"")));
  EXPECT_THAT(CheckSchema(R"({"type": "object", "properties": {}, "required": ["b"]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not define")));
  EXPECT_THAT(CheckSchema(R"({"type": "object", "properties": {},
                              "additionalProperties": true})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("additionalProperties")));
  EXPECT_THAT(CheckSchema(R"({"type": "object", "properties": {
                 "a": {"type": "date", "description": "x"}}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a schema needs a type")));
}

TEST(JsonSchemaTest, AcceptsArgumentsThatFit) {
  EXPECT_TRUE(ValidateArguments(kRefund, R"({"charge_id": "ch_1234"})").ok());
  EXPECT_TRUE(ValidateArguments(kRefund, R"({"charge_id": "ch_1234", "amount_minor": 0,
      "reason": "duplicate", "notify": true, "lines": [{"price": "price_1"}]})")
                  .ok());
}

TEST(JsonSchemaTest, NamesTheArgumentThatDoesNotFit) {
  struct Case {
    const char* arguments;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "charge_id is required"},
           Case{"[]", "the arguments must be a JSON object"},
           Case{"{", "not valid JSON"},
           Case{R"({"charge_id": null})", "charge_id is required"},
           Case{R"({"charge_id": 12})", "charge_id must be a string"},
           Case{R"({"charge_id": "ch"})", "charge_id must be at least 4 characters"},
           Case{R"({"charge_id": "ch_1", "extra": 1})", "extra is not a known argument"},
           Case{R"({"charge_id": "ch_1", "amount_minor": 1.5})", "amount_minor must be an integer"},
           Case{R"({"charge_id": "ch_1", "amount_minor": -1})", "amount_minor must be at least 0"},
           Case{R"({"charge_id": "ch_1", "amount_minor": 100000000})", "must be at most"},
           Case{R"({"charge_id": "ch_1", "reason": "bored"})",
                "reason must be one of: duplicate, fraudulent"},
           Case{R"({"charge_id": "ch_1", "notify": "yes"})", "notify must be true or false"},
           Case{R"({"charge_id": "ch_1", "lines": {}})", "lines must be a JSON array"},
           Case{R"({"charge_id": "ch_1", "lines": [{}]})", "lines[0].price is required"},
       }) {
    EXPECT_THAT(ValidateArguments(kRefund, c.arguments),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.arguments;
  }
}

TEST(JsonSchemaTest, BoundsSizeAndDepth) {
  EXPECT_THAT(ValidateArguments(kRefund, std::string(70 * 1024, ' ')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("64 KiB")));
  std::string deep = R"({"type": "object", "properties": {"a": )";
  std::string close = "}";
  for (int i = 0; i < 20; ++i) {
    deep += R"({"type": "array", "description": "x", "items": )";
    close += "}";
  }
  deep += R"({"type": "string", "description": "x"})" + close + "}";
  EXPECT_THAT(CheckSchema(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deep")));
}

}  // namespace
}  // namespace payvox
