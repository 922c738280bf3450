#include "sandbox/search.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace payvox::sandbox {
namespace {

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid search query: ", why));
}

// ReadQuoted consumes a "..." value from the front of `rest`.
absl::StatusOr<std::string> ReadQuoted(absl::string_view& rest) {
  if (!absl::ConsumePrefix(&rest, "\"")) return Bad("values must be in double quotes");
  std::string value;
  while (!rest.empty()) {
    const char c = rest.front();
    rest.remove_prefix(1);
    if (c == '"') return value;
    if (c == '\\') {
      if (rest.empty()) break;
      value.push_back(rest.front());
      rest.remove_prefix(1);
      continue;
    }
    value.push_back(c);
  }
  return Bad("a quoted value is not closed");
}

bool FieldMatches(const SearchClause& clause, absl::string_view actual) {
  if (clause.op == '~') {
    return absl::StrContains(absl::AsciiStrToLower(actual), absl::AsciiStrToLower(clause.value));
  }
  return absl::EqualsIgnoreCase(actual, clause.value);
}

}  // namespace

bool CustomerSearch::Matches(const CustomerRecord& customer) const {
  for (const SearchClause& clause : clauses) {
    absl::string_view actual;
    if (clause.field == "email") actual = customer.email;
    if (clause.field == "name") actual = customer.name;
    if (clause.field == "phone") actual = customer.phone;
    if (clause.field == "description") actual = customer.description;
    if (clause.field == "metadata") {
      auto it = customer.metadata.find(clause.metadata_key);
      actual = it == customer.metadata.end() ? absl::string_view() : absl::string_view(it->second);
    }
    const bool hit = !actual.empty() && FieldMatches(clause, actual);
    if (any && hit) return true;
    if (!any && !hit) return false;
  }
  return !any;
}

absl::StatusOr<CustomerSearch> ParseCustomerSearch(absl::string_view query) {
  CustomerSearch search;
  absl::string_view rest = absl::StripAsciiWhitespace(query);
  if (rest.empty()) return Bad("the query is empty");
  bool saw_and = false;
  bool saw_or = false;
  while (true) {
    SearchClause clause;
    if (absl::ConsumePrefix(&rest, "metadata[")) {
      absl::StatusOr<std::string> key = ReadQuoted(rest);
      if (!key.ok()) return key.status();
      if (!absl::ConsumePrefix(&rest, "]")) return Bad("metadata[\"key\"] is not closed");
      clause.field = "metadata";
      clause.metadata_key = *std::move(key);
    } else {
      size_t end = 0;
      while (end < rest.size() &&
             (absl::ascii_isalpha(static_cast<unsigned char>(rest[end])) || rest[end] == '_')) {
        ++end;
      }
      clause.field = std::string(rest.substr(0, end));
      rest.remove_prefix(end);
      if (clause.field != "email" && clause.field != "name" && clause.field != "phone" &&
          clause.field != "description") {
        return Bad(absl::StrCat("field '", clause.field, "' is not supported for customers"));
      }
    }
    if (absl::ConsumePrefix(&rest, ":")) {
      clause.op = ':';
    } else if (absl::ConsumePrefix(&rest, "~")) {
      clause.op = '~';
    } else {
      return Bad("expected ':' or '~' after a field");
    }
    absl::StatusOr<std::string> value = ReadQuoted(rest);
    if (!value.ok()) return value.status();
    clause.value = *std::move(value);
    if (clause.op == '~' && clause.value.size() < 3) {
      return Bad("substring matches need at least 3 characters");
    }
    search.clauses.push_back(std::move(clause));

    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (rest.empty()) break;
    if (absl::ConsumePrefix(&rest, "AND ")) {
      saw_and = true;
    } else if (absl::ConsumePrefix(&rest, "OR ")) {
      saw_or = true;
    } else {
      return Bad("clauses must be joined by AND or OR");
    }
    if (saw_and && saw_or) return Bad("AND and OR cannot be mixed in one query");
    rest = absl::StripLeadingAsciiWhitespace(rest);
  }
  search.any = saw_or;
  return search;
}

}  // namespace payvox::sandbox
