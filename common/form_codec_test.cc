#include "common/form_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormCodecTest, EncodesBracketNamesAndReservedCharacters) {
  FormParams params;
  params.Add("charge", "ch_123");
  params.Add("metadata[call_id]", "call 9/a&b=c");
  params.Add("expand[]", "data.customer");
  EXPECT_EQ(EncodeForm(params),
            "charge=ch_123&metadata%5Bcall_id%5D=call%209%2Fa%26b%3Dc&expand%5B%5D=data.customer");
}

TEST(FormCodecTest, RoundTripsArbitraryBytes) {
  FormParams params;
  params.Add("items[0][price]", "price_1");
  params.Add("description", std::string("caf\xC3\xA9 + \x01 \xFF", 11));
  auto parsed = ParseForm(EncodeForm(params));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->entries(), params.entries());
}

TEST(FormCodecTest, ParsesRawBracketsPlusAndEmptyValues) {
  auto parsed = ParseForm("email=a%40b.com&metadata[k]=v+w&flag=&lone&&");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->entries(), ElementsAre(Pair("email", "a@b.com"), Pair("metadata[k]", "v w"),
                                             Pair("flag", ""), Pair("lone", "")));
  EXPECT_EQ(parsed->Find("email"), "a@b.com");
  EXPECT_EQ(parsed->Find("missing"), std::nullopt);
  EXPECT_THAT(parsed->WithPrefix("metadata["), ElementsAre(Pair("metadata[k]", "v w")));
}

TEST(FormCodecTest, RejectsBadEscapesWithTheirOffset) {
  EXPECT_EQ(ParseForm("a=%4").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseForm("a=%").status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = ParseForm("ok=1&a=%zz");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("byte 7"));
  EXPECT_EQ(ParseForm("=value").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FormCodecTest, BoundsTheNumberOfParameters) {
  EXPECT_TRUE(ParseForm("a=1&b=2", 2).ok());
  EXPECT_EQ(ParseForm("a=1&b=2&c=3", 2).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace payvox
