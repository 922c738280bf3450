#include "actions/proto_schema.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "payvox/v1/options.pb.h"
#include "proto/descriptor_set.h"

namespace payvox {
namespace {

namespace pb = google::protobuf;

// CommentedPool: the descriptors with their source comments.
const pb::DescriptorPool& CommentedPool() {
  static const pb::DescriptorPool* const kPool = [] {
    auto* pool = new pb::DescriptorPool;
    pb::FileDescriptorSet set;
    const std::string_view bytes = v1::DescriptorSetBytes();
    if (set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      // protoc writes the files in dependency order.
      for (const pb::FileDescriptorProto& file : set.file()) pool->BuildFile(file);
    }
    return pool;
  }();
  return *kPool;
}

// CommentOf joins a leading comment's lines into one paragraph.
template <typename Descriptor>
std::string CommentOf(const Descriptor* descriptor) {
  pb::SourceLocation location;
  if (descriptor == nullptr || !descriptor->GetSourceLocation(&location)) return "";
  std::vector<std::string> words;
  for (absl::string_view line : absl::StrSplit(location.leading_comments, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) words.emplace_back(line);
  }
  return absl::StrJoin(words, " ");
}

class SchemaWriter {
 public:
  absl::Status Object(const pb::Descriptor* message, const std::string& description) {
    const pb::Descriptor* commented = CommentedPool().FindMessageTypeByName(message->full_name());
    if (commented == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(message->full_name(), " is not in the built-in descriptor set"));
    }
    json_.BeginObject().Field("type", "object");
    if (!description.empty()) json_.Field("description", description);
    json_.Key("properties").BeginObject();
    std::vector<std::string> required;
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* field = message->field(i);
      const v1::FieldRules& rules = field->options().GetExtension(v1::rules);
      // The call's context travels beside the arguments, never in them.
      if (field->name() == "context" || rules.output_only()) continue;
      const std::string comment = CommentOf(commented->FindFieldByName(field->name()));
      if (comment.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat(field->full_name(), " has no comment to describe it to the LLM"));
      }
      json_.Key(field->name());
      PAYVOX_RETURN_IF_ERROR(Field(field, rules, comment));
      if (rules.required()) required.push_back(field->name());
    }
    json_.EndObject();
    if (!required.empty()) {
      json_.Key("required").BeginArray();
      for (const std::string& name : required) json_.String(name);
      json_.EndArray();
    }
    json_.Field("additionalProperties", false).EndObject();
    return absl::OkStatus();
  }

  std::string Take() { return json_.Take(); }

 private:
  absl::Status Field(const pb::FieldDescriptor* field, const v1::FieldRules& rules,
                     const std::string& description) {
    if (field->is_map()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field->full_name(), ": maps are not in the schema subset"));
    }
    if (field->is_repeated()) {
      json_.BeginObject().Field("type", "array").Field("description", description);
      if (rules.min_items() > 0) json_.Field("minItems", rules.min_items());
      if (rules.max_items() > 0) json_.Field("maxItems", rules.max_items());
      json_.Key("items");
      PAYVOX_RETURN_IF_ERROR(Value(field, v1::FieldRules(), ItemDescription(field)));
      json_.EndObject();
      return absl::OkStatus();
    }
    return Value(field, rules, description);
  }

  static std::string ItemDescription(const pb::FieldDescriptor* field) {
    if (field->message_type() != nullptr) {
      const std::string comment =
          CommentOf(CommentedPool().FindMessageTypeByName(field->message_type()->full_name()));
      if (!comment.empty()) return comment;
    }
    return absl::StrCat("One of ", field->name(), ".");
  }

  absl::Status Value(const pb::FieldDescriptor* field, const v1::FieldRules& rules,
                     const std::string& description) {
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return Object(field->message_type(), description);
      case pb::FieldDescriptor::CPPTYPE_STRING:
        json_.BeginObject().Field("type", "string");
        if (rules.values_size() > 0) {
          json_.Key("enum").BeginArray();
          for (const std::string& value : rules.values()) json_.String(value);
          json_.EndArray();
        }
        if (rules.min_length() > 0) json_.Field("minLength", rules.min_length());
        if (rules.max_length() > 0) json_.Field("maxLength", rules.max_length());
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        json_.BeginObject().Field("type", "string").Key("enum").BeginArray();
        for (int i = 0; i < field->enum_type()->value_count(); ++i) {
          json_.String(field->enum_type()->value(i)->name());
        }
        json_.EndArray();
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        json_.BeginObject().Field("type", "boolean");
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        json_.BeginObject().Field("type", "number");
        Bounds(rules);
        break;
      default:  // the integers
        json_.BeginObject().Field("type", "integer");
        Bounds(rules);
        break;
    }
    json_.Field("description", description).EndObject();
    return absl::OkStatus();
  }

  void Bounds(const v1::FieldRules& rules) {
    if (rules.has_minimum()) json_.Key("minimum").Raw(Number(rules.minimum()));
    if (rules.has_maximum()) json_.Key("maximum").Raw(Number(rules.maximum()));
  }

  static std::string Number(double value) {
    const auto whole = static_cast<int64_t>(value);
    return static_cast<double>(whole) == value ? absl::StrCat(whole) : absl::StrCat(value);
  }

  JsonWriter json_;
};

}  // namespace

absl::StatusOr<ProtoAction> DeriveFromProto(std::string_view rpc) {
  const pb::ServiceDescriptor* service =
      CommentedPool().FindServiceByName("payvox.v1.ActionService");
  if (service == nullptr) {
    return absl::FailedPreconditionError("the built-in descriptor set has no ActionService");
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(std::string(rpc));
  if (method == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("ActionService has no RPC ", absl::string_view(rpc.data(), rpc.size())));
  }
  ProtoAction action;
  action.description = CommentOf(method);
  if (action.description.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(method->full_name(), " has no comment to describe it to the LLM"));
  }
  const pb::Descriptor* request = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(
      method->input_type()->full_name());
  if (request == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(method->input_type()->full_name(), " is not compiled in"));
  }
  SchemaWriter schema;
  PAYVOX_RETURN_IF_ERROR(schema.Object(request, ""));
  action.parameters = schema.Take();
  return action;
}

}  // namespace payvox
