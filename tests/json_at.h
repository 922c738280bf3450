// json_at.h: reads one value of a JSON answer by JSON pointer, for tests of
// payvox's HTTP faces.
#ifndef PAYVOX_TESTS_JSON_AT_H_
#define PAYVOX_TESTS_JSON_AT_H_

#include <simdjson.h>

#include <string>

namespace payvox::testing {

// JsonAt reads the value at `pointer` ("/results/0/toolCallId") of `json`:
// a string's contents, anything else minified; "<missing>" when absent,
// "<not json>" when `json` does not parse.
inline std::string JsonAt(const std::string& json, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
  simdjson::dom::element value;
  if (root.at_pointer(pointer).get(value) != simdjson::SUCCESS) return "<missing>";
  if (value.is_string()) return std::string(std::string_view(value));
  return simdjson::minify(value);
}

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_JSON_AT_H_
