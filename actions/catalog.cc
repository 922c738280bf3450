#include "actions/catalog.h"

#include <string>
#include <vector>

#include "actions/catalog_entries.h"

namespace payvox {
namespace {

using policy::ActionClass;

// The families' entries, joined once; constant afterwards.
const std::vector<ActionSpec>& Table() {
  static const auto* const kTable = [] {
    auto* table = new std::vector<ActionSpec>;
    for (const std::span<const ActionSpec> family :
         {catalog::PaymentEntries(), catalog::BillingEntries()}) {
      table->insert(table->end(), family.begin(), family.end());
    }
    return table;
  }();
  return *kTable;
}

}  // namespace

std::span<const ActionSpec> Catalog() { return Table(); }

const ActionSpec* FindAction(std::string_view name) {
  for (const ActionSpec& spec : Table()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
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
