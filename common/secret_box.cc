#include "common/secret_box.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/secure_random.h"

namespace payvox {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr absl::string_view kVersion = "pvx1";

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(absl::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string KeyId(const std::string& key) {
  const std::string input = absl::StrCat("payvox master key id\n", key);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(Bytes(input), input.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

struct SealedParts {
  std::string key_id;
  std::string nonce;
  std::string ciphertext;
  std::string tag;
};

absl::StatusOr<SealedParts> Split(absl::string_view sealed) {
  const std::vector<absl::string_view> parts = absl::StrSplit(sealed, '.');
  std::string raw;
  if (parts.size() != 3 || parts[0] != kVersion || parts[1].size() != 16 ||
      !absl::WebSafeBase64Unescape(parts[2], &raw) || raw.size() < kNonceBytes + kTagBytes) {
    return absl::InvalidArgumentError("the value is not a secret sealed by payvox");
  }
  SealedParts out;
  out.key_id = std::string(parts[1]);
  out.nonce = raw.substr(0, kNonceBytes);
  out.ciphertext = raw.substr(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);
  out.tag = raw.substr(raw.size() - kTagBytes);
  return out;
}

}  // namespace

MasterKey::MasterKey(std::string key) : key_(std::move(key)), id_(KeyId(key_)) {}

absl::StatusOr<MasterKey> MasterKey::Parse(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  std::string key;
  if (trimmed.size() == 2 * kKeyBytes &&
      std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    key = absl::HexStringToBytes(trimmed);
  } else if (!absl::Base64Unescape(trimmed, &key) || key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(
        "the master key must be 32 random bytes written as 64 hex characters or in base64 "
        "(e.g. `openssl rand -hex 32`)");
  }
  return MasterKey(std::move(key));
}

absl::StatusOr<MasterKey> MasterKey::Generate() {
  absl::StatusOr<std::string> key = SecureRandomBytes(kKeyBytes);
  if (!key.ok()) return key.status();
  return MasterKey(*std::move(key));
}

absl::StatusOr<std::string> MasterKey::Seal(absl::string_view plaintext,
                                            absl::string_view context) const {
  absl::StatusOr<std::string> nonce = SecureRandomBytes(kNonceBytes);
  if (!nonce.ok()) return nonce.status();
  CipherContext cipher(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string out = *nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* ciphertext = reinterpret_cast<unsigned char*>(out.data() + kNonceBytes);
  int written = 0;
  int final_bytes = 0;
  const bool sealed =
      cipher != nullptr &&
      EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(*nonce)) ==
          1 &&
      EVP_EncryptUpdate(cipher.get(), nullptr, &written, Bytes(context),
                        static_cast<int>(context.size())) == 1 &&
      EVP_EncryptUpdate(cipher.get(), ciphertext, &written, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(cipher.get(), ciphertext + written, &final_bytes) == 1 &&
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out.data() + kNonceBytes + plaintext.size()) == 1;
  if (!sealed) return absl::UnavailableError("AES-256-GCM failed; nothing was sealed");
  return absl::StrCat(kVersion, ".", id_, ".", absl::WebSafeBase64Escape(out));
}

absl::StatusOr<std::string> MasterKey::Open(absl::string_view sealed,
                                            absl::string_view context) const {
  absl::StatusOr<SealedParts> parts = Split(sealed);
  if (!parts.ok()) return parts.status();
  if (parts->key_id != id_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the secret was sealed under master key ", parts->key_id, ", not ", id_));
  }
  CipherContext cipher(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string plaintext(parts->ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  int written = 0;
  int final_bytes = 0;
  const bool opened = EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_),
                                         Bytes(parts->nonce)) == 1 &&
                      EVP_DecryptUpdate(cipher.get(), nullptr, &written, Bytes(context),
                                        static_cast<int>(context.size())) == 1 &&
                      EVP_DecryptUpdate(cipher.get(), out, &written, Bytes(parts->ciphertext),
                                        static_cast<int>(parts->ciphertext.size())) == 1 &&
                      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG,
                                          static_cast<int>(kTagBytes), parts->tag.data()) == 1 &&
                      EVP_DecryptFinal_ex(cipher.get(), out + written, &final_bytes) == 1;
  if (!opened) {
    return absl::DataLossError(
        "the sealed secret does not authenticate: it was altered or belongs to another record");
  }
  return plaintext;
}

Keyring::Keyring(MasterKey current, std::vector<MasterKey> previous) {
  keys_.push_back(std::move(current));
  for (MasterKey& key : previous) keys_.push_back(std::move(key));
}

absl::StatusOr<std::string> Keyring::Open(absl::string_view sealed,
                                          absl::string_view context) const {
  const std::string id = SealedKeyId(sealed);
  if (id.empty()) return absl::InvalidArgumentError("the value is not a secret sealed by payvox");
  for (const MasterKey& key : keys_) {
    if (key.id() == id) return key.Open(sealed, context);
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the secret was sealed under master key ", id,
                   ", which is not loaded: add it to secrets.previous_master_key_files"));
}

bool Keyring::NeedsReseal(absl::string_view sealed) const {
  return SealedKeyId(sealed) != current().id();
}

std::string SealedKeyId(absl::string_view sealed) {
  absl::StatusOr<SealedParts> parts = Split(sealed);
  return parts.ok() ? parts->key_id : "";
}

}  // namespace payvox
