// idempotency_key.h: the Stripe Idempotency-Key of one logical action.
//
// The key is derived, never random: the same (tenant, call_id, request_id,
// action) gives the same key in every process and replica, so a retried gRPC
// call, a retry after a crash, or an approval executed later all reach the
// same Stripe object instead of acting twice.
#ifndef PAYVOX_COMMON_IDEMPOTENCY_KEY_H_
#define PAYVOX_COMMON_IDEMPOTENCY_KEY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace payvox {

// ActionKey names one logical action of one call.
struct ActionKey {
  absl::string_view tenant_id;
  absl::string_view call_id;
  absl::string_view request_id;
  // Catalog action name, e.g. "create_refund".
  absl::string_view action;
};

// DeriveIdempotencyKey returns "pvx_" followed by the hex SHA-256 of the
// length-prefixed fields (68 characters; Stripe allows 255). Length prefixes
// make ("a|b", "c") and ("a", "b|c") different keys.
std::string DeriveIdempotencyKey(const ActionKey& key);

}  // namespace payvox

#endif  // PAYVOX_COMMON_IDEMPOTENCY_KEY_H_
