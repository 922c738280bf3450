#include "store/memory_store.h"

#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

constexpr absl::Duration kIdleLifetime = absl::Hours(24);

std::string KeyOf(const VerificationKey& key) {
  return absl::StrCat(key.tenant_id.size(), ":", key.tenant_id, key.call_id.size(), ":",
                      key.call_id, key.customer_id);
}

}  // namespace

absl::StatusOr<MemoryStore::Entry*> MemoryStore::FindOrCreate(const VerificationKey& key) {
  const absl::Time now = clock_.Now();
  const std::string id = KeyOf(key);
  if (auto it = verifications_.find(id); it != verifications_.end()) {
    it->second.touched = now;
    return &it->second;
  }
  if (verifications_.size() >= max_entries_) {
    absl::erase_if(verifications_,
                   [&](const auto& entry) { return now - entry.second.touched > kIdleLifetime; });
  }
  if (verifications_.size() >= max_entries_) {
    return absl::ResourceExhaustedError(
        "payvox is tracking too many calls' verifications right now; retry shortly");
  }
  Entry& entry = verifications_[id];
  entry.touched = now;
  return &entry;
}

absl::StatusOr<VerificationState> MemoryStore::ReserveVerificationAttempt(
    const VerificationKey& key, int max_attempts) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Entry*> entry = FindOrCreate(key);
  if (!entry.ok()) return entry.status();
  VerificationState& state = (*entry)->state;
  if (state.attempts_used >= max_attempts) {
    return absl::ResourceExhaustedError("no verification attempts left for this call and customer");
  }
  ++state.attempts_used;
  return state;
}

absl::Status MemoryStore::ReleaseVerificationAttempt(const VerificationKey& key) {
  absl::MutexLock lock(&mu_);
  if (auto it = verifications_.find(KeyOf(key));
      it != verifications_.end() && it->second.state.attempts_used > 0) {
    --it->second.state.attempts_used;
  }
  return absl::OkStatus();
}

absl::Status MemoryStore::MarkVerified(const VerificationKey& key, absl::Time until) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Entry*> entry = FindOrCreate(key);
  if (!entry.ok()) return entry.status();
  (*entry)->state.verified_until = until;
  return absl::OkStatus();
}

absl::StatusOr<VerificationState> MemoryStore::GetVerification(const VerificationKey& key) {
  absl::MutexLock lock(&mu_);
  auto it = verifications_.find(KeyOf(key));
  return it == verifications_.end() ? VerificationState{} : it->second.state;
}

}  // namespace payvox
