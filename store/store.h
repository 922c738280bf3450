// store.h: payvox's durable state behind one interface.
//
// This first cut holds per-call verification state; the audit trail, limit
// reservations, approvals, tenants and events join the same interface with
// the SQLite and PostgreSQL implementations. Every method is thread-safe and
// atomic on its own.
#ifndef PAYVOX_STORE_STORE_H_
#define PAYVOX_STORE_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace payvox {

// VerificationKey binds a verification to one customer in one call.
struct VerificationKey {
  std::string tenant_id;
  std::string call_id;
  std::string customer_id;
};

struct VerificationState {
  // Attempts taken in this call for this customer, successful ones included.
  int attempts_used = 0;
  // The caller counts as verified until then.
  absl::Time verified_until = absl::InfinitePast();
};

class Store {
 public:
  virtual ~Store() = default;

  // ReserveVerificationAttempt takes one attempt before the last-4 check
  // runs, so concurrent guesses cannot exceed `max_attempts`. Returns the
  // state after the reservation, or RESOURCE_EXHAUSTED when none is left.
  virtual absl::StatusOr<VerificationState> ReserveVerificationAttempt(const VerificationKey& key,
                                                                       int max_attempts) = 0;
  // ReleaseVerificationAttempt gives an attempt back when the check could not
  // run (Stripe unreachable), so outages do not lock callers out.
  virtual absl::Status ReleaseVerificationAttempt(const VerificationKey& key) = 0;
  // MarkVerified records a successful check valid until `until`.
  virtual absl::Status MarkVerified(const VerificationKey& key, absl::Time until) = 0;
  // GetVerification returns the state; a key never seen has the default.
  virtual absl::StatusOr<VerificationState> GetVerification(const VerificationKey& key) = 0;
};

}  // namespace payvox

#endif  // PAYVOX_STORE_STORE_H_
