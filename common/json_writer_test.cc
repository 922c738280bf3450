#include "common/json_writer.h"

#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(JsonWriterTest, NestedObjectsAndArrays) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", "ch_1")
      .Field("amount", int64_t{4900})
      .Field("paid", true)
      .NullableField("invoice", "")
      .Key("data")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .String("x")
      .EndArray()
      .EndObject();
  EXPECT_EQ(json.str(),
            R"({"id":"ch_1","amount":4900,"paid":true,"invoice":null,"data":[1,{},"x"]})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlBytes) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\x01\xC3\xA9", 9));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\"");
}

}  // namespace
}  // namespace payvox
