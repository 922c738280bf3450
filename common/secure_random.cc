#include "common/secure_random.h"

#include <openssl/rand.h>

#include <climits>

namespace payvox {

absl::StatusOr<std::string> SecureRandomBytes(size_t count) {
  if (count > INT_MAX) return absl::InvalidArgumentError("too many random bytes asked for");
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return absl::UnavailableError(
        "the system's secure random generator failed; nothing was created");
  }
  return bytes;
}

}  // namespace payvox
