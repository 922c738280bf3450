// search.h: the subset of Stripe's search query language the sandbox
// understands.
//
//   email:"jenny@example.com"   exact match (case-insensitive)
//   name~"jen"                  substring, at least 3 characters
//   amount>1000, created<=1700000000   numeric comparison (also = via ':')
//   metadata["k"]:"v"           metadata value
//   clauses joined by AND, or by OR (not both, as in Stripe)
//
// Values are double-quoted with '\' escaping '"' and '\'; numbers after a
// comparison are bare digits.
#ifndef PAYVOX_SANDBOX_SEARCH_H_
#define PAYVOX_SANDBOX_SEARCH_H_

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/objects.h"

namespace payvox::sandbox {

struct SearchClause {
  // A field of the resource, or "metadata".
  std::string field;
  // For metadata clauses.
  std::string metadata_key;
  // ":" exact, "~" substring, ">", "<", ">=", "<=" numeric.
  std::string op = ":";
  std::string value;
};

// FieldOf answers a clause's field for one object: its text (numbers as
// decimal digits), or nullopt when the object has no such value.
using FieldOf = std::function<std::optional<std::string>(const SearchClause&)>;

struct Search {
  std::vector<SearchClause> clauses;
  bool any = false;  // joined by OR

  bool Matches(const FieldOf& field_of) const;
};

// ParseSearch accepts `fields` (plus metadata) and returns INVALID_ARGUMENT
// with Stripe-like wording for queries it cannot read. `resource` names the
// resource in errors ("customers").
absl::StatusOr<Search> ParseSearch(absl::string_view query, absl::string_view resource,
                                   std::initializer_list<absl::string_view> fields);

// Customers: email, name, phone, description, metadata.
absl::StatusOr<Search> ParseCustomerSearch(absl::string_view query);
FieldOf FieldsOf(const CustomerRecord& customer);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_SEARCH_H_
