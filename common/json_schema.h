// json_schema.h: the subset of JSON Schema the action catalog uses, to check
// the catalog's own schemas and the arguments an LLM sends to Execute.
//
//   PAYVOX_RETURN_IF_ERROR(CheckSchema(spec.parameters_schema));        // well formed?
//   PAYVOX_RETURN_IF_ERROR(ValidateArguments(spec.parameters_schema, arguments_json));
//
// Supported keywords: type (object, string, integer, number, boolean, array),
// description, properties, required, additionalProperties (false, or a
// schema every other value must match: a map such as metadata, whose keys
// are at most 40 characters), maxProperties, items, minItems, maxItems, enum
// (of strings), minLength, maxLength, minimum, maximum. A schema
// using anything else is refused by CheckSchema, so the catalog never
// promises a rule that is not enforced. Every property needs a description
// (it is what the LLM reads).
//
// Errors are INVALID_ARGUMENT naming the argument's path ("amount_minor must
// be an integer"), never echoing its value.
#ifndef PAYVOX_COMMON_JSON_SCHEMA_H_
#define PAYVOX_COMMON_JSON_SCHEMA_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace payvox {

// CheckSchema returns OK when `schema_json` is an object schema within the
// subset above, else INVALID_ARGUMENT naming what is wrong.
absl::Status CheckSchema(absl::string_view schema_json);

// ValidateArguments checks `arguments_json` (at most 64 KiB, nested at most
// 16 deep) against a schema CheckSchema accepted.
absl::Status ValidateArguments(absl::string_view schema_json, absl::string_view arguments_json);

}  // namespace payvox

#endif  // PAYVOX_COMMON_JSON_SCHEMA_H_
