// tenants.h: TenantDirectory, the tenants payvoxd serves and who may call
// it.
//
// Each tenant has its own Stripe connection, policy, webhook secrets, audit
// trail and events; its TenantRuntime holds its Stripe client and the
// TenantActions bound to its tenant id, so everything an action reads or
// writes is the caller's tenant's. Callers present a bearer token in the
// gRPC metadata ("authorization: Bearer pvxt_<tenant>.<secret>"); tokens are
// kept only as SHA-256 hashes (in the store, and in memory for the config
// file's tenant), compared in constant time against every live token of the
// tenant the token names, and rotatable with an overlap. AdminService needs
// the operator token (pvxo_...), never a tenant's.
//
// Tenant Stripe keys are stored sealed (common/secret_box.h) and opened
// when payvoxd starts or ConnectStripe succeeds.
#ifndef PAYVOX_ACTIONS_TENANTS_H_
#define PAYVOX_ACTIONS_TENANTS_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "actions/dispatcher.h"
#include "actions/tenant_actions.h"
#include "client/resilient_stripe_client.h"
#include "common/clock.h"
#include "common/secret_box.h"
#include "store/store.h"

namespace payvox {

struct TenantRuntime {
  std::string tenant_id;
  // "test" or "live"; empty until the tenant's Stripe key is connected.
  std::string mode;
  // Null until connected.
  std::shared_ptr<stripe::ResilientStripeClient> stripe;
  std::unique_ptr<TenantActions> actions;
  std::unique_ptr<ActionDispatcher> catalog;
};

// HashToken is the hex SHA-256 of a bearer token, as stored.
std::string HashToken(absl::string_view token);

// NewTenantToken makes "pvxt_<tenant>.<43 random base64url characters>".
absl::StatusOr<std::string> NewTenantToken(absl::string_view tenant_id);

// ValidTenantId: 3 to 63 lower-case letters, digits or '-'.
bool ValidTenantId(absl::string_view tenant_id);

class TenantDirectory {
 public:
  struct Options {
    // The config file's tenant, served with the config's Stripe key.
    std::string config_tenant;
    // Its bearer token (from the config's source; kept hashed); empty: only
    // tokens in the store.
    std::string config_tenant_token;
    // The operator token for AdminService; empty: AdminService refuses
    // every call.
    std::string operator_token;
    // Opens stored Stripe keys and seals saved answers; required to serve
    // actions (PayvoxApp refuses to start without one).
    const Keyring* keyring = nullptr;
    // Makes a Stripe client for a key.
    std::function<absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>>(std::string)>
        connect;
    // The TenantActions options of a tenant (its id filled in here).
    ActionOptions actions;
  };

  // `store` and `clock` must outlive the directory.
  TenantDirectory(Store& store, StoreExecutor& executor, const Clock& clock, Options options);

  // Load serves the config tenant with `config_client` and every stored
  // tenant with its opened key. A stored key that does not open (another
  // master key) leaves that tenant unconnected, reported in the result.
  absl::StatusOr<std::vector<std::string>> Load(
      std::shared_ptr<stripe::ResilientStripeClient> config_client);

  // Authenticate: the tenant whose live token `bearer_token` is (each
  // transport reads it from its own envelope); UNAUTHENTICATED when missing
  // or wrong (never saying which).
  absl::StatusOr<std::shared_ptr<TenantRuntime>> Authenticate(absl::string_view bearer_token) const;
  // Connected: Authenticate, then FAILED_PRECONDITION when the tenant has
  // no Stripe key yet.
  absl::StatusOr<std::shared_ptr<TenantRuntime>> Connected(absl::string_view bearer_token) const;
  // AuthenticateOperator: OK for the operator token only.
  absl::Status AuthenticateOperator(absl::string_view bearer_token) const;
  // Find: NOT_FOUND naming the id when payvoxd serves no such tenant.
  absl::StatusOr<std::shared_ptr<TenantRuntime>> Find(const std::string& tenant_id) const;
  // Serving: `runtime` when it can run actions, FAILED_PRECONDITION when its
  // tenant has no Stripe key yet (Connected's second half, for transports
  // that authenticate the tenant themselves).
  static absl::StatusOr<std::shared_ptr<TenantRuntime>> Serving(
      std::shared_ptr<TenantRuntime> runtime);

  // The changes below write the store on the StoreExecutor's threads.
  //
  // CreateTenant stores a tenant and returns its first token (shown once).
  boost::asio::awaitable<absl::StatusOr<std::string>> CreateTenant(std::string tenant_id,
                                                                   std::string display_name);
  // RotateToken returns a new token; the others work until `overlap` from
  // now. Returns the token and when the previous ones stop.
  boost::asio::awaitable<absl::StatusOr<std::pair<std::string, absl::Time>>> RotateToken(
      std::string tenant_id, absl::Duration overlap);
  // Connect stores the key sealed and serves the tenant with `client`
  // (already probed).
  boost::asio::awaitable<absl::Status> Connect(
      std::string tenant_id, std::string api_key,
      std::shared_ptr<stripe::ResilientStripeClient> client);
  boost::asio::awaitable<absl::Status> Disconnect(std::string tenant_id);

  const Keyring* keyring() const { return options_.keyring; }
  // HasTenantTokens: a live tenant token (configured or stored) exists;
  // without one, every ActionService call is refused.
  bool HasTenantTokens() const;

 private:
  std::shared_ptr<TenantRuntime> MakeRuntime(const std::string& tenant_id,
                                             std::shared_ptr<stripe::ResilientStripeClient> client);
  // ReloadTokens reads the live tokens again; InstallTokens serves them.
  boost::asio::awaitable<absl::Status> ReloadTokens();
  void InstallTokens(std::vector<TenantToken> stored);

  Store& store_;
  StoreExecutor& executor_;
  const Clock& clock_;
  const Options options_;
  const std::string operator_hash_;

  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<TenantRuntime>> runtimes_ ABSL_GUARDED_BY(mu_);
  // Runtimes replaced by a reconnection stay alive for calls still using
  // them, until payvoxd stops.
  std::vector<std::shared_ptr<TenantRuntime>> retired_ ABSL_GUARDED_BY(mu_);
  // Live token hashes by tenant.
  absl::flat_hash_map<std::string, std::vector<TenantToken>> tokens_ ABSL_GUARDED_BY(mu_);
};

// TokenTenant is the tenant a bearer token names, for logs ("pvxt_acme.x"
// -> "acme"; an operator token -> "operator"; anything else -> ""): never
// the token's secret part.
std::string TokenTenant(absl::string_view token);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_TENANTS_H_
