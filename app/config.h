// config.h: payvoxd's configuration file, read into payvox.v1.ServerConfig
// (proto/payvox/v1/config.proto is the schema).
//
// The file is JSON. Unknown fields are rejected, defaults are filled in, and
// every value is checked; the first bad value fails startup with a message
// naming its field ("stripe.api_base_url: must start with https:// or
// http://"). Secrets are never in the file: the Stripe key comes from the
// environment variable or file the config names.
#ifndef PAYVOX_APP_CONFIG_H_
#define PAYVOX_APP_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/resilient_stripe_client.h"
#include "common/secret_box.h"
#include "payvox/v1/config.pb.h"

namespace payvox {

// ParseConfig parses JSON text, fills defaults and validates.
absl::StatusOr<v1::ServerConfig> ParseConfig(absl::string_view json);

// LoadConfigFile reads and parses `path`; an empty path yields the defaults.
absl::StatusOr<v1::ServerConfig> LoadConfigFile(const std::string& path);

// ApplyDefaults fills every unset field with its documented default.
void ApplyDefaults(v1::ServerConfig& config);

// ValidateConfig returns INVALID_ARGUMENT naming the first bad field.
absl::Status ValidateConfig(const v1::ServerConfig& config);

// ReadStripeKey returns the key from stripe.api_key_env or
// stripe.api_key_file (trailing whitespace removed). FAILED_PRECONDITION
// names the variable or file when it is missing or empty; the key itself
// never appears in a message.
absl::StatusOr<std::string> ReadStripeKey(const v1::StripeConfig& stripe);

// ReadWebhookSecrets returns the 1 to 4 whsec_ secrets named by
// webhooks.signing_secrets_env (comma-separated) or signing_secrets_file (one
// per line). NOT_FOUND when the source holds none; FAILED_PRECONDITION
// names the source of a malformed one, never a secret.
absl::StatusOr<std::vector<std::string>> ReadWebhookSecrets(const v1::WebhooksConfig& webhooks);

// ReadMasterKeys loads the master key named by secrets.master_key_file or
// master_key_env, and the previous keys; nullopt when none is configured.
// FAILED_PRECONDITION names the file or variable, never the key.
absl::StatusOr<std::optional<Keyring>> ReadMasterKeys(const v1::SecretsConfig& secrets);

struct AuthTokens {
  std::string tenant;          // empty: none configured
  std::string operator_token;  // empty: none configured
};
// ReadAuthTokens reads the config tenant's and the operator's tokens from
// config.auth's sources and checks their form. FAILED_PRECONDITION names
// the source, never the token.
absl::StatusOr<AuthTokens> ReadAuthTokens(const v1::ServerConfig& config);

// GatewaySecrets are the front door's keys (config.gateway's sources).
struct GatewaySecrets {
  // By tenant id.
  absl::flat_hash_map<std::string, std::string> retell_api_keys;
};
// ReadGatewaySecrets: FAILED_PRECONDITION names the source, never the key.
absl::StatusOr<GatewaySecrets> ReadGatewaySecrets(const v1::GatewayConfig& gateway);
// ReadConfirmationKey: the confirmation tokens' key; empty when none is
// configured (payvoxd makes a random one).
// ReadPostgresPassword returns store.postgres's password (the first line
// of password_file, or password_env's value; "" when neither holds one).
absl::StatusOr<std::string> ReadPostgresPassword(const v1::PostgresConfig& postgres);

absl::StatusOr<std::string> ReadConfirmationKey(const v1::ConfirmationConfig& confirmations);

// StripeClientOptionsFrom turns validated config into the Stripe client's
// options; rates left at 0 become the documented limits of the key's mode.
stripe::StripeClientOptions StripeClientOptionsFrom(const v1::StripeConfig& stripe,
                                                    std::string api_key);

}  // namespace payvox

#endif  // PAYVOX_APP_CONFIG_H_
