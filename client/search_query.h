// search_query.h: Stripe Search queries built from typed clauses.
//
// Values are always quoted and escaped, so no caller text can change a
// query's meaning:
//
//   SearchQuery().Equals("phone", "+14155550101").Equals("name", R"(Ann "x" OR 1)")
//     .str()  -> phone:"+14155550101" AND name:"Ann \"x\" OR 1"
#ifndef PAYVOX_CLIENT_SEARCH_QUERY_H_
#define PAYVOX_CLIENT_SEARCH_QUERY_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace payvox::stripe {

class SearchQuery {
 public:
  // Equals adds `field:"value"`. `field` must be a payvox constant (email,
  // phone, name, status...), never caller text.
  SearchQuery& Equals(absl::string_view field, absl::string_view value);
  // Contains adds `field~"value"` (a substring match, 3 characters or more).
  SearchQuery& Contains(absl::string_view field, absl::string_view value);
  // Above adds `field>value`, Below `field<value`: numbers only, so nothing
  // but digits reaches the query.
  SearchQuery& Above(absl::string_view field, int64_t value);
  SearchQuery& Below(absl::string_view field, int64_t value);
  // MetadataEquals adds `metadata["key"]:"value"`.
  SearchQuery& MetadataEquals(absl::string_view key, absl::string_view value);

  const std::string& str() const { return query_; }
  bool empty() const { return query_.empty(); }

 private:
  void AddClause(std::string clause);
  std::string query_;
};

// QuoteSearchValue returns `value` in double quotes with '"' and '\' escaped.
std::string QuoteSearchValue(absl::string_view value);

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_SEARCH_QUERY_H_
