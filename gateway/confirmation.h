// confirmation.h: confirmation the LLM cannot fake, and the request ids of
// platforms that send none.
//
// Over the HTTP faces the model writes the arguments, so a `confirmed: true`
// among them proves nothing. An action the policy wants confirmed
// (destructive ones, and policy.confirmed_actions) is first answered with a
// spoken summary and a token; the same call with that token commits it.
//
//   token = "pvxc_" <expiry unix seconds> "." <nonce, 16 hex> "." <MAC, 64 hex>
//   MAC   = HMAC-SHA256(key, tenant \0 call \0 action \0 canonical arguments
//                            \0 expiry \0 nonce)
//
// A token is refused for other arguments, another call, action or tenant,
// after it expires, and once used by another request (a replay of the
// request that used it is let through: the write pipeline answers it from
// its first answer). The commit's request_id is derived from the token's
// nonce, so even two replicas each accepting the token once run one write.
// Thread-safe.
#ifndef PAYVOX_GATEWAY_CONFIRMATION_H_
#define PAYVOX_GATEWAY_CONFIRMATION_H_

#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace payvox::gateway {

// What a token is bound to.
struct Binding {
  std::string tenant;
  std::string call_id;
  std::string action;
  // gateway/envelopes.h CanonicalJson, without the token itself.
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
  // `clock` must outlive the tokens. INVALID_ARGUMENT for a short key.
  static absl::StatusOr<std::unique_ptr<ConfirmationTokens>> Create(ConfirmationOptions options,
                                                                    const Clock& clock);

  // Mint a token for `binding`.
  absl::StatusOr<std::string> Mint(const Binding& binding);

  // Redeem checks `token` against `binding` for the request `request_key`
  // (the platform's request id, or the repeat window's) and returns the
  // request_id the commit runs under. FAILED_PRECONDITION with reason
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

// LettersOnly spells hex digits as the letters a to p: ids payvox makes
// from hashes hold no digit run the card-number guard would refuse.
std::string LettersOnly(absl::string_view hex);

// PlatformId is a platform's call or request id as payvox uses it: as it
// is, unless it holds something the card-number guard would take for a card
// (a UUID of digits can): then a letters-only hash of it, the same for the
// same id.
std::string PlatformId(absl::string_view id);

// RepeatWindow names the request of a platform that sends no request id
// (Retell retries a failed function up to twice, with the same body): the
// same action with the same canonical arguments (and confirmation token) in
// the same call within `window` of its first sighting is the same request,
// so a retry is answered from the first attempt; later, it is a new one.
// Thread-safe; bounded (oldest first out past `max_entries`).
class RepeatWindow {
 public:
  RepeatWindow(const Clock& clock, absl::Duration window, size_t max_entries = 100000)
      : clock_(clock), window_(window), max_entries_(max_entries) {}

  // RequestId for (binding, token): "rpt_" and 32 letters.
  std::string RequestId(const Binding& binding, absl::string_view token);

 private:
  const Clock& clock_;
  const absl::Duration window_;
  const size_t max_entries_;
  std::mutex mu_;
  struct Seen {
    std::string request_id;
    absl::Time first;
  };
  absl::flat_hash_map<std::string, Seen> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_CONFIRMATION_H_
