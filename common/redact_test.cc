#include "common/redact.h"

#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(RedactTest, MasksEmails) {
  EXPECT_EQ(MaskEmail("jenny.rosen@example.com"), "j***@example.com");
  EXPECT_EQ(MaskEmail("no-at-sign"), "***");
  EXPECT_EQ(MaskEmail("@example.com"), "***");
}

TEST(RedactTest, MasksSecretsKeepingOnlyTheirKind) {
  EXPECT_EQ(MaskSecret("sk_test_4eC39HqLyjWDarjtT1zdp7dc"), "sk_test_***");
  EXPECT_EQ(MaskSecret("rk_live_abc"), "rk_live_***");
  EXPECT_EQ(MaskSecret("whsec_abc"), "whsec_***");
  EXPECT_EQ(MaskSecret("anything"), "***");
}

TEST(RedactTest, RedactTextMasksEmailsAndLongNumbers) {
  EXPECT_EQ(RedactText("No such customer: 'jenny.rosen@example.com'"),
            "No such customer: 'j***@example.com'");
  EXPECT_EQ(RedactText("card 4242424242424242 declined"), "card [number] declined");
  EXPECT_EQ(RedactText("No such charge: 'ch_123'"), "No such charge: 'ch_123'");
}

TEST(RedactTest, FindsLuhnValidCardNumbersInAnyCommonLayout) {
  EXPECT_TRUE(ContainsCardNumber("4242424242424242"));
  EXPECT_TRUE(ContainsCardNumber("my card is 4242 4242 4242 4242 thanks"));
  EXPECT_TRUE(ContainsCardNumber("5555-5555-5555-4444"));
  EXPECT_TRUE(ContainsCardNumber("378282246310005"));  // 15-digit amex
  EXPECT_TRUE(ContainsCardNumber("card:4000056655665556."));
  // Stripe's test cards of the other networks.
  for (const char* card : {"6011111111111117", "3056930009020004", "36227206271667",
                           "3566002020360505", "6200000000000005", "2223003122003222"}) {
    EXPECT_TRUE(ContainsCardNumber(card)) << card;
  }
}

TEST(RedactTest, IgnoresNumbersThatAreNotCards) {
  EXPECT_FALSE(ContainsCardNumber("4242424242424241"));    // fails Luhn
  EXPECT_FALSE(ContainsCardNumber("order 123456789012"));  // 12 digits
  EXPECT_FALSE(ContainsCardNumber("call +1 415 555 0101 about invoice 2024"));
  EXPECT_FALSE(ContainsCardNumber("42424242424242424242"));  // 20 digits
  EXPECT_FALSE(ContainsCardNumber(""));
  // Luhn-valid, but no card network issues them: timestamps in ids (ms, ns)
  // and phone numbers.
  EXPECT_FALSE(ContainsCardNumber("call-1733097944123"));
  EXPECT_FALSE(ContainsCardNumber("demo-1764567890123456781"));
  EXPECT_FALSE(ContainsCardNumber("+4915112345678"));
  EXPECT_FALSE(ContainsCardNumber("+6281234567899"));
}

TEST(RedactTest, RejectCardNumbersNamesTheField) {
  EXPECT_TRUE(RejectCardNumbers("note", "refund please").ok());
  absl::Status status = RejectCardNumbers("note", "card 4242424242424242");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("note"), absl::string_view::npos);
  EXPECT_EQ(status.message().find("4242424242424242"), absl::string_view::npos);
}

}  // namespace
}  // namespace payvox
