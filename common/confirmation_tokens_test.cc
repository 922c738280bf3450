#include "common/confirmation_tokens.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "common/error_detail.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"

namespace payvox {
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
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
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

TEST_F(ConfirmationTest, TokensHoldNoDigitRunTheCardGuardWouldRefuse) {
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string token, tokens_->Mint(refund_));
    // Only the expiry's 10 digits.
    EXPECT_EQ(std::count_if(token.begin(), token.end(), ::isdigit), 10) << token;
    ASSERT_OK_AND_ASSIGN(std::string commit, tokens_->Redeem(refund_, token, "t"));
    EXPECT_EQ(commit.find_first_of("0123456789"), std::string::npos) << commit;
  }
}

TEST(LettersOnlyTest, SpellsHexInLetters) { EXPECT_EQ(LettersOnly("09af"), "ajkp"); }

}  // namespace
}  // namespace payvox
