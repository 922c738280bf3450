#include "client/decoding.h"

#include "absl/strings/str_cat.h"

namespace payvox::stripe::decoding {

absl::Status Fail(const Site& site, absl::string_view what) {
  return absl::InternalError(absl::StrCat("Stripe sent a ", site.object, " payvox cannot read: ",
                                          site.field.empty() ? "the body" : "field \"",
                                          absl::string_view(site.field.data(), site.field.size()),
                                          site.field.empty() ? "" : "\"", " ", what));
}

absl::Status Fail(const Site& site, simdjson::error_code error) {
  return Fail(site, absl::StrCat("(", simdjson::error_message(error), ")"));
}

absl::Status MissingField(absl::string_view object, absl::string_view field) {
  return absl::InternalError(absl::StrCat("Stripe sent a ", object, " payvox cannot read: field \"",
                                          field, "\" is missing"));
}

absl::Status ReadDouble(od::value& value, const Site& site, double& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out = 0;
    return absl::OkStatus();
  }
  if (type != od::json_type::number) return Fail(site, "is not a number");
  if (auto error = value.get_double().get(out)) return Fail(site, error);
  return absl::OkStatus();
}

absl::Status ReadStringArray(od::value& value, const Site& site, std::vector<std::string>& out) {
  return ForEachElement(
      value, site, [&](od::value& item) { return ReadString(item, site, out.emplace_back()); });
}

absl::Status ReadMetadata(od::value& value, const Site& site,
                          std::vector<std::pair<std::string, std::string>>& out) {
  return ReadObject(value, site, out, [&](od::object& object, auto& entries) {
    return ForEachField(object, site.object, [&](std::string_view key, od::value& item) {
      entries.emplace_back(std::string(key), std::string());
      return ReadString(item, site, entries.back().second);
    });
  });
}

absl::Status ReadRawObject(od::value& value, const Site& site, std::string& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::object) return Fail(site, "is not an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return Fail(site, error);
  std::string_view raw;
  if (auto error = object.raw_json().get(raw)) return Fail(site, error);
  out.assign(raw.data(), raw.size());
  return absl::OkStatus();
}

absl::Status ParseRoot(const std::string& body, absl::string_view name,
                       simdjson::padded_string& copy, od::document& document) {
  thread_local od::parser parser;
  simdjson::padded_string_view input(body);
  if (body.capacity() - body.size() < simdjson::SIMDJSON_PADDING) {
    copy = simdjson::padded_string(body);
    input = copy;
  }
  if (auto error = parser.iterate(input).get(document)) return Fail({name, {}}, error);
  return absl::OkStatus();
}

absl::Status CheckFullyConsumed(od::document& document, absl::string_view name) {
  // Anything left after the root object means the body was not one JSON value.
  const char* trailing = nullptr;
  if (document.current_location().get(trailing) == simdjson::SUCCESS) {
    return Fail({name, {}}, "has bytes after the JSON value");
  }
  return absl::OkStatus();
}

}  // namespace payvox::stripe::decoding
