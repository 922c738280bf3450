#include "common/idempotency_key.h"

#include <openssl/sha.h>

#include <array>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace payvox {

std::string DeriveIdempotencyKey(const ActionKey& key) {
  std::string material;
  for (absl::string_view field : {key.tenant_id, key.call_id, key.request_id, key.action}) {
    absl::StrAppend(&material, field.size(), ":", field, ";");
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest.data());
  return absl::StrCat("pvx_", absl::BytesToHexString(absl::string_view(
                                  reinterpret_cast<const char*>(digest.data()), digest.size())));
}

}  // namespace payvox
