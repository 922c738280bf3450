// catalog.h: the declarative table of the actions payvox offers a voice
// agent. One entry per action: its name, the description an LLM reads, the
// JSON Schema of its arguments (the subset of common/json_schema.h), the
// Stripe method and path it calls, its class (read, write, destructive) and
// the policy capability that enables it.
//
// ListActions hands the table to an orchestrator as function-calling tool
// definitions; Execute (server/executor.h) runs an entry by name through the
// same code as its typed RPC. An action is listed only once payvoxd runs it.
#ifndef PAYVOX_SERVER_CATALOG_H_
#define PAYVOX_SERVER_CATALOG_H_

#include <array>
#include <span>
#include <string_view>

#include "payvox/v1/actions.pb.h"
#include "payvox/v1/config.pb.h"
#include "policy/policy.h"

namespace payvox {

struct ActionSpec {
  std::string_view name;
  std::string_view description;
  // JSON Schema of the arguments object (never `context`: Execute passes
  // the call context separately).
  std::string_view parameters;
  std::string_view stripe_method;
  std::string_view stripe_path;
  policy::ActionClass action_class;
  // The policy capabilities that enable it (any one is enough); none:
  // always enabled (finding and verifying the caller).
  std::array<std::string_view, 2> capabilities;
};

std::span<const ActionSpec> Catalog();

// FindAction returns the entry named `name`, or nullptr.
const ActionSpec* FindAction(std::string_view name);

// DescribeActions is ListActions' answer for a tenant's policy.
v1::ListActionsResponse DescribeActions(const v1::TenantPolicy& policy);

}  // namespace payvox

#endif  // PAYVOX_SERVER_CATALOG_H_
