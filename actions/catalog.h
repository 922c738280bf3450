// catalog.h: the declarative table of the actions payvox offers a voice
// agent. One entry per action: its name, the description an LLM reads, the
// JSON Schema of its arguments (the subset of common/json_schema.h), its
// class (read, write, destructive) and the policy capabilities that enable
// it; for the long tail, the Stripe endpoint it calls. A typed entry's
// description and schema come from its proto (actions/proto_schema.h).
//
// ListActions hands the table to an orchestrator as function-calling tool
// definitions; Execute (actions/dispatcher.h) runs an entry by name through the
// same code as its typed RPC, or, for the long tail (products, balance,
// events...), straight to Stripe under the same rules.
#ifndef PAYVOX_ACTIONS_CATALOG_H_
#define PAYVOX_ACTIONS_CATALOG_H_

#include <google/protobuf/message.h>

#include <array>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "client/stripe_endpoints.h"
#include "payvox/v1/actions.pb.h"
#include "payvox/v1/config.pb.h"
#include "policy/policy.h"

namespace payvox {

// How Execute runs an entry.
enum class Runner {
  // Through the typed RPC of the same name (TenantActions).
  kTyped,
  // Straight to Stripe: arguments become the path's id and the request's
  // parameters (actions/catalog_runner.cc), under the same policy, audit and
  // idempotency rules.
  kStripe,
};

// Whose verified identity a kStripe write needs.
enum class Owner {
  kNone,      // belongs to no customer (a price, a new customer)
  kArgument,  // the `customer` argument
  kPath,      // the customer the path names (/v1/customers/{customer_id})
  kLoaded,    // the `customer` of the object the path names, read first
};

struct ActionSpec {
  std::string_view name;
  std::string_view description;
  // JSON Schema of the arguments object (never `context`: Execute passes
  // the call context separately).
  std::string_view parameters;
  // kStripe: the Stripe endpoint it calls (client/stripe_endpoints.h).
  const stripe::Endpoint* endpoint = nullptr;
  policy::ActionClass action_class;
  // The policy capabilities that enable it (any one is enough); none:
  // always enabled (finding and verifying the caller).
  std::array<std::string_view, 2> capabilities;
  Runner runner = Runner::kTyped;
  // kStripe: the Stripe object the answer holds ("customer", "invoice"...),
  // a list or search result of them when `list`.
  std::string_view object;
  bool list = false;
  Owner owner = Owner::kNone;
  // kStripe writes: the sentence said once Stripe did it.
  std::string_view say_done;
};

std::span<const ActionSpec> Catalog();

// FindAction returns the entry named `name`, or nullptr.
const ActionSpec* FindAction(std::string_view name);

// CheckTypedRequest holds a typed action's request (the gRPC RPC of the
// same name) to the catalog's schema for `action`, as Execute holds its
// arguments: one set of rules, derived from the proto, for both entry
// points. Fields at their zero value count as absent (proto3); `context` is
// not an argument. INVALID_ARGUMENT naming the action and the field.
absl::Status CheckTypedRequest(std::string_view action, const google::protobuf::Message& request);

// DescribeActions is ListActions' answer for a tenant's policy.
v1::ListActionsResponse DescribeActions(const v1::TenantPolicy& policy);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_CATALOG_H_
