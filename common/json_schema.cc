#include "common/json_schema.h"

#include <simdjson.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

namespace dom = simdjson::dom;

constexpr size_t kMaxArgumentsBytes = 64 * 1024;
constexpr int kMaxDepth = 16;

// Sv: simdjson speaks std::string_view, Debian's Abseil its own.
absl::string_view Sv(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Invalid(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.empty() ? "the arguments" : path, " ", problem));
}

std::string Child(absl::string_view path, absl::string_view name) {
  return path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
}

bool IsKnownType(std::string_view type) {
  return type == "object" || type == "string" || type == "integer" || type == "number" ||
         type == "boolean" || type == "array";
}

// CheckNode checks one (sub)schema; `path` names it for errors.
absl::Status CheckNode(dom::element node, const std::string& path, int depth) {
  if (depth > kMaxDepth) return Invalid(path, "nests too deep");
  dom::object schema;
  if (node.get_object().get(schema) != simdjson::SUCCESS) {
    return Invalid(path, "schema is not an object");
  }
  std::string_view type;
  if (schema["type"].get_string().get(type) != simdjson::SUCCESS || !IsKnownType(type)) {
    return Invalid(path, "schema needs a type: object, string, integer, number, boolean or array");
  }
  for (const dom::key_value_pair field : schema) {
    const std::string_view key = field.key;
    if (key == "type" || key == "description") continue;
    if (type == "object" && (key == "properties" || key == "required")) continue;
    if (type == "object" && key == "additionalProperties") {
      bool allowed = true;
      if (field.value.is_object()) {
        PAYVOX_RETURN_IF_ERROR(CheckNode(field.value, Child(path, "*"), depth + 1));
      } else if (field.value.get_bool().get(allowed) != simdjson::SUCCESS || allowed) {
        return Invalid(path, "schema may set additionalProperties to false or a schema only");
      }
      continue;
    }
    if (type == "object" && key == "maxProperties") continue;
    if (type == "array" && (key == "items" || key == "minItems" || key == "maxItems")) continue;
    if (type == "string" && (key == "enum" || key == "minLength" || key == "maxLength")) continue;
    if ((type == "integer" || type == "number") && (key == "minimum" || key == "maximum")) {
      continue;
    }
    return Invalid(path,
                   absl::StrCat("schema uses \"", Sv(key), "\", which payvox does not enforce"));
  }
  if (type == "object") {
    dom::object properties;
    if (schema["properties"].get_object().get(properties) != simdjson::SUCCESS) {
      return Invalid(path, "object schema needs properties");
    }
    for (const dom::key_value_pair property : properties) {
      const std::string child = Child(path, Sv(property.key));
      std::string_view description;
      if (property.value["description"].get_string().get(description) != simdjson::SUCCESS ||
          description.empty()) {
        return Invalid(child, "schema needs a description");
      }
      PAYVOX_RETURN_IF_ERROR(CheckNode(property.value, child, depth + 1));
    }
    dom::array required;
    if (schema["required"].get_array().get(required) == simdjson::SUCCESS) {
      for (const dom::element name : required) {
        std::string_view text;
        dom::element ignored;
        if (name.get_string().get(text) != simdjson::SUCCESS ||
            properties[text].get(ignored) != simdjson::SUCCESS) {
          return Invalid(path, "schema requires a property it does not define");
        }
      }
    }
  }
  if (type == "array") {
    dom::element items;
    if (schema["items"].get(items) != simdjson::SUCCESS) {
      return Invalid(path, "array schema needs items");
    }
    PAYVOX_RETURN_IF_ERROR(CheckNode(items, Child(path, "[]"), depth + 1));
  }
  if (type == "string") {
    dom::array values;
    if (schema["enum"].get_array().get(values) == simdjson::SUCCESS) {
      for (const dom::element value : values) {
        if (!value.is_string()) return Invalid(path, "schema's enum must list strings");
      }
    }
  }
  for (const char* bound : {"minLength", "maxLength", "minItems", "maxItems", "maxProperties"}) {
    dom::element limit;
    if (schema[bound].get(limit) == simdjson::SUCCESS && !limit.is_uint64()) {
      return Invalid(path, absl::StrCat("schema's ", bound, " must be a non-negative integer"));
    }
  }
  for (const char* bound : {"minimum", "maximum"}) {
    dom::element limit;
    if (schema[bound].get(limit) == simdjson::SUCCESS && !limit.is_number()) {
      return Invalid(path, absl::StrCat("schema's ", bound, " must be a number"));
    }
  }
  return absl::OkStatus();
}

// ValidateNode checks `value` against a checked (sub)schema.
absl::Status ValidateNode(dom::object schema, dom::element value, const std::string& path,
                          int depth) {
  if (depth > kMaxDepth) return Invalid(path, "nest too deep");
  const std::string_view type = schema["type"].get_string().value_unsafe();
  if (type == "object") {
    dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      return Invalid(path, "must be a JSON object");
    }
    const dom::object properties = schema["properties"].get_object().value_unsafe();
    // A map (metadata) checks every value against additionalProperties.
    dom::object any_value;
    const bool map =
        schema["additionalProperties"].get_object().get(any_value) == simdjson::SUCCESS;
    uint64_t max_properties = 0;
    if (schema["maxProperties"].get_uint64().get(max_properties) == simdjson::SUCCESS &&
        object.size() > max_properties) {
      return Invalid(path, absl::StrCat("must have at most ", max_properties, " entries"));
    }
    for (const dom::key_value_pair field : object) {
      dom::object property;
      if (properties[field.key].get_object().get(property) != simdjson::SUCCESS) {
        if (!map) return Invalid(Child(path, Sv(field.key)), "is not a known argument");
        if (field.key.size() > 40) {
          return Invalid(path, "keys must be at most 40 characters");
        }
        property = any_value;
      }
      if (field.value.is_null()) continue;  // null is an absent argument
      PAYVOX_RETURN_IF_ERROR(
          ValidateNode(property, field.value, Child(path, Sv(field.key)), depth + 1));
    }
    dom::array required;
    if (schema["required"].get_array().get(required) == simdjson::SUCCESS) {
      for (const dom::element name : required) {
        const std::string_view key = name.get_string().value_unsafe();
        dom::element present;
        if (object[key].get(present) != simdjson::SUCCESS || present.is_null()) {
          return Invalid(Child(path, Sv(key)), "is required");
        }
      }
    }
    return absl::OkStatus();
  }
  if (type == "array") {
    dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      return Invalid(path, "must be a JSON array");
    }
    const dom::object items = schema["items"].get_object().value_unsafe();
    uint64_t bound = 0;
    if (schema["minItems"].get_uint64().get(bound) == simdjson::SUCCESS && array.size() < bound) {
      return Invalid(path, absl::StrCat("must hold at least ", bound, " items"));
    }
    if (schema["maxItems"].get_uint64().get(bound) == simdjson::SUCCESS && array.size() > bound) {
      return Invalid(path, absl::StrCat("must hold at most ", bound, " items"));
    }
    size_t index = 0;
    for (const dom::element item : array) {
      PAYVOX_RETURN_IF_ERROR(
          ValidateNode(items, item, absl::StrCat(path, "[", index++, "]"), depth + 1));
    }
    return absl::OkStatus();
  }
  if (type == "boolean") {
    return value.is_bool() ? absl::OkStatus() : Invalid(path, "must be true or false");
  }
  if (type == "string") {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return Invalid(path, "must be a string");
    uint64_t bound = 0;
    if (schema["minLength"].get_uint64().get(bound) == simdjson::SUCCESS && text.size() < bound) {
      return Invalid(path, absl::StrCat("must be at least ", bound, " characters"));
    }
    if (schema["maxLength"].get_uint64().get(bound) == simdjson::SUCCESS && text.size() > bound) {
      return Invalid(path, absl::StrCat("must be at most ", bound, " characters"));
    }
    dom::array values;
    if (schema["enum"].get_array().get(values) == simdjson::SUCCESS) {
      std::string allowed;
      for (const dom::element option : values) {
        const std::string_view name = option.get_string().value_unsafe();
        if (name == text) return absl::OkStatus();
        absl::StrAppend(&allowed, allowed.empty() ? "" : ", ", Sv(name));
      }
      return Invalid(path, absl::StrCat("must be one of: ", allowed));
    }
    return absl::OkStatus();
  }
  // integer or number
  double number = 0;
  if (type == "integer") {
    int64_t whole = 0;
    if (value.get_int64().get(whole) != simdjson::SUCCESS) {
      return Invalid(path, "must be an integer");
    }
    number = static_cast<double>(whole);
  } else if (value.get_double().get(number) != simdjson::SUCCESS) {
    return Invalid(path, "must be a number");
  }
  double bound = 0;
  if (schema["minimum"].get_double().get(bound) == simdjson::SUCCESS && number < bound) {
    return Invalid(path, absl::StrCat("must be at least ", bound));
  }
  if (schema["maximum"].get_double().get(bound) == simdjson::SUCCESS && number > bound) {
    return Invalid(path, absl::StrCat("must be at most ", bound));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSchema(absl::string_view schema_json) {
  dom::parser parser;
  dom::element root;
  if (parser.parse(schema_json.data(), schema_json.size()).get(root) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("schema is not valid JSON");
  }
  PAYVOX_RETURN_IF_ERROR(CheckNode(root, "", 0));
  if (root["type"].get_string().value_unsafe() != "object") {
    return absl::InvalidArgumentError("an action's schema must describe an object");
  }
  return absl::OkStatus();
}

absl::Status ValidateArguments(absl::string_view schema_json, absl::string_view arguments_json) {
  if (arguments_json.size() > kMaxArgumentsBytes) {
    return absl::InvalidArgumentError("the arguments must be at most 64 KiB of JSON");
  }
  dom::parser schema_parser;
  dom::object schema;
  if (schema_parser.parse(schema_json.data(), schema_json.size()).get_object().get(schema) !=
      simdjson::SUCCESS) {
    return absl::InternalError("an action's schema is unreadable");
  }
  dom::parser parser;
  dom::element arguments;
  const std::string text(arguments_json.empty() ? absl::string_view("{}") : arguments_json);
  if (parser.parse(text).get(arguments) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the arguments are not valid JSON");
  }
  return ValidateNode(schema, arguments, "", 0);
}

}  // namespace payvox
