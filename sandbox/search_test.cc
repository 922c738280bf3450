#include "sandbox/search.h"

#include "gtest/gtest.h"

namespace payvox::sandbox {
namespace {

CustomerRecord Jenny() {
  return {"cus_1", "Jenny Rosen", "Jenny@Example.com", "+14155550101", "", 0, {{"tier", "gold"}}};
}

TEST(CustomerSearchTest, ExactSubstringAndMetadataClauses) {
  const CustomerRecord jenny = Jenny();
  auto by_email = ParseCustomerSearch(R"(email:"jenny@example.com")");
  ASSERT_TRUE(by_email.ok());
  EXPECT_TRUE(by_email->Matches(FieldsOf(jenny)));
  auto by_name = ParseCustomerSearch(R"(name~"ros")");
  ASSERT_TRUE(by_name.ok());
  EXPECT_TRUE(by_name->Matches(FieldsOf(jenny)));
  auto by_metadata = ParseCustomerSearch(R"(metadata["tier"]:"gold" AND phone:"+14155550101")");
  ASSERT_TRUE(by_metadata.ok());
  EXPECT_TRUE(by_metadata->Matches(FieldsOf(jenny)));
  auto miss = ParseCustomerSearch(R"(metadata["tier"]:"silver" OR name:"nobody")");
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->Matches(FieldsOf(jenny)));
}

TEST(CustomerSearchTest, EscapedQuotesStayInsideTheValue) {
  const CustomerRecord jenny = Jenny();
  auto search = ParseCustomerSearch(R"(name:"x\" OR email:\"Jenny@Example.com")");
  ASSERT_TRUE(search.ok());
  ASSERT_EQ(search->clauses.size(), 1u);
  EXPECT_FALSE(search->Matches(FieldsOf(jenny)));
}

TEST(CustomerSearchTest, RejectsWhatStripeRejects) {
  for (const char* query :
       {"", "email", R"(email:jenny)", R"(email:"open)", R"(age:"3")", R"(name~"ab")",
        R"(name:"a" AND name:"b" OR name:"c")", R"(name:"a" name:"b")", R"(metadata["k":"v")"}) {
    EXPECT_FALSE(ParseCustomerSearch(query).ok()) << query;
  }
}

TEST(SearchTest, NumericComparisons) {
  auto search =
      ParseSearch("amount>=4900 AND status:\"succeeded\"", "charges", {"amount", "status"});
  ASSERT_TRUE(search.ok()) << search.status();
  auto charge = [](std::string amount) {
    return [amount](const SearchClause& clause) -> std::optional<std::string> {
      if (clause.field == "amount") return amount;
      if (clause.field == "status") return std::string("succeeded");
      return std::nullopt;
    };
  };
  EXPECT_TRUE(search->Matches(charge("4900")));
  EXPECT_FALSE(search->Matches(charge("4899")));
  EXPECT_FALSE(ParseSearch("amount>\"1\"", "charges", {"amount"}).ok());
  EXPECT_FALSE(ParseSearch("amount>", "charges", {"amount"}).ok());
}

}  // namespace
}  // namespace payvox::sandbox
