// wire.h: pieces of Stripe's wire format shared by the emulator's
// resource handlers (sandbox/emulator*.cc): error bodies, parameter checks,
// list envelopes.
#ifndef PAYVOX_SANDBOX_WIRE_H_
#define PAYVOX_SANDBOX_WIRE_H_

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/form_codec.h"
#include "common/json_writer.h"
#include "sandbox/emulator.h"
#include "sandbox/search.h"

namespace payvox::sandbox {

inline EmulatorResponse Json(int status, std::string body) {
  return EmulatorResponse{status, std::move(body), {}};
}

inline EmulatorResponse Error(int status, absl::string_view type, absl::string_view message,
                              absl::string_view code = "", absl::string_view param = "") {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  if (!code.empty()) json.Field("code", code);
  json.Field("message", message);
  if (!param.empty()) json.Field("param", param);
  json.Field("type", type).EndObject().EndObject();
  return Json(status, json.Take());
}

inline EmulatorResponse InvalidRequest(absl::string_view message, absl::string_view code = "",
                                       absl::string_view param = "") {
  return Error(400, "invalid_request_error", message, code, param);
}

inline EmulatorResponse NoSuch(absl::string_view object, absl::string_view id,
                               absl::string_view param) {
  return Error(404, "invalid_request_error", absl::StrCat("No such ", object, ": '", id, "'"),
               "resource_missing", param);
}

// UnknownParam names the first parameter not in `allowed` (metadata[...] and
// expand[] are allowed where `metadata` is true / always).
inline std::optional<std::string> UnknownParam(const FormParams& params,
                                               std::initializer_list<absl::string_view> allowed,
                                               bool metadata = false) {
  for (const auto& [name, value] : params.entries()) {
    if (name == "expand[]" || (metadata && absl::StartsWith(name, "metadata["))) continue;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return name;
  }
  return std::nullopt;
}

inline EmulatorResponse UnknownParamError(const std::string& name) {
  return InvalidRequest(absl::StrCat("Received unknown parameter: ", name), "parameter_unknown",
                        name);
}

inline Metadata ReadMetadata(const FormParams& params) {
  Metadata metadata;
  for (auto& [name, value] : params.WithPrefix("metadata[")) {
    if (!absl::EndsWith(name, "]")) continue;
    metadata[name.substr(9, name.size() - 10)] = value;
  }
  return metadata;
}

// ParseLimit reads `limit` (default 10, 1 to 100).
inline std::optional<EmulatorResponse> ParseLimit(const FormParams& params, int& limit) {
  limit = 10;
  if (auto text = params.Find("limit")) {
    if (!absl::SimpleAtoi(*text, &limit) || limit < 1 || limit > 100) {
      return InvalidRequest("Invalid limit: must be an integer between 1 and 100",
                            "parameter_invalid_integer", "limit");
    }
  }
  return std::nullopt;
}

// ListEnvelope writes one page of `newest_first` after `starting_after`,
// each record written by `to_json`.
template <typename Record, typename ToJsonFn>
EmulatorResponse ListEnvelope(absl::string_view url, absl::string_view object_name,
                              const std::vector<const Record*>& newest_first,
                              const FormParams& params, ToJsonFn&& to_json) {
  int limit = 10;
  if (auto error = ParseLimit(params, limit)) return *error;
  size_t begin = 0;
  if (auto after = params.Find("starting_after")) {
    auto it = std::find_if(newest_first.begin(), newest_first.end(),
                           [&](const Record* record) { return record->id == *after; });
    if (it == newest_first.end()) return NoSuch(object_name, *after, "starting_after");
    begin = static_cast<size_t>(it - newest_first.begin()) + 1;
  }
  const size_t end = std::min(newest_first.size(), begin + static_cast<size_t>(limit));
  JsonWriter json;
  json.BeginObject().Field("object", "list").Key("data").BeginArray();
  for (size_t i = begin; i < end; ++i) json.Raw(to_json(*newest_first[i]));
  json.EndArray().Field("has_more", end < newest_first.size()).Field("url", url).EndObject();
  return Json(200, json.Take());
}

template <typename Record>
EmulatorResponse ListEnvelope(absl::string_view url, absl::string_view object_name,
                              const std::vector<const Record*>& newest_first,
                              const FormParams& params) {
  return ListEnvelope(url, object_name, newest_first, params,
                      [](const Record& record) { return ToJson(record); });
}

// SearchEnvelope writes the first page of a search_result.
template <typename Record, typename ToJsonFn>
EmulatorResponse SearchEnvelope(absl::string_view url, const std::vector<const Record*>& matches,
                                const FormParams& params, ToJsonFn&& to_json) {
  int limit = 10;
  if (auto error = ParseLimit(params, limit)) return *error;
  JsonWriter json;
  json.BeginObject().Field("object", "search_result").Key("data").BeginArray();
  const size_t end = std::min(matches.size(), static_cast<size_t>(limit));
  for (size_t i = 0; i < end; ++i) json.Raw(to_json(*matches[i]));
  json.EndArray()
      .Field("has_more", end < matches.size())
      .Key("next_page")
      .Null()
      .Field("url", url)
      .EndObject();
  return Json(200, json.Take());
}

inline EmulatorResponse MissingParam(absl::string_view name);

// SearchRecords answers GET /v1/<resource>/search over `records` (oldest
// first): the query may use `fields` (and metadata), `fields_of` reads a
// record's fields, records `hidden` rejects are never found, and `to_json`
// writes a match.
template <typename Record, typename FieldsOfFn, typename HiddenFn, typename ToJsonFn>
EmulatorResponse SearchRecords(const FormParams& params, absl::string_view resource,
                               std::initializer_list<absl::string_view> fields,
                               const std::vector<Record>& records, FieldsOfFn fields_of,
                               HiddenFn hidden, ToJsonFn to_json) {
  if (auto unknown = UnknownParam(params, {"query", "limit", "page"})) {
    return UnknownParamError(*unknown);
  }
  const auto query = params.Find("query");
  if (!query) return MissingParam("query");
  absl::StatusOr<Search> search = ParseSearch(*query, resource, fields);
  if (!search.ok()) return InvalidRequest(search.status().message(), "", "query");
  std::vector<const Record*> matches;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (!hidden(*it) && search->Matches(fields_of(*it))) matches.push_back(&*it);
  }
  std::string url = absl::StrCat("/v1/", resource, "/search");
  std::replace(url.begin(), url.end(), ' ', '_');
  return SearchEnvelope(url, matches, params, to_json);
}

template <typename Record, typename FieldsOfFn, typename HiddenFn>
EmulatorResponse SearchRecords(const FormParams& params, absl::string_view resource,
                               std::initializer_list<absl::string_view> fields,
                               const std::vector<Record>& records, FieldsOfFn fields_of,
                               HiddenFn hidden) {
  return SearchRecords(params, resource, fields, records, fields_of, hidden,
                       [](const Record& record) { return ToJson(record); });
}

template <typename Record>
Record* FindMutable(std::vector<Record>& records, absl::string_view id) {
  for (Record& record : records) {
    if (record.id == id) return &record;
  }
  return nullptr;
}

// StripeCurrency: one of the (lower-case) currencies the sandbox settles,
// a common subset of Stripe's; anything else is refused as Stripe refuses
// an unknown currency.
inline bool StripeCurrency(absl::string_view currency) {
  static constexpr absl::string_view kCurrencies[] = {
      "aed", "aud", "bgn", "bhd", "brl", "cad", "chf", "cny", "czk", "dkk", "eur", "gbp", "hkd",
      "huf", "idr", "ils", "inr", "jod", "jpy", "krw", "kwd", "mxn", "myr", "nok", "nzd", "omr",
      "php", "pln", "ron", "sar", "sek", "sgd", "thb", "tnd", "try", "twd", "usd", "vnd", "zar"};
  return std::find(std::begin(kCurrencies), std::end(kCurrencies), currency) !=
         std::end(kCurrencies);
}

inline EmulatorResponse MissingParam(absl::string_view name) {
  return InvalidRequest(absl::StrCat("Missing required param: ", name, "."), "parameter_missing",
                        name);
}

// ParseInt reads an optional integer parameter into `out`; an error answer
// when it is not an integer or outside [min, max].
inline std::optional<EmulatorResponse> ParseInt(const FormParams& params, absl::string_view name,
                                                int64_t min, int64_t max, int64_t& out) {
  auto text = params.Find(name);
  if (!text) return std::nullopt;
  if (!absl::SimpleAtoi(*text, &out)) {
    return InvalidRequest(absl::StrCat("Invalid integer: ", *text), "parameter_invalid_integer",
                          name);
  }
  if (out < min || out > max) {
    return InvalidRequest(absl::StrCat("Invalid ", name, ": must be between ", min, " and ", max),
                          "parameter_invalid_integer", name);
  }
  return std::nullopt;
}

// ParseBool reads an optional "true"/"false" parameter.
inline std::optional<EmulatorResponse> ParseBool(const FormParams& params, absl::string_view name,
                                                 bool& out) {
  auto text = params.Find(name);
  if (!text) return std::nullopt;
  if (*text != "true" && *text != "false") {
    return InvalidRequest(absl::StrCat("Invalid boolean: ", *text), "", name);
  }
  out = *text == "true";
  return std::nullopt;
}

// OneOf: an error answer unless the parameter, when present, is in `values`.
inline std::optional<EmulatorResponse> OneOf(const FormParams& params, absl::string_view name,
                                             std::initializer_list<absl::string_view> values) {
  auto text = params.Find(name);
  if (!text || std::find(values.begin(), values.end(), *text) != values.end()) return std::nullopt;
  std::string allowed;
  for (absl::string_view value : values)
    absl::StrAppend(&allowed, allowed.empty() ? "" : ", ", value);
  return InvalidRequest(absl::StrCat("Invalid ", name, ": must be one of ", allowed), "", name);
}

template <typename Record>
const Record* FindById(const std::vector<Record>& records, absl::string_view id) {
  for (const Record& record : records) {
    if (record.id == id) return &record;
  }
  return nullptr;
}
}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_WIRE_H_
