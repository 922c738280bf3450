// json_writer.h: a small streaming JSON writer (objects, arrays, strings,
// numbers) for the sandbox's Stripe objects and payvox's log lines.
//
//   JsonWriter json;
//   json.BeginObject().Field("id", "ch_1").Field("amount", 4900).EndObject();
//   json.str()  -> {"id":"ch_1","amount":4900}
//
// Commas are placed automatically. Strings are escaped; bytes >= 0x80 are
// copied as they are (callers pass UTF-8). Not thread-safe.
#ifndef PAYVOX_COMMON_JSON_WRITER_H_
#define PAYVOX_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace payvox {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Raw appends an already-encoded JSON value.
  JsonWriter& Raw(absl::string_view json);

  JsonWriter& Field(absl::string_view key, absl::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Field(absl::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(absl::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(absl::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(absl::string_view key, bool value) { return Key(key).Bool(value); }
  // NullableField writes null for an empty string, as Stripe does for unset ids.
  JsonWriter& NullableField(absl::string_view key, absl::string_view value);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_in_container_;
  bool after_key_ = false;
};

// AppendJsonString appends `value` quoted and escaped to `out`.
void AppendJsonString(std::string& out, absl::string_view value);

}  // namespace payvox

#endif  // PAYVOX_COMMON_JSON_WRITER_H_
