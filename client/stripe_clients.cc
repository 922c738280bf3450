#include "client/stripe_clients.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace payvox::stripe {
namespace {

std::string RegistryKey(const StripeClientOptions& options) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(options.pool.api_key.data()),
         options.pool.api_key.size(), digest);
  return absl::StrCat(absl::BytesToHexString(
                          absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest))),
                      " ", options.pool.base_url);
}

}  // namespace

absl::StatusOr<std::shared_ptr<ResilientStripeClient>> StripeClients::For(
    const StripeClientOptions& options) {
  const std::string key = RegistryKey(options);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = clients_.find(key); it != clients_.end()) return it->second;
  absl::StatusOr<std::unique_ptr<ResilientStripeClient>> created =
      ResilientStripeClient::Create(executor_, clock_, options);
  if (!created.ok()) return created.status();
  std::shared_ptr<ResilientStripeClient> client = *std::move(created);
  client->SetBudgetShare(share_);
  clients_.emplace(key, client);
  return client;
}

void StripeClients::SetBudgetShare(double share) {
  std::lock_guard<std::mutex> lock(mu_);
  share_ = share;
  for (auto& [key, client] : clients_) client->SetBudgetShare(share);
}

size_t StripeClients::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

}  // namespace payvox::stripe
