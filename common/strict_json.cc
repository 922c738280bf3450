#include "common/strict_json.h"

#include <simdjson.h>

#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

namespace dom = simdjson::dom;

// DuplicateKey is the path of the first key an object of `element` holds
// twice ("" when none).
std::string DuplicateKey(dom::element element, const std::string& path) {
  if (element.is_array()) {
    size_t index = 0;
    for (dom::element item : dom::array(element)) {
      std::string found = DuplicateKey(item, absl::StrCat(path, "[", index++, "]"));
      if (!found.empty()) return found;
    }
    return "";
  }
  if (!element.is_object()) return "";
  absl::flat_hash_set<std::string_view> keys;
  for (dom::key_value_pair field : dom::object(element)) {
    const std::string child =
        path.empty() ? std::string(field.key) : absl::StrCat(path, ".", std::string(field.key));
    if (!keys.insert(field.key).second) return child;
    std::string found = DuplicateKey(field.value, child);
    if (!found.empty()) return found;
  }
  return "";
}

}  // namespace

absl::Status CheckStrictJson(absl::string_view text, absl::string_view what) {
  dom::parser parser;
  const simdjson::padded_string padded(text.data(), text.size());
  dom::element root;
  if (const simdjson::error_code error = parser.parse(padded).get(root); error) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not strict JSON (no single quotes, trailing commas or comments): ",
                     simdjson::error_message(error)));
  }
  if (const std::string key = DuplicateKey(root, ""); !key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " gives \"", key, "\" twice: give each key once"));
  }
  return absl::OkStatus();
}

}  // namespace payvox
