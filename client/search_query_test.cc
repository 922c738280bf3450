#include "client/search_query.h"

#include "gtest/gtest.h"

namespace payvox::stripe {
namespace {

TEST(SearchQueryTest, QuotesAndJoinsClauses) {
  EXPECT_EQ(SearchQuery().Equals("phone", "+14155550101").str(), R"(phone:"+14155550101")");
  EXPECT_EQ(SearchQuery().Equals("email", "a@b.com").MetadataEquals("order", "12").str(),
            R"(email:"a@b.com" AND metadata["order"]:"12")");
}

TEST(SearchQueryTest, CallerTextCannotEscapeItsQuotes) {
  EXPECT_EQ(SearchQuery().Equals("name", R"(x" OR email:"victim@example.com)").str(),
            R"(name:"x\" OR email:\"victim@example.com")");
  EXPECT_EQ(QuoteSearchValue(R"(back\slash")"), R"("back\\slash\"")");
}

}  // namespace
}  // namespace payvox::stripe
