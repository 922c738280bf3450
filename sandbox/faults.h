// faults.h: faults the sandbox injects so tests can see payvox survive a
// misbehaving Stripe. Rules are queued; each matching request consumes one
// use of the first rule that matches it.
//
//   server.faults().Add({.method = "POST", .path_prefix = "/v1/refunds",
//                        .fault = {.kind = FaultKind::kDropAfterCommit}});
//
// Over HTTP (the payvox-sandbox binary; loopback only, no key needed):
//   POST   /_sandbox/faults   kind=status&status=503&times=2&path=/v1/refunds
//   DELETE /_sandbox/faults   clears every rule
// Form fields: kind (latency, status, rate_limit, lock_timeout,
// idempotency_key_in_use, reset, drop_after_commit, trickle,
// malformed_json), method, path, times (1-1000), latency_ms
// (0-60000), status (500, 502, 503 or 504), should_retry (true|false),
// chunk_bytes (1-65536).
#ifndef PAYVOX_SANDBOX_FAULTS_H_
#define PAYVOX_SANDBOX_FAULTS_H_

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/form_codec.h"

namespace payvox::sandbox {

enum class FaultKind {
  // Wait `latency`, then answer normally.
  kLatency,
  // Answer `http_status` (5xx) with Stripe's api_error body, before the
  // request is handled: nothing is created or saved for its key.
  kStatus,
  // Answer 429 rate_limit_error, before the request is handled.
  kRateLimit,
  // Answer as Stripe does when another request holds the object: 429
  // invalid_request_error, code lock_timeout; nothing is done.
  kLockTimeout,
  // Answer as Stripe does while a request with the same Idempotency-Key
  // is still running: 409 idempotency_error, code idempotency_key_in_use;
  // nothing is done.
  kIdempotencyKeyInUse,
  // Reset the connection (TCP RST) without handling the request.
  kResetBeforeResponse,
  // Handle the request (its effects are committed and its Idempotency-Key
  // saved), then reset the connection instead of answering.
  kDropAfterCommit,
  // Handle the request, then send the answer `chunk_bytes` at a time,
  // `latency` apart.
  kTrickle,
  // Answer 200 with a truncated JSON body, without handling the request.
  kMalformedJson,
};

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  absl::Duration latency = absl::ZeroDuration();
  int http_status = 503;
  // Stripe-Should-Retry header on kStatus and kRateLimit answers.
  std::optional<bool> should_retry;
  size_t chunk_bytes = 16;
};

struct FaultRule {
  // Empty: any method.
  std::string method;
  // Matches paths starting with this; empty: any path.
  std::string path_prefix;
  int times = 1;
  Fault fault;
};

// ParseFaultRule reads the control endpoint's form; INVALID_ARGUMENT names
// the bad field.
absl::StatusOr<FaultRule> ParseFaultRule(const FormParams& form);

// FaultPlan is the queue of rules. Thread-safe.
class FaultPlan {
 public:
  void Add(FaultRule rule);
  void Clear();
  // Take consumes one use of the first rule matching the request.
  std::optional<Fault> Take(absl::string_view method, absl::string_view path);
  int pending() const;

 private:
  mutable std::mutex mu_;
  std::deque<FaultRule> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_FAULTS_H_
