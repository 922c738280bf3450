#include "actions/catalog.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "actions/catalog_entries.h"
#include "actions/proto_schema.h"
#include "actions/typed_actions.h"
#include "common/json_schema.h"
#include "common/json_writer.h"

namespace payvox {
namespace {

using policy::ActionClass;

// The argument schemas many long-tail entries share, written once: an
// entry's schema says "limit": "$limit" and the table puts the fragment in.
constexpr std::pair<std::string_view, std::string_view> kFragments[] = {
    {R"("$limit")",
     R"({"type": "integer", "minimum": 1, "maximum": 100, "description": "How many to return, 1 to 100; 10 when absent."})"},
    {R"("$starting_after")",
     R"({"type": "string", "maxLength": 255, "description": "For the next page: the id of the last object seen."})"},
    {R"("$metadata")",
     R"({"type": "object", "description": "Key-value notes kept on the object (keys up to 40 characters; no card numbers).", "properties": {}, "additionalProperties": {"type": "string", "maxLength": 500, "description": "A metadata value."}, "maxProperties": 50})"},
};

std::string WithFragments(std::string_view schema) {
  std::string expanded(schema);
  for (const auto& [placeholder, fragment] : kFragments) {
    for (size_t at = expanded.find(placeholder); at != std::string::npos;
         at = expanded.find(placeholder, at + fragment.size())) {
      expanded.replace(at, placeholder.size(), fragment);
    }
  }
  return expanded;
}

struct CatalogTable {
  std::vector<ActionSpec> entries;
  // The derived descriptions and schemas the typed entries point into.
  std::deque<std::string> derived;
};

// The catalog, built once; constant afterwards. The typed entries come from
// the typed-actions table, their description and schema from their proto
// (actions/proto_schema.h; one that cannot be derived keeps an empty schema,
// which the catalog test and Execute refuse). The long tail comes from its
// entries (catalog_*.cc), each schema with its shared fragments put in.
const std::vector<ActionSpec>& Table() {
  static const auto* const kTable = [] {
    auto* table = new CatalogTable;
    // The typed actions: their rows (actions/typed_actions.h) and protos.
    auto add_typed = [table](std::string_view rpc, ActionSpec spec) {
      absl::StatusOr<ProtoAction> derived = DeriveFromProto(rpc);
      if (derived.ok()) {
        spec.description = table->derived.emplace_back(std::move(derived->description));
        spec.parameters = table->derived.emplace_back(std::move(derived->parameters));
      }
      table->entries.push_back(spec);
    };
#define PAYVOX_TYPED_ENTRY(Rpc, action, family, kind, ...)              \
  add_typed(#Rpc, ActionSpec{.name = action,                            \
                             .action_class = policy::ActionClass::kind, \
                             .capabilities = {__VA_ARGS__},             \
                             .runner = Runner::kTyped});
    PAYVOX_TYPED_ACTIONS(PAYVOX_TYPED_ENTRY)
#undef PAYVOX_TYPED_ENTRY
    // The long tail, from its entries.
    for (const std::span<const ActionSpec> family :
         {catalog::PaymentEntries(), catalog::BillingEntries()}) {
      for (ActionSpec spec : family) {
        spec.parameters = table->derived.emplace_back(WithFragments(spec.parameters));
        table->entries.push_back(spec);
      }
    }
    return table;
  }();
  return kTable->entries;
}

}  // namespace

std::span<const ActionSpec> Catalog() { return Table(); }

const ActionSpec* FindAction(std::string_view name) {
  for (const ActionSpec& spec : Table()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

namespace {

namespace pb = google::protobuf;

// WriteArguments writes the fields of `message` that are set (proto3: not at
// their zero value) as the JSON arguments Execute would have received:
// numbers as numbers, proto field names, `context` left out.
void WriteArguments(const pb::Message& message, JsonWriter& json) {
  const pb::Reflection* reflection = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  json.BeginObject();
  for (const pb::FieldDescriptor* field : fields) {
    if (field->name() == "context") continue;
    json.Key(field->name());
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    if (field->is_repeated()) json.BeginArray();
    for (int i = 0; i < count; ++i) {
      const bool repeated = field->is_repeated();
      switch (field->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
          WriteArguments(repeated ? reflection->GetRepeatedMessage(message, field, i)
                                  : reflection->GetMessage(message, field),
                         json);
          break;
        case pb::FieldDescriptor::CPPTYPE_STRING:
          json.String(repeated ? reflection->GetRepeatedString(message, field, i)
                               : reflection->GetString(message, field));
          break;
        case pb::FieldDescriptor::CPPTYPE_BOOL:
          json.Bool(repeated ? reflection->GetRepeatedBool(message, field, i)
                             : reflection->GetBool(message, field));
          break;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
          json.Raw(absl::StrCat(repeated ? reflection->GetRepeatedDouble(message, field, i)
                                         : reflection->GetDouble(message, field)));
          break;
        case pb::FieldDescriptor::CPPTYPE_INT32:
          json.Int(repeated ? reflection->GetRepeatedInt32(message, field, i)
                            : reflection->GetInt32(message, field));
          break;
        case pb::FieldDescriptor::CPPTYPE_INT64:
          json.Int(repeated ? reflection->GetRepeatedInt64(message, field, i)
                            : reflection->GetInt64(message, field));
          break;
        case pb::FieldDescriptor::CPPTYPE_ENUM:
          json.String(repeated ? reflection->GetRepeatedEnum(message, field, i)->name()
                               : reflection->GetEnum(message, field)->name());
          break;
        default:  // unsigned and float fields: none in the action requests
          json.Null();
          break;
      }
    }
    if (field->is_repeated()) json.EndArray();
  }
  json.EndObject();
}

}  // namespace

absl::Status CheckTypedRequest(std::string_view action, const google::protobuf::Message& request) {
  const ActionSpec* spec = FindAction(action);
  if (spec == nullptr || spec->runner != Runner::kTyped) {
    return absl::InternalError(
        absl::StrCat("no typed catalog entry ", absl::string_view(action.data(), action.size())));
  }
  JsonWriter json;
  WriteArguments(request, json);
  const absl::Status valid = ValidateArguments(
      absl::string_view(spec->parameters.data(), spec->parameters.size()), json.str());
  if (valid.ok()) return valid;
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(action.data(), action.size()), ": ", valid.message()));
}

v1::ListActionsResponse DescribeActions(const v1::TenantPolicy& policy) {
  v1::ListActionsResponse response;
  for (const ActionSpec& spec : Table()) {
    v1::ActionDescriptor* action = response.add_actions();
    action->set_name(std::string(spec.name));
    action->set_description(std::string(spec.description));
    action->set_parameters_json_schema(std::string(spec.parameters));
    action->set_read_only(spec.action_class == ActionClass::kRead);
    action->set_destructive(spec.action_class == ActionClass::kDestructive);
    const absl::string_view name(spec.name.data(), spec.name.size());
    bool enabled = spec.capabilities[0].empty();
    for (const std::string_view capability : spec.capabilities) {
      enabled |= !capability.empty() &&
                 policy::IsEnabled(policy, name, {capability.data(), capability.size()});
    }
    action->set_enabled(enabled);
  }
  return response;
}

}  // namespace payvox
