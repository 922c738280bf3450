// memory_store.h: a Store kept in process memory, for a single instance that
// may lose verification state on restart (callers verify again) and for
// tests. Bounded: at most `max_entries` keys; entries untouched for a day are
// dropped first, and when none can be dropped new keys get
// RESOURCE_EXHAUSTED rather than growing memory.
#ifndef PAYVOX_STORE_MEMORY_STORE_H_
#define PAYVOX_STORE_MEMORY_STORE_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "store/store.h"

namespace payvox {

class MemoryStore final : public Store {
 public:
  // `clock` must outlive the store.
  explicit MemoryStore(const Clock& clock, size_t max_entries = 100'000)
      : clock_(clock), max_entries_(max_entries) {}

  absl::StatusOr<VerificationState> ReserveVerificationAttempt(const VerificationKey& key,
                                                               int max_attempts) override;
  absl::Status ReleaseVerificationAttempt(const VerificationKey& key) override;
  absl::Status MarkVerified(const VerificationKey& key, absl::Time until) override;
  absl::StatusOr<VerificationState> GetVerification(const VerificationKey& key) override;

 private:
  struct Entry {
    VerificationState state;
    absl::Time touched;
  };
  // Find returns the entry for `key`, creating it when there is room.
  absl::StatusOr<Entry*> FindOrCreate(const VerificationKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const size_t max_entries_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> verifications_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox

#endif  // PAYVOX_STORE_MEMORY_STORE_H_
