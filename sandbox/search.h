// search.h: the subset of Stripe's search query language the sandbox
// understands, for customers.
//
//   email:"jenny@example.com"   exact match (case-insensitive)
//   name~"jen"                  substring, at least 3 characters
//   metadata["k"]:"v"           metadata value
//   clauses joined by AND, or by OR (not both, as in Stripe)
//
// Values are double-quoted with '\' escaping '"' and '\'.
#ifndef PAYVOX_SANDBOX_SEARCH_H_
#define PAYVOX_SANDBOX_SEARCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sandbox/objects.h"

namespace payvox::sandbox {

struct SearchClause {
  // "email", "name", "phone", "description" or "metadata".
  std::string field;
  // For metadata clauses.
  std::string metadata_key;
  // ':' exact, '~' substring.
  char op = ':';
  std::string value;
};

struct CustomerSearch {
  std::vector<SearchClause> clauses;
  bool any = false;  // joined by OR

  bool Matches(const CustomerRecord& customer) const;
};

// ParseCustomerSearch returns INVALID_ARGUMENT with Stripe-like wording for
// queries it cannot read.
absl::StatusOr<CustomerSearch> ParseCustomerSearch(absl::string_view query);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_SEARCH_H_
