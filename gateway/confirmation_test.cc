#include "gateway/confirmation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/fake_clock.h"

namespace payvox::gateway {
namespace {

using ::payvox::testing::FakeClock;
using ::testing::StartsWith;

TEST(RepeatWindowTest, ARepeatInsideTheWindowIsTheSameRequest) {
  FakeClock clock(absl::FromUnixSeconds(1764680000));
  RepeatWindow repeats(clock, absl::Minutes(10));
  const Binding refund{"acme", "call_1", "create_refund", R"({"charge_id":"ch_1"})"};
  const std::string first = repeats.RequestId(refund, "");
  EXPECT_THAT(first, StartsWith("rpt_"));
  clock.Advance(absl::Minutes(9));
  EXPECT_EQ(repeats.RequestId(refund, ""), first);
  // Other arguments, another call or a token make other requests.
  EXPECT_NE(repeats.RequestId({"acme", "call_1", "create_refund", R"({"charge_id":"ch_2"})"}, ""),
            first);
  EXPECT_NE(repeats.RequestId({"acme", "call_2", "create_refund", refund.arguments}, ""), first);
  EXPECT_NE(repeats.RequestId(refund, "pvxc_1"), first);
  clock.Advance(absl::Minutes(2));
  EXPECT_NE(repeats.RequestId(refund, ""), first);
}

TEST(RepeatWindowTest, IdsPayvoxMakesNeverLookLikeCardNumbers) {
  FakeClock clock(absl::FromUnixSeconds(1764680000));
  RepeatWindow repeats(clock, absl::Minutes(10));
  for (int i = 0; i < 500; ++i) {
    const Binding binding{"acme", "call_1", "create_refund", absl::StrCat(R"({"n":)", i, "}")};
    const std::string repeat = repeats.RequestId(binding, "");
    EXPECT_EQ(repeat.find_first_of("0123456789"), std::string::npos) << repeat;
  }
  // A platform's id is kept, unless it looks like a card number.
  EXPECT_EQ(PlatformId("toolu_01"), "toolu_01");
  const std::string hashed = PlatformId("call_4242424242424242");
  EXPECT_THAT(hashed, StartsWith("pvh_"));
  EXPECT_EQ(hashed.find_first_of("0123456789"), std::string::npos);
  EXPECT_EQ(PlatformId("call_4242424242424242"), hashed);
}

TEST(RepeatWindowTest, IsBounded) {
  FakeClock clock(absl::FromUnixSeconds(1764680000));
  RepeatWindow repeats(clock, absl::Minutes(10), /*max_entries=*/2);
  const std::string a = repeats.RequestId({"t", "c", "a", "1"}, "");
  clock.Advance(absl::Seconds(1));
  const std::string b = repeats.RequestId({"t", "c", "a", "2"}, "");
  clock.Advance(absl::Seconds(1));
  repeats.RequestId({"t", "c", "a", "3"}, "");  // forgets the oldest, "1"
  EXPECT_EQ(repeats.RequestId({"t", "c", "a", "2"}, ""), b);
  EXPECT_NE(repeats.RequestId({"t", "c", "a", "1"}, ""), a);
}

}  // namespace
}  // namespace payvox::gateway
