#include "client/search_query.h"

#include "absl/strings/str_cat.h"

namespace payvox::stripe {

std::string QuoteSearchValue(absl::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void SearchQuery::AddClause(std::string clause) {
  if (!query_.empty()) query_ += " AND ";
  query_ += clause;
}

SearchQuery& SearchQuery::Equals(absl::string_view field, absl::string_view value) {
  AddClause(absl::StrCat(field, ":", QuoteSearchValue(value)));
  return *this;
}

SearchQuery& SearchQuery::Contains(absl::string_view field, absl::string_view value) {
  AddClause(absl::StrCat(field, "~", QuoteSearchValue(value)));
  return *this;
}

SearchQuery& SearchQuery::Above(absl::string_view field, int64_t value) {
  AddClause(absl::StrCat(field, ">", value));
  return *this;
}

SearchQuery& SearchQuery::Below(absl::string_view field, int64_t value) {
  AddClause(absl::StrCat(field, "<", value));
  return *this;
}

SearchQuery& SearchQuery::MetadataEquals(absl::string_view key, absl::string_view value) {
  AddClause(absl::StrCat("metadata[", QuoteSearchValue(key), "]:", QuoteSearchValue(value)));
  return *this;
}

}  // namespace payvox::stripe
