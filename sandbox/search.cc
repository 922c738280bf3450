#include "sandbox/search.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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

// ReadNumber consumes an optionally signed integer.
absl::StatusOr<std::string> ReadNumber(absl::string_view& rest) {
  size_t end = absl::StartsWith(rest, "-") ? 1 : 0;
  while (end < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[end]))) ++end;
  int64_t number = 0;
  if (!absl::SimpleAtoi(rest.substr(0, end), &number)) return Bad("comparisons need a number");
  rest.remove_prefix(end);
  return absl::StrCat(number);
}

bool ClauseMatches(const SearchClause& clause, absl::string_view actual) {
  if (clause.op == "~") {
    return absl::StrContains(absl::AsciiStrToLower(actual), absl::AsciiStrToLower(clause.value));
  }
  if (clause.op == ":") return absl::EqualsIgnoreCase(actual, clause.value);
  int64_t have = 0;
  int64_t want = 0;
  if (!absl::SimpleAtoi(actual, &have) || !absl::SimpleAtoi(clause.value, &want)) return false;
  if (clause.op == ">") return have > want;
  if (clause.op == "<") return have < want;
  if (clause.op == ">=") return have >= want;
  return have <= want;
}

}  // namespace

bool Search::Matches(const FieldOf& field_of) const {
  for (const SearchClause& clause : clauses) {
    const std::optional<std::string> actual = field_of(clause);
    const bool hit = actual.has_value() && !actual->empty() && ClauseMatches(clause, *actual);
    if (any && hit) return true;
    if (!any && !hit) return false;
  }
  return !any;
}

absl::StatusOr<Search> ParseSearch(absl::string_view query, absl::string_view resource,
                                   std::initializer_list<absl::string_view> fields) {
  Search search;
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
      if (std::find(fields.begin(), fields.end(), clause.field) == fields.end()) {
        return Bad(absl::StrCat("field '", clause.field, "' is not supported for ", resource));
      }
    }
    for (absl::string_view op : {">=", "<=", ">", "<", ":", "~"}) {
      if (absl::ConsumePrefix(&rest, op)) {
        clause.op = std::string(op);
        break;
      }
      clause.op.clear();
    }
    if (clause.op.empty()) return Bad("expected ':', '~', '>' or '<' after a field");
    const bool numeric = clause.op != ":" && clause.op != "~";
    const bool bare_number = clause.op == ":" && !absl::StartsWith(rest, "\"");
    absl::StatusOr<std::string> value =
        numeric || bare_number ? ReadNumber(rest) : ReadQuoted(rest);
    if (!value.ok()) return value.status();
    clause.value = *std::move(value);
    if (clause.op == "~" && clause.value.size() < 3) {
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

absl::StatusOr<Search> ParseCustomerSearch(absl::string_view query) {
  return ParseSearch(query, "customers", {"email", "name", "phone", "description"});
}

FieldOf FieldsOf(const CustomerRecord& customer) {
  return [&customer](const SearchClause& clause) -> std::optional<std::string> {
    if (clause.field == "email") return customer.email;
    if (clause.field == "name") return customer.name;
    if (clause.field == "phone") return customer.phone;
    if (clause.field == "description") return customer.description;
    if (clause.field == "metadata") {
      auto it = customer.metadata.find(clause.metadata_key);
      if (it != customer.metadata.end()) return it->second;
    }
    return std::nullopt;
  };
}

}  // namespace payvox::sandbox
