// Fuzzes the catalog's argument validation (Execute's arguments_json comes
// from an LLM) and the schema checker with arbitrary bytes as a schema.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/json_schema.h"

namespace {

constexpr char kSchema[] = R"({
  "type": "object",
  "properties": {
    "charge_id": {"type": "string", "description": "c", "minLength": 5, "maxLength": 255},
    "amount_minor": {"type": "integer", "description": "a", "minimum": 0, "maximum": 99999999},
    "rate": {"type": "number", "description": "r", "minimum": 0.5},
    "reason": {"type": "string", "description": "r", "enum": ["duplicate", "fraudulent"]},
    "notify": {"type": "boolean", "description": "n"},
    "lines": {"type": "array", "description": "l", "items": {
      "type": "object", "description": "line",
      "properties": {"price": {"type": "string", "description": "p"}},
      "required": ["price"], "additionalProperties": false}}
  },
  "required": ["charge_id"],
  "additionalProperties": false
})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)payvox::ValidateArguments(kSchema, text);
  if (payvox::CheckSchema(text).ok()) (void)payvox::ValidateArguments(text, R"({"a": 1})");
  return 0;
}
