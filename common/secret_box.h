// secret_box.h: secrets payvox keeps at rest (tenants' Stripe keys, webhook
// signing secrets), sealed with AES-256-GCM under a master key that lives
// outside the database (a file or an environment variable).
//
//   PAYVOX_ASSIGN_OR_RETURN(MasterKey key, MasterKey::Parse(file_contents));
//   Keyring keys(std::move(key));
//   PAYVOX_ASSIGN_OR_RETURN(std::string sealed, keys.Seal(api_key, "stripe_key:acme"));
//   PAYVOX_ASSIGN_OR_RETURN(std::string api_key, keys.Open(sealed, "stripe_key:acme"));
//
// A sealed value reads "pvx1.<key id>.<base64url(nonce | ciphertext | tag)>":
// the key id (16 hex characters derived from the key, never the key) says
// which master key opens it, so a keyring holding the new key and the
// previous ones opens everything while `payvoxctl secrets re-encrypt`
// reseals under the new one. The context (what the secret is, for which
// tenant) is authenticated too: a value copied to another tenant's row does
// not open. Errors never contain a secret.
#ifndef PAYVOX_COMMON_SECRET_BOX_H_
#define PAYVOX_COMMON_SECRET_BOX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace payvox {

class MasterKey {
 public:
  // Parse reads 32 bytes written as 64 hex characters or in base64;
  // surrounding whitespace is ignored. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<MasterKey> Parse(absl::string_view text);
  // Generate makes a random key (for --sandbox, whose store lives in
  // memory); UNAVAILABLE when the random generator fails.
  static absl::StatusOr<MasterKey> Generate();

  const std::string& id() const { return id_; }
  // Seal encrypts with a fresh random nonce each time; UNAVAILABLE when the
  // random generator or the cipher fails (nothing is sealed then).
  absl::StatusOr<std::string> Seal(absl::string_view plaintext, absl::string_view context) const;
  // Open: INVALID_ARGUMENT for a value that is not sealed by payvox,
  // FAILED_PRECONDITION for another key's value, DATA_LOSS when it does not
  // authenticate (tampered, or sealed for another context).
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

 private:
  explicit MasterKey(std::string key);
  std::string key_;  // 32 bytes
  std::string id_;
};

// Keyring seals under the current key and opens with whichever loaded key
// sealed the value.
class Keyring {
 public:
  explicit Keyring(MasterKey current, std::vector<MasterKey> previous = {});

  const MasterKey& current() const { return keys_.front(); }
  absl::StatusOr<std::string> Seal(absl::string_view plaintext, absl::string_view context) const {
    return current().Seal(plaintext, context);
  }
  // Open: FAILED_PRECONDITION naming the key id when no loaded key has it.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;
  // NeedsReseal: the value was sealed under another key than the current.
  bool NeedsReseal(absl::string_view sealed) const;

 private:
  std::vector<MasterKey> keys_;
};

// SealedKeyId is the key id written in a sealed value; empty when it is not
// one.
std::string SealedKeyId(absl::string_view sealed);

}  // namespace payvox

#endif  // PAYVOX_COMMON_SECRET_BOX_H_
