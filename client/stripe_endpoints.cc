#include "client/stripe_endpoints.h"

#include <simdjson.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/search_query.h"
#include "client/stripe_api.h"
#include "common/status_macros.h"

namespace payvox::stripe {
namespace {

namespace dom = simdjson::dom;

absl::string_view Sv(std::string_view text) { return {text.data(), text.size()}; }

// AddParams writes `value` under `name` in bracket notation.
void AddParams(FormParams& params, const std::string& name, dom::element value) {
  switch (value.type()) {
    case dom::element_type::OBJECT:
      for (const dom::key_value_pair field : dom::object(value)) {
        AddParams(params, absl::StrCat(name, "[", Sv(field.key), "]"), field.value);
      }
      return;
    case dom::element_type::ARRAY: {
      size_t index = 0;
      for (const dom::element item : dom::array(value)) {
        AddParams(params, absl::StrCat(name, "[", index++, "]"), item);
      }
      return;
    }
    case dom::element_type::STRING:
      params.Add(name, std::string(std::string_view(value)));
      return;
    case dom::element_type::INT64:
      params.Add(name, absl::StrCat(int64_t(value)));
      return;
    case dom::element_type::UINT64:
      params.Add(name, absl::StrCat(uint64_t(value)));
      return;
    case dom::element_type::DOUBLE:
      params.Add(name, absl::StrCat(double(value)));
      return;
    case dom::element_type::BOOL:
      params.Add(name, bool(value) ? "true" : "false");
      return;
    case dom::element_type::NULL_VALUE:
      return;  // an absent argument
  }
}

// AddClause turns one argument into a search clause: strings compare
// equal, *_contains strings match a substring, *_over / created_after are
// lower bounds, *_under / created_before
// upper bounds, metadata entries compare equal.
absl::Status AddClause(SearchQuery& query, std::string_view name, dom::element value) {
  if (value.is_null()) return absl::OkStatus();
  if (name == "metadata") {
    for (const dom::key_value_pair field : dom::object(value)) {
      query.MetadataEquals(Sv(field.key), Sv(std::string_view(field.value)));
    }
    return absl::OkStatus();
  }
  if (value.is_string() && name.ends_with("_contains")) {
    query.Contains(Sv(name.substr(0, name.size() - 9)), Sv(std::string_view(value)));
    return absl::OkStatus();
  }
  if (value.is_string()) {
    query.Equals(Sv(name), Sv(std::string_view(value)));
    return absl::OkStatus();
  }
  const int64_t number = int64_t(value);
  if (name == "created_after") {
    query.Above("created", number);
  } else if (name == "created_before") {
    query.Below("created", number);
  } else if (name.ends_with("_over")) {
    query.Above(Sv(name.substr(0, name.size() - 5)), number);
  } else if (name.ends_with("_under")) {
    query.Below(Sv(name.substr(0, name.size() - 6)), number);
  } else {
    return absl::InternalError(
        absl::StrCat("the catalog's search argument ", Sv(name), " has no clause"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EndpointCall> BuildEndpointCall(const Endpoint& endpoint,
                                               std::string_view arguments_json) {
  dom::parser parser;
  dom::object arguments;
  const std::string json = arguments_json.empty() ? std::string("{}") : std::string(arguments_json);
  if (parser.parse(json).get_object().get(arguments) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the arguments must be a JSON object");
  }
  EndpointCall call;
  call.method = endpoint.method;
  // The path, with each {name:prefix,prefix} replaced by its checked id.
  std::vector<std::string_view> path_arguments;
  std::string_view rest = endpoint.path;
  while (!rest.empty()) {
    const size_t open = rest.find('{');
    call.path.append(rest.substr(0, open));
    if (open == std::string_view::npos) break;
    const size_t close = rest.find('}', open);
    const std::string_view placeholder = rest.substr(open + 1, close - open - 1);
    const std::string_view name = placeholder.substr(0, placeholder.find(':'));
    const std::vector<absl::string_view> prefixes =
        absl::StrSplit(Sv(placeholder.substr(placeholder.find(':') + 1)), ',');
    std::string_view id;
    if (arguments[name].get_string().get(id) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat(Sv(name), " is required"));
    }
    bool prefixed = false;
    for (const absl::string_view prefix : prefixes) prefixed |= absl::StartsWith(Sv(id), prefix);
    const absl::Status valid = ValidateStripeId(Sv(name), Sv(id), {""});
    if (!valid.ok() || !prefixed) {
      return absl::InvalidArgumentError(absl::StrCat(
          Sv(name), " must be a Stripe id", prefixes.front().empty() ? "" : " starting with ",
          absl::StrJoin(prefixes, " or "), " (letters, digits and _ only)"));
    }
    call.path.append(id);
    call.last_id = std::string(id);
    if (call.object_path.empty()) call.object_path = call.path;
    path_arguments.push_back(name);
    rest.remove_prefix(close + 1);
  }
  auto in_path = [&](std::string_view name) {
    return std::find(path_arguments.begin(), path_arguments.end(), name) != path_arguments.end();
  };
  if (absl::EndsWith(call.path, "/search")) {
    SearchQuery query;
    for (const dom::key_value_pair field : arguments) {
      if (field.key == "limit") {
        AddParams(call.params, "limit", field.value);
        continue;
      }
      PAYVOX_RETURN_IF_ERROR(AddClause(query, field.key, field.value));
    }
    if (query.empty()) {
      return absl::InvalidArgumentError("a search needs at least one filter to search by");
    }
    call.params.Add("query", query.str());
    return call;
  }
  for (const dom::key_value_pair field : arguments) {
    if (!in_path(field.key)) AddParams(call.params, std::string(field.key), field.value);
  }
  return call;
}

}  // namespace payvox::stripe
