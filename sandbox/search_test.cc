#include "sandbox/search.h"

#include "gtest/gtest.h"

namespace payvox::sandbox {
namespace {

CustomerRecord Jenny() {
  return {"cus_1", "Jenny Rosen", "Jenny@Example.com", "+14155550101", "", 0, {{"tier", "gold"}}};
}

TEST(CustomerSearchTest, ExactSubstringAndMetadataClauses) {
  auto by_email = ParseCustomerSearch(R"(email:"jenny@example.com")");
  ASSERT_TRUE(by_email.ok());
  EXPECT_TRUE(by_email->Matches(Jenny()));
  auto by_name = ParseCustomerSearch(R"(name~"ros")");
  ASSERT_TRUE(by_name.ok());
  EXPECT_TRUE(by_name->Matches(Jenny()));
  auto by_metadata = ParseCustomerSearch(R"(metadata["tier"]:"gold" AND phone:"+14155550101")");
  ASSERT_TRUE(by_metadata.ok());
  EXPECT_TRUE(by_metadata->Matches(Jenny()));
  auto miss = ParseCustomerSearch(R"(metadata["tier"]:"silver" OR name:"nobody")");
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->Matches(Jenny()));
}

TEST(CustomerSearchTest, EscapedQuotesStayInsideTheValue) {
  auto search = ParseCustomerSearch(R"(name:"x\" OR email:\"Jenny@Example.com")");
  ASSERT_TRUE(search.ok());
  ASSERT_EQ(search->clauses.size(), 1u);
  EXPECT_FALSE(search->Matches(Jenny()));
}

TEST(CustomerSearchTest, RejectsWhatStripeRejects) {
  for (const char* query :
       {"", "email", R"(email:jenny)", R"(email:"open)", R"(age:"3")", R"(name~"ab")",
        R"(name:"a" AND name:"b" OR name:"c")", R"(name:"a" name:"b")", R"(metadata["k":"v")"}) {
    EXPECT_FALSE(ParseCustomerSearch(query).ok()) << query;
  }
}

}  // namespace
}  // namespace payvox::sandbox
