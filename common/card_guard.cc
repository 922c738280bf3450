#include "common/card_guard.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/redact.h"

namespace payvox {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status CheckMessage(const Message& message, const std::string& path);

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : absl::StrCat(path, ".", name);
}

// CheckMapEntry checks entry `index` of a map: its key, then its value,
// named by its key ("metadata[note]") when the key is text.
absl::Status CheckMapEntry(const Message& entry, const std::string& field_path, int index) {
  const Reflection& reflection = *entry.GetReflection();
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const FieldDescriptor* value = entry.GetDescriptor()->map_value();
  std::string entry_path = absl::StrCat(field_path, "[", index, "]");
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    const std::string key_text = reflection.GetString(entry, key);
    if (ContainsCardNumber(key_text)) {
      return RejectCardNumbers(absl::StrCat(field_path, " key"), key_text);
    }
    entry_path = absl::StrCat(field_path, "[", RedactText(key_text), "]");
  }
  if (value->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    return RejectCardNumbers(entry_path, reflection.GetString(entry, value));
  }
  if (value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return CheckMessage(reflection.GetMessage(entry, value), entry_path);
  }
  return absl::OkStatus();
}

absl::Status CheckField(const Message& message, const FieldDescriptor& field,
                        const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  const std::string field_path = Join(path, field.name());
  const bool text = field.cpp_type() == FieldDescriptor::CPPTYPE_STRING;
  const bool nested = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (!text && !nested) return absl::OkStatus();
  if (!field.is_repeated()) {
    if (text) return RejectCardNumbers(field_path, reflection.GetString(message, &field));
    return CheckMessage(reflection.GetMessage(message, &field), field_path);
  }
  const int size = reflection.FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    absl::Status checked;
    if (field.is_map()) {
      checked = CheckMapEntry(reflection.GetRepeatedMessage(message, &field, i), field_path, i);
    } else if (text) {
      checked = RejectCardNumbers(absl::StrCat(field_path, "[", i, "]"),
                                  reflection.GetRepeatedString(message, &field, i));
    } else {
      checked = CheckMessage(reflection.GetRepeatedMessage(message, &field, i),
                             absl::StrCat(field_path, "[", i, "]"));
    }
    if (!checked.ok()) return checked;
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& message, const std::string& path) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);  // set fields only
  for (const FieldDescriptor* field : fields) {
    if (absl::Status checked = CheckField(message, *field, path); !checked.ok()) return checked;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RejectCardNumbersIn(const google::protobuf::Message& message) {
  return CheckMessage(message, "");
}

}  // namespace payvox
