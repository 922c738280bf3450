#include "gateway/confirmation.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/hmac.h"
#include "common/redact.h"

namespace payvox::gateway {

std::string PlatformId(absl::string_view id) {
  if (!ContainsCardNumber(id)) return std::string(id);
  return absl::StrCat("pvh_", LettersOnly(HmacSha256Hex("payvox request id", id).substr(0, 32)));
}

std::string RepeatWindow::RequestId(const Binding& binding, absl::string_view token) {
  const std::string key = absl::StrCat(Joined(binding), absl::string_view("\0", 1), token);
  const absl::Time now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto seen = seen_.find(key);
  if (seen != seen_.end() && now - seen->second.first < window_) return seen->second.request_id;
  if (seen_.size() >= max_entries_) {
    absl::erase_if(seen_, [&](const auto& entry) { return now - entry.second.first >= window_; });
  }
  if (seen_.size() >= max_entries_) {
    // Still full of live entries: forget the oldest.
    auto oldest = seen_.begin();
    for (auto it = seen_.begin(); it != seen_.end(); ++it) {
      if (it->second.first < oldest->second.first) oldest = it;
    }
    seen_.erase(oldest);
  }
  const std::string request_id = absl::StrCat(
      "rpt_", LettersOnly(HmacSha256Hex(
                              "payvox repeat window",
                              absl::StrCat(key, absl::string_view("\0", 1), absl::ToUnixNanos(now)))
                              .substr(0, 32)));
  seen_[key] = Seen{request_id, now};
  return request_id;
}

}  // namespace payvox::gateway
