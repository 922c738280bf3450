// secure_random.h: random bytes for keys, nonces and tokens, from OpenSSL's
// CSPRNG. A failure is an error, never weaker bytes.
//
//   PAYVOX_ASSIGN_OR_RETURN(std::string nonce, SecureRandomBytes(12));
#ifndef PAYVOX_COMMON_SECURE_RANDOM_H_
#define PAYVOX_COMMON_SECURE_RANDOM_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace payvox {

// SecureRandomBytes returns `count` bytes from RAND_bytes; UNAVAILABLE when
// the generator fails (not seeded, or the OS entropy source is gone).
absl::StatusOr<std::string> SecureRandomBytes(size_t count);

}  // namespace payvox

#endif  // PAYVOX_COMMON_SECURE_RANDOM_H_
