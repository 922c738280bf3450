// confirmation_tokens.h: confirmation a model cannot fake.
//
// An action the policy wants confirmed (destructive ones, and
// policy.confirmed_actions) is first answered needs_confirmation with a
// spoken summary and a token; the same request sent again with the token
// (CallContext.confirmation_token) commits it. Over the HTTP faces the token
// is the only way to confirm (the model writes the arguments, so a
// `confirmed: true` among them proves nothing); over gRPC it is too when the
// tenant's policy sets confirmation_token_required.
//
//   token = "pvxc_" <expiry unix seconds> "." <nonce, 16 letters> "." <MAC, 64 letters>
//   MAC   = HMAC-SHA256(key, tenant \0 call \0 action \0 arguments \0 expiry \0 nonce)
//
// (hex spelled in the letters a to p: LettersOnly). A token is refused for
// other arguments, another call, action or tenant, after it expires, and
// once used by another request (a retry of the request that used it is let
// through: the write pipeline answers it from its first answer). The write a
// token confirms runs under an Idempotency-Key derived from the token's
// nonce (ConfirmedRequestId), so even two replicas each accepting the token
// once send Stripe one write.
// Thread-safe.
#ifndef PAYVOX_COMMON_CONFIRMATION_TOKENS_H_
#define PAYVOX_COMMON_CONFIRMATION_TOKENS_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace payvox {

// What a token is bound to.
struct Binding {
  std::string tenant;
  std::string call_id;
  std::string action;
  // What the request asks, without its context: the core binds
  // RequestFingerprint (actions/action_guard.h).
  std::string arguments;
};

struct ConfirmationOptions {
  // At least 32 bytes; every replica needs the same key.
  std::string key;
  absl::Duration ttl = absl::Minutes(5);
  // Used tokens remembered (until they expire); past it new confirmations
  // are refused UNAVAILABLE until old ones expire.
  size_t max_used = 100000;
};

class ConfirmationTokens {
 public:
  // `clock` must outlive the tokens. INVALID_ARGUMENT for a short key or a
  // lifetime outside 10 s to 1 h.
  static absl::StatusOr<std::unique_ptr<ConfirmationTokens>> Create(ConfirmationOptions options,
                                                                    const Clock& clock);

  // Mint a token for `binding`.
  absl::StatusOr<std::string> Mint(const Binding& binding);

  // Redeem checks `token` against `binding` for the request `request_key`
  // (its request_id) and returns the request id the confirmed write runs
  // under: "cfm_" and the nonce's letters. FAILED_PRECONDITION with reason
  // confirmation_token_invalid, confirmation_token_expired or
  // confirmation_token_used (common/error_detail.h) when refused.
  absl::StatusOr<std::string> Redeem(const Binding& binding, absl::string_view token,
                                     absl::string_view request_key);

 private:
  ConfirmationTokens(ConfirmationOptions options, const Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  std::string Mac(const Binding& binding, absl::string_view expiry, absl::string_view nonce) const;
  void PruneLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ConfirmationOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  struct Used {
    std::string request_key;
    absl::Time expires;
  };
  // Used tokens' nonces.
  absl::flat_hash_map<std::string, Used> used_ ABSL_GUARDED_BY(mu_);
};

// ConfirmationRefused is FAILED_PRECONDITION with `reason`
// (confirmation_token_invalid, _expired, _used) and the sentence that asks
// the caller again.
absl::Status ConfirmationRefused(absl::string_view reason, absl::string_view message);

// Joined is `binding` as one string, its parts separated by NUL.
std::string Joined(const Binding& binding);

// LettersOnly spells hex digits as the letters a to p: ids and tokens
// payvox makes from hashes hold no digit run the card-number guard would
// refuse.
std::string LettersOnly(absl::string_view hex);

}  // namespace payvox

#endif  // PAYVOX_COMMON_CONFIRMATION_TOKENS_H_
