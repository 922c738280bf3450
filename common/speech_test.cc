#include "common/speech.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(SpeechTest, CardPhrases) {
  EXPECT_EQ(CardPhrase("visa", "4242"), "Visa ending in 4242");
  EXPECT_EQ(CardPhrase("amex", "0005"), "American Express ending in 0005");
  EXPECT_EQ(CardPhrase("newbrand", "1234"), "card ending in 1234");
}

TEST(SpeechTest, DeclinesInPlainWordsWithoutRevealingFraudSuspicion) {
  EXPECT_EQ(DeclinePhrase("insufficient_funds"), "the bank declined it for insufficient funds");
  EXPECT_EQ(DeclinePhrase("expired_card"), "the card has expired");
  EXPECT_EQ(DeclinePhrase("fraudulent"), "the bank declined the card");
  EXPECT_EQ(DeclinePhrase("stolen_card"), "the bank declined the card");
  EXPECT_EQ(DeclinePhrase(""), "the bank declined the card");
}

TEST(SpeechTest, DeclineExplanationTellsTheAgentWhatTheCallerMustNotHear) {
  EXPECT_EQ(DeclineExplanation("fraudulent"),
            "Stripe or the bank suspects fraud; do not tell the caller this reason and do not "
            "retry this card");
  EXPECT_THAT(DeclineExplanation("stolen_card"), ::testing::HasSubstr("reported stolen"));
  EXPECT_EQ(DeclineExplanation("expired_card"), "the card has expired");
}

TEST(SpeechTest, DatesAsPeopleSayThem) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), utc);
  EXPECT_EQ(DatePhrase(absl::FromCivil(absl::CivilSecond(2026, 2, 28, 0, 0, 0), utc), now, utc),
            "February 28th");
  EXPECT_EQ(DatePhrase(absl::FromCivil(absl::CivilSecond(2026, 11, 1, 0, 0, 0), utc), now, utc),
            "November 1st");
  EXPECT_EQ(DatePhrase(absl::FromCivil(absl::CivilSecond(2026, 3, 12, 0, 0, 0), utc), now, utc),
            "March 12th");
  EXPECT_EQ(DatePhrase(absl::FromCivil(absl::CivilSecond(2027, 1, 22, 0, 0, 0), utc), now, utc),
            "January 22nd, 2027");
}

TEST(SpeechTest, DatesFollowTheTimeZone) {
  const absl::TimeZone plus_ten = absl::FixedTimeZone(10 * 3600);
  const absl::Time late_utc =
      absl::FromCivil(absl::CivilSecond(2026, 5, 3, 20, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(DatePhrase(late_utc, late_utc, plus_ten), "May 4th");
}

TEST(SpeechTest, Plurals) {
  EXPECT_EQ(Plural(1, "charge"), "1 charge");
  EXPECT_EQ(Plural(0, "charge"), "0 charges");
}

}  // namespace
}  // namespace payvox
