// confirmation.h: the ids of platforms' calls and requests as payvox uses
// them, and the request ids of platforms that send none. The confirmation
// tokens themselves are the core's (common/confirmation_tokens.h).
#ifndef PAYVOX_GATEWAY_CONFIRMATION_H_
#define PAYVOX_GATEWAY_CONFIRMATION_H_

#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/confirmation_tokens.h"

namespace payvox::gateway {

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

  // RequestId for (binding, token): "rpt_" and 32 letters. `binding`'s
  // arguments are the canonical JSON (gateway/envelopes.h).
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
