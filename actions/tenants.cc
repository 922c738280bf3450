#include "actions/tenants.h"

#include <openssl/sha.h>

#include "absl/algorithm/container.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/constant_time.h"
#include "common/secure_random.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

constexpr absl::string_view kTenantTokenPrefix = "pvxt_";

absl::Status Unauthenticated() {
  return absl::UnauthenticatedError(
      "a valid bearer token is required: send \"authorization: Bearer <token>\"");
}

}  // namespace

std::string HashToken(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::StatusOr<std::string> NewTenantToken(absl::string_view tenant_id) {
  PAYVOX_ASSIGN_OR_RETURN(const std::string random, SecureRandomBytes(32));
  return absl::StrCat(kTenantTokenPrefix, tenant_id, ".", absl::WebSafeBase64Escape(random));
}

bool ValidTenantId(absl::string_view id) {
  return id.size() >= 3 && id.size() <= 63 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

TenantDirectory::TenantDirectory(Store& store, StoreExecutor& executor, const Clock& clock,
                                 Options options)
    : store_(store),
      executor_(executor),
      clock_(clock),
      options_(std::move(options)),
      operator_hash_(options_.operator_token.empty() ? "" : HashToken(options_.operator_token)) {}

std::shared_ptr<TenantRuntime> TenantDirectory::MakeRuntime(
    const std::string& tenant_id, std::shared_ptr<stripe::ResilientStripeClient> client) {
  auto runtime = std::make_shared<TenantRuntime>();
  runtime->tenant_id = tenant_id;
  if (client != nullptr && options_.keyring != nullptr) {
    runtime->mode = client->mode() == stripe::Mode::kLive ? "live" : "test";
    runtime->stripe = std::move(client);
    ActionOptions actions = options_.actions;
    actions.tenant_id = tenant_id;
    runtime->actions = std::make_unique<TenantActions>(*runtime->stripe, executor_, clock_,
                                                       *options_.keyring, std::move(actions));
    runtime->catalog = std::make_unique<ActionDispatcher>(*runtime->actions);
  }
  return runtime;
}

bool TenantDirectory::HasTenantTokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return absl::c_any_of(tokens_, [](const auto& entry) { return !entry.second.empty(); });
}

boost::asio::awaitable<absl::Status> TenantDirectory::ReloadTokens() {
  const absl::Time now = clock_.Now();
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::vector<TenantToken> stored,
      co_await executor_.Run([now](Store& store) { return store.TenantTokens(now); }));
  InstallTokens(std::move(stored));
  co_return absl::OkStatus();
}

void TenantDirectory::InstallTokens(std::vector<TenantToken> stored) {
  absl::flat_hash_map<std::string, std::vector<TenantToken>> tokens;
  for (TenantToken& token : stored) tokens[token.tenant_id].push_back(std::move(token));
  if (!options_.config_tenant_token.empty()) {
    tokens[options_.config_tenant].push_back({.tenant_id = options_.config_tenant,
                                              .token_hash = HashToken(options_.config_tenant_token),
                                              .created = clock_.Now()});
  }
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::move(tokens);
}

absl::StatusOr<std::vector<std::string>> TenantDirectory::Load(
    std::shared_ptr<stripe::ResilientStripeClient> config_client) {
  std::vector<std::string> unconnected;
  PAYVOX_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, store_.ListTenants());
  absl::flat_hash_map<std::string, std::shared_ptr<TenantRuntime>> runtimes;
  runtimes[options_.config_tenant] = MakeRuntime(options_.config_tenant, std::move(config_client));
  for (const Tenant& tenant : tenants) {
    if (tenant.tenant_id == options_.config_tenant) continue;
    std::shared_ptr<stripe::ResilientStripeClient> client;
    if (!tenant.stripe_key_sealed.empty() && options_.keyring != nullptr) {
      absl::StatusOr<std::string> key =
          options_.keyring->Open(tenant.stripe_key_sealed, StripeKeyContext(tenant.tenant_id));
      absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>> made =
          key.ok() ? options_.connect(*std::move(key))
                   : absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>>(key.status());
      if (made.ok()) {
        client = *std::move(made);
      } else {
        unconnected.push_back(absl::StrCat(tenant.tenant_id, ": ", made.status().message()));
      }
    }
    runtimes[tenant.tenant_id] = MakeRuntime(tenant.tenant_id, std::move(client));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    runtimes_ = std::move(runtimes);
  }
  // At start, before any call: the store is read on this thread.
  PAYVOX_ASSIGN_OR_RETURN(std::vector<TenantToken> stored, store_.TenantTokens(clock_.Now()));
  InstallTokens(std::move(stored));
  return unconnected;
}

absl::StatusOr<std::shared_ptr<TenantRuntime>> TenantDirectory::Authenticate(
    absl::string_view token) const {
  absl::string_view rest = token;
  if (!absl::ConsumePrefix(&rest, kTenantTokenPrefix)) return Unauthenticated();
  const std::string tenant(rest.substr(0, rest.find('.')));
  const std::string hash = HashToken(token);
  const absl::Time now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  const auto tokens = tokens_.find(tenant);
  if (tokens == tokens_.end()) return Unauthenticated();
  bool match = false;
  for (const TenantToken& live : tokens->second) {
    // Every live token is compared, so the time does not say which matched.
    match |= ConstantTimeEquals(hash, live.token_hash) && now < live.expires_at;
  }
  if (!match) return Unauthenticated();
  const auto runtime = runtimes_.find(tenant);
  if (runtime == runtimes_.end()) return Unauthenticated();
  return runtime->second;
}

absl::StatusOr<std::shared_ptr<TenantRuntime>> TenantDirectory::Connected(
    absl::string_view token) const {
  PAYVOX_ASSIGN_OR_RETURN(std::shared_ptr<TenantRuntime> runtime, Authenticate(token));
  return Serving(std::move(runtime));
}

absl::StatusOr<std::shared_ptr<TenantRuntime>> TenantDirectory::Serving(
    std::shared_ptr<TenantRuntime> runtime) {
  if (runtime->actions == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("tenant ", runtime->tenant_id,
                     " has no Stripe key yet: an operator connects one with "
                     "AdminService.ConnectStripe"));
  }
  return runtime;
}

absl::Status TenantDirectory::AuthenticateOperator(absl::string_view token) const {
  if (operator_hash_.empty() || token.empty() ||
      !ConstantTimeEquals(HashToken(token), operator_hash_)) {
    return absl::UnauthenticatedError(
        "AdminService needs the operator token: send \"authorization: Bearer <operator token>\"");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<TenantRuntime>> TenantDirectory::Find(
    const std::string& tenant_id) const {
  if (tenant_id.empty()) return absl::InvalidArgumentError("tenant_id is required");
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = runtimes_.find(tenant_id);
  if (it == runtimes_.end()) return absl::NotFoundError(absl::StrCat("no tenant ", tenant_id));
  return it->second;
}

boost::asio::awaitable<absl::StatusOr<std::string>> TenantDirectory::CreateTenant(
    std::string tenant_id, std::string display_name) {
  if (!ValidTenantId(tenant_id)) {
    co_return absl::InvalidArgumentError(
        "tenant_id must be 3 to 63 lower-case letters, digits or '-'");
  }
  if (display_name.size() > 200) {
    co_return absl::InvalidArgumentError("display_name must be at most 200 characters");
  }
  if (Find(tenant_id).ok()) {
    co_return absl::AlreadyExistsError(absl::StrCat("tenant ", tenant_id, " already exists"));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const std::string token, NewTenantToken(tenant_id));
  const Tenant tenant{
      .tenant_id = tenant_id, .display_name = display_name, .created = clock_.Now()};
  const TenantToken first{
      .tenant_id = tenant_id, .token_hash = HashToken(token), .created = clock_.Now()};
  const absl::Status created =
      co_await executor_.Run([&](Store& store) { return store.CreateTenant(tenant, first); });
  PAYVOX_CO_RETURN_IF_ERROR(created);
  {
    std::lock_guard<std::mutex> lock(mu_);
    runtimes_[tenant_id] = MakeRuntime(tenant_id, nullptr);
  }
  const absl::Status reloaded = co_await ReloadTokens();
  PAYVOX_CO_RETURN_IF_ERROR(reloaded);
  co_return token;
}

boost::asio::awaitable<absl::StatusOr<std::pair<std::string, absl::Time>>>
TenantDirectory::RotateToken(std::string tenant_id, absl::Duration overlap) {
  PAYVOX_CO_RETURN_IF_ERROR(Find(tenant_id).status());
  if (tenant_id == options_.config_tenant) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "tenant ", tenant_id,
        "'s token comes from payvoxd's configuration (auth.tenant_token_env or _file); rotate "
        "it there"));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const std::string token, NewTenantToken(tenant_id));
  const absl::Time previous_expires_at = clock_.Now() + overlap;
  const TenantToken added{
      .tenant_id = tenant_id, .token_hash = HashToken(token), .created = clock_.Now()};
  const absl::Status stored = co_await executor_.Run(
      [&](Store& store) { return store.AddTenantToken(added, previous_expires_at); });
  PAYVOX_CO_RETURN_IF_ERROR(stored);
  const absl::Status reloaded = co_await ReloadTokens();
  PAYVOX_CO_RETURN_IF_ERROR(reloaded);
  co_return std::make_pair(token, previous_expires_at);
}

boost::asio::awaitable<absl::Status> TenantDirectory::Connect(
    std::string tenant_id, std::string api_key,
    std::shared_ptr<stripe::ResilientStripeClient> client) {
  PAYVOX_CO_RETURN_IF_ERROR(Find(tenant_id).status());
  if (tenant_id == options_.config_tenant) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("tenant ", tenant_id,
                     "'s Stripe key comes from payvoxd's configuration (stripe.api_key_env "
                     "or _file)"));
  }
  if (options_.keyring == nullptr) {
    co_return absl::FailedPreconditionError(
        "payvoxd has no master key to seal the Stripe key: set secrets.master_key_file or "
        "PAYVOX_MASTER_KEY");
  }
  const std::string mode = client->mode() == stripe::Mode::kLive ? "live" : "test";
  PAYVOX_CO_ASSIGN_OR_RETURN(const std::string sealed,
                             options_.keyring->Seal(api_key, StripeKeyContext(tenant_id)));
  const absl::Status stored = co_await executor_.Run(
      [&](Store& store) { return store.SetStripeKey(tenant_id, sealed, mode); });
  PAYVOX_CO_RETURN_IF_ERROR(stored);
  std::shared_ptr<TenantRuntime> runtime = MakeRuntime(tenant_id, std::move(client));
  {
    std::lock_guard<std::mutex> lock(mu_);
    retired_.push_back(std::move(runtimes_[tenant_id]));
    runtimes_[tenant_id] = std::move(runtime);
  }
  // What the calls' sessions hold came from the account it replaced.
  if (options_.actions.sessions != nullptr) options_.actions.sessions->EndTenant(tenant_id);
  co_return absl::OkStatus();
}

boost::asio::awaitable<absl::Status> TenantDirectory::Disconnect(std::string tenant_id) {
  PAYVOX_CO_RETURN_IF_ERROR(Find(tenant_id).status());
  if (tenant_id == options_.config_tenant) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("tenant ", tenant_id, "'s Stripe key comes from payvoxd's configuration"));
  }
  const absl::Status stored =
      co_await executor_.Run([&](Store& store) { return store.SetStripeKey(tenant_id, "", ""); });
  PAYVOX_CO_RETURN_IF_ERROR(stored);
  {
    std::lock_guard<std::mutex> lock(mu_);
    retired_.push_back(std::move(runtimes_[tenant_id]));
    runtimes_[tenant_id] = MakeRuntime(tenant_id, nullptr);
  }
  if (options_.actions.sessions != nullptr) options_.actions.sessions->EndTenant(tenant_id);
  co_return absl::OkStatus();
}

std::string TokenTenant(absl::string_view token) {
  if (absl::StartsWith(token, "pvxo_")) return "operator";
  if (!absl::ConsumePrefix(&token, "pvxt_")) return "";
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos || dot == 0 || dot > 64) return "";
  return std::string(token.substr(0, dot));
}

}  // namespace payvox
