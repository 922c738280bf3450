#include "common/money.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(FormatMoneyTest, TwoDecimalCurrencies) {
  EXPECT_EQ(FormatMoney(4900, "usd"), "$49.00");
  EXPECT_EQ(FormatMoney(5, "usd"), "$0.05");
  EXPECT_EQ(FormatMoney(123456789, "eur"), "€1,234,567.89");
  EXPECT_EQ(FormatMoney(1000, "chf"), "CHF 10.00");
}

TEST(FormatMoneyTest, ZeroDecimalCurrenciesHaveNoFraction) {
  EXPECT_EQ(FormatMoney(5000, "jpy"), "¥5,000");
  EXPECT_EQ(FormatMoney(1500000, "krw"), "₩1,500,000");
  EXPECT_EQ(FormatMoney(999, "vnd"), "VND 999");
}

TEST(FormatMoneyTest, ThreeDecimalCurrencies) {
  EXPECT_EQ(FormatMoney(1500, "kwd"), "KWD 1.500");
  EXPECT_EQ(FormatMoney(7, "bhd"), "BHD 0.007");
}

TEST(FormatMoneyTest, NegativeAndExtremeAmounts) {
  EXPECT_EQ(FormatMoney(-4900, "usd"), "-$49.00");
  EXPECT_EQ(FormatMoney(0, "usd"), "$0.00");
  EXPECT_EQ(FormatMoney(std::numeric_limits<int64_t>::min(), "usd"), "-$92,233,720,368,547,758.08");
}

TEST(CurrencyTest, Exponents) {
  EXPECT_EQ(CurrencyExponent("usd"), 2);
  EXPECT_EQ(CurrencyExponent("jpy"), 0);
  EXPECT_EQ(CurrencyExponent("tnd"), 3);
}

TEST(CurrencyTest, Validation) {
  EXPECT_TRUE(ValidateCurrency("usd").ok());
  EXPECT_EQ(ValidateCurrency("USD").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCurrency("us").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCurrency("").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace payvox
