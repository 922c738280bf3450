// decoding.h: the building blocks of the Stripe decoders (simdjson
// on-demand), shared by every decoder family: payments
// (stripe_decoders.cc), billing (billing_decoders.cc) and account and
// events (account_decoders.cc). Internal to client/; everything outside
// uses stripe_decoders.h.
//
// Conventions: a JSON null reads as the empty value; an unknown field is
// skipped; a field of the wrong type or a missing required field is an
// INTERNAL status naming the object and the field.
#ifndef PAYVOX_CLIENT_DECODING_H_
#define PAYVOX_CLIENT_DECODING_H_

#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/stripe_objects.h"
#include "common/status_macros.h"

namespace payvox::stripe::decoding {

namespace od = simdjson::ondemand;

// Site names where a decode failed: "charge.amount".
struct Site {
  absl::string_view object;
  std::string_view field;
};

absl::Status Fail(const Site& site, absl::string_view what);
absl::Status Fail(const Site& site, simdjson::error_code error);
absl::Status MissingField(absl::string_view object, absl::string_view field);

// The readers below are inline: they run for every field of every object.

// TypeOf reads the JSON type of `value`.
inline absl::StatusOr<od::json_type> TypeOf(od::value& value, const Site& site) {
  od::json_type type;
  if (auto error = value.type().get(type)) return Fail(site, error);
  return type;
}

// ReadString copies a string; null reads as "".
inline absl::Status ReadString(od::value& value, const Site& site, std::string& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out.clear();
    return absl::OkStatus();
  }
  if (type != od::json_type::string) return Fail(site, "is not a string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return Fail(site, error);
  out.assign(text.data(), text.size());
  return absl::OkStatus();
}

// ReadInt reads an integer; null reads as 0.
inline absl::Status ReadInt(od::value& value, const Site& site, int64_t& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out = 0;
    return absl::OkStatus();
  }
  if (type != od::json_type::number) return Fail(site, "is not a number");
  if (value.get_int64().get(out) != simdjson::SUCCESS) return Fail(site, "is not a 64-bit integer");
  return absl::OkStatus();
}
// ReadDouble reads any number; null reads as 0.
absl::Status ReadDouble(od::value& value, const Site& site, double& out);
// ReadBool reads true or false; null reads as false.
inline absl::Status ReadBool(od::value& value, const Site& site, bool& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out = false;
    return absl::OkStatus();
  }
  if (type != od::json_type::boolean) return Fail(site, "is not a boolean");
  if (auto error = value.get_bool().get(out)) return Fail(site, error);
  return absl::OkStatus();
}
// ReadStringArray reads an array of strings; null reads as empty.
absl::Status ReadStringArray(od::value& value, const Site& site, std::vector<std::string>& out);
// ReadMetadata reads a flat object of string values (Stripe's metadata).
absl::Status ReadMetadata(od::value& value, const Site& site,
                          std::vector<std::pair<std::string, std::string>>& out);
// ReadRawObject keeps an object's JSON text as sent (e.g. an event's
// data.object, decoded later by the decoder of its type).
absl::Status ReadRawObject(od::value& value, const Site& site, std::string& out);

// ForEachField calls `visit(key, value)` for every field of `object`. Values
// `visit` does not consume are skipped by simdjson.
template <typename Visit>
absl::Status ForEachField(od::object& object, absl::string_view object_name, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return Fail({object_name, {}}, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return Fail({object_name, {}}, error);
    PAYVOX_RETURN_IF_ERROR(visit(key, field.value()));
  }
  return absl::OkStatus();
}

// ReadId reads an id field that Stripe may expand into an object.
inline absl::Status ReadId(od::value& value, const Site& site, std::string& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type != od::json_type::object) return ReadString(value, site, out);
  od::object object;
  if (auto error = value.get_object().get(object)) return Fail(site, error);
  return ForEachField(object, site.object, [&](std::string_view key, od::value& inner) {
    return key == "id" ? ReadString(inner, site, out) : absl::OkStatus();
  });
}

// ReadObject runs `decode(object, out)` on a nested object; null leaves
// `out` as is.
template <typename T, typename Decode>
absl::Status ReadObject(od::value& value, const Site& site, T& out, Decode&& decode) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::object) return Fail(site, "is not an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return Fail(site, error);
  return decode(object, out);
}

// ForEachElement calls `visit(element)` for every element of an array;
// null reads as an empty array.
template <typename Visit>
absl::Status ForEachElement(od::value& value, const Site& site, Visit&& visit) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::array) return Fail(site, "is not an array");
  od::array array;
  if (auto error = value.get_array().get(array)) return Fail(site, error);
  for (auto element : array) {
    od::value item;
    if (auto error = std::move(element).get(item)) return Fail(site, error);
    PAYVOX_RETURN_IF_ERROR(visit(item));
  }
  return absl::OkStatus();
}

// ReadArray runs `decode_one(object, element)` for each object of an array.
template <typename T, typename DecodeOne>
absl::Status ReadArray(od::value& value, const Site& site, std::vector<T>& out,
                       DecodeOne&& decode_one) {
  return ForEachElement(value, site, [&](od::value& item) -> absl::Status {
    od::object object;
    if (auto error = item.get_object().get(object)) return Fail(site, error);
    return decode_one(object, out.emplace_back());
  });
}

// DecodeListObject reads a list or search_result envelope whose `data`
// holds objects read by `decode_one`; `name` is the element's object name.
template <typename T, typename DecodeOne>
absl::Status DecodeListObject(od::object& object, absl::string_view name, List<T>& list,
                              DecodeOne&& decode_one) {
  bool has_data = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "list", [&](std::string_view key, od::value& value) -> absl::Status {
        const Site site{"list", key};
        if (key == "has_more") return ReadBool(value, site, list.has_more);
        if (key == "object") {
          std::string kind;
          PAYVOX_RETURN_IF_ERROR(ReadString(value, site, kind));
          if (kind != "list" && kind != "search_result") return Fail(site, "is not a list");
          return absl::OkStatus();
        }
        if (key != "data") return absl::OkStatus();
        has_data = true;
        return ReadArray(value, {name, "data[]"}, list.data, decode_one);
      }));
  if (!has_data) return MissingField("list", "data");
  return absl::OkStatus();
}

// ParseRoot parses `body` with this thread's parser into `document`, using
// `copy` when `body` lacks simdjson's padding.
absl::Status ParseRoot(const std::string& body, absl::string_view name,
                       simdjson::padded_string& copy, od::document& document);
// CheckFullyConsumed fails when bytes follow the root JSON value.
absl::Status CheckFullyConsumed(od::document& document, absl::string_view name);

// WithRootObject parses `body` and hands its root object to `decode`;
// trailing bytes after the root are an error.
template <typename Decode>
absl::Status WithRootObject(const std::string& body, absl::string_view name, Decode&& decode) {
  simdjson::padded_string copy;
  od::document document;
  PAYVOX_RETURN_IF_ERROR(ParseRoot(body, name, copy, document));
  od::object root;
  if (auto error = document.get_object().get(root)) return Fail({name, {}}, error);
  PAYVOX_RETURN_IF_ERROR(decode(root));
  return CheckFullyConsumed(document, name);
}

template <typename T, typename DecodeOne>
absl::StatusOr<T> DecodeSingle(const std::string& body, absl::string_view name,
                               DecodeOne&& decode_one) {
  T out;
  PAYVOX_RETURN_IF_ERROR(
      WithRootObject(body, name, [&](od::object& root) { return decode_one(root, out); }));
  return out;
}

template <typename T, typename DecodeOne>
absl::StatusOr<List<T>> DecodeListOf(const std::string& body, absl::string_view name,
                                     DecodeOne&& decode_one) {
  List<T> list;
  PAYVOX_RETURN_IF_ERROR(WithRootObject(body, "list", [&](od::object& root) {
    return DecodeListObject(root, name, list, decode_one);
  }));
  return list;
}

}  // namespace payvox::stripe::decoding

#endif  // PAYVOX_CLIENT_DECODING_H_
