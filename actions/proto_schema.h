// proto_schema.h: a typed action's catalog facts derived from its proto, so
// the proto, the schema handed to the LLM and Execute's checks cannot
// disagree.
//
//   absl::StatusOr<ProtoAction> action = DeriveFromProto("CreateRefund");
//   action->description  // the RPC's leading comment
//   action->parameters   // JSON Schema of CreateRefundRequest, without context
//
// The schema follows the request message: each field's type (string,
// integer, number, boolean; a message as a nested object; repeated as an
// array), its description from its leading comment, and its bounds from its
// (payvox.v1.rules) option (proto/payvox/v1/options.proto). Comments come
// from the descriptor set built into the binary (proto/descriptor_set.h);
// the generated code keeps none.
#ifndef PAYVOX_ACTIONS_PROTO_SCHEMA_H_
#define PAYVOX_ACTIONS_PROTO_SCHEMA_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace payvox {

struct ProtoAction {
  std::string description;
  std::string parameters;
};

// DeriveFromProto: the ActionService RPC `rpc`'s description and request
// schema. FAILED_PRECONDITION naming what is missing (an RPC or field
// without a comment, a type the schema subset cannot say).
absl::StatusOr<ProtoAction> DeriveFromProto(std::string_view rpc);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_PROTO_SCHEMA_H_
