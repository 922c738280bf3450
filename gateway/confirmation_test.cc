#include "gateway/confirmation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/error_detail.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"

namespace payvox::gateway {
namespace {

using ::payvox::testing::FakeClock;
using ::payvox::testing::IsOkAndHolds;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReasonOf(const absl::Status& status) {
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  return detail.has_value() ? detail->reason() : "";
}

class ConfirmationTest : public ::testing::Test {
 protected:
  ConfirmationTest() {
    tokens_ = *ConfirmationTokens::Create({.key = std::string(32, 'k')}, clock_);
  }

  FakeClock clock_{absl::FromUnixSeconds(1764680000)};
  std::unique_ptr<ConfirmationTokens> tokens_;
  const Binding refund_{"acme", "call_1", "create_refund", R"({"charge_id":"ch_1"})"};
};

TEST_F(ConfirmationTest, ATokenCommitsItsActionOnce) {
  ASSERT_OK_AND_ASSIGN(std::string token, tokens_->Mint(refund_));
  EXPECT_THAT(token, StartsWith("pvxc_"));
  ASSERT_OK_AND_ASSIGN(std::string request_id, tokens_->Redeem(refund_, token, "tool_1"));
  EXPECT_THAT(request_id, StartsWith("cfm_"));
  // The platform's retry of the same request passes, under the same id.
  EXPECT_THAT(tokens_->Redeem(refund_, token, "tool_1"), IsOkAndHolds(request_id));
  // Another request with the same token does not.
  absl::StatusOr<std::string> again = tokens_->Redeem(refund_, token, "tool_2");
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(again.status()), "confirmation_token_used");
}

TEST_F(ConfirmationTest, ATokenIsBoundToTenantCallActionAndArguments) {
  ASSERT_OK_AND_ASSIGN(std::string token, tokens_->Mint(refund_));
  for (Binding other : {Binding{"other", refund_.call_id, refund_.action, refund_.arguments},
                        Binding{refund_.tenant, "call_2", refund_.action, refund_.arguments},
                        Binding{refund_.tenant, refund_.call_id, "void_invoice", refund_.arguments},
                        Binding{refund_.tenant, refund_.call_id, refund_.action,
                                R"({"amount_minor":999999,"charge_id":"ch_1"})"}}) {
    absl::StatusOr<std::string> redeemed = tokens_->Redeem(other, token, "tool_1");
    EXPECT_EQ(ReasonOf(redeemed.status()), "confirmation_token_invalid") << other.arguments;
  }
  // A forged or damaged token.
  std::string forged = token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(ReasonOf(tokens_->Redeem(refund_, forged, "t").status()), "confirmation_token_invalid");
  EXPECT_EQ(ReasonOf(tokens_->Redeem(refund_, "confirmed", "t").status()),
            "confirmation_token_invalid");
  // The untouched token still works: the refusals used nothing.
  EXPECT_OK(tokens_->Redeem(refund_, token, "tool_1").status());
}

TEST_F(ConfirmationTest, ATokenExpires) {
  ASSERT_OK_AND_ASSIGN(std::string token, tokens_->Mint(refund_));
  clock_.Advance(absl::Minutes(5));
  absl::StatusOr<std::string> late = tokens_->Redeem(refund_, token, "tool_1");
  EXPECT_EQ(ReasonOf(late.status()), "confirmation_token_expired");
  EXPECT_THAT(late.status().message(), HasSubstr("expired"));
}

TEST_F(ConfirmationTest, KeysAreChecked) {
  EXPECT_THAT(ConfirmationTokens::Create({.key = "short"}, clock_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32 bytes")));
}

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
  auto tokens = *ConfirmationTokens::Create({.key = std::string(32, 'k')}, clock);
  for (int i = 0; i < 500; ++i) {
    const Binding binding{"acme", "call_1", "create_refund", absl::StrCat(R"({"n":)", i, "}")};
    const std::string repeat = repeats.RequestId(binding, "");
    EXPECT_EQ(repeat.find_first_of("0123456789"), std::string::npos) << repeat;
    ASSERT_OK_AND_ASSIGN(std::string token, tokens->Mint(binding));
    ASSERT_OK_AND_ASSIGN(std::string commit, tokens->Redeem(binding, token, "t"));
    EXPECT_EQ(commit.find_first_of("0123456789"), std::string::npos) << commit;
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
