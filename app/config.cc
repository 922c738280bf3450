#include "app/config.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "actions/tenant_actions.h"
#include "client/http_connection_pool.h"
#include "common/log.h"
#include "common/strict_json.h"
#include "policy/policy.h"

namespace payvox {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("config field ", field, ": ", why));
}

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t low, int64_t high) {
  if (value < low || value > high) {
    return Bad(field, absl::StrCat("must be ", low, " to ", high, "; got ", value));
  }
  return absl::OkStatus();
}

// Range: a field's value and the bounds it must keep, for CheckRanges.
struct Range {
  const char* field;
  int64_t value, low, high;
};

// CheckRanges: the first field out of its bounds, named.
absl::Status CheckRanges(std::initializer_list<Range> ranges) {
  for (const Range& range : ranges) {
    if (absl::Status s = CheckRange(range.field, range.value, range.low, range.high); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHostPort(absl::string_view field, absl::string_view address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return Bad(field,
               absl::StrCat("must be host:port with a port 0 to 65535; got \"", address, "\""));
  }
  return absl::OkStatus();
}

bool IsTenantId(absl::string_view id) {
  if (id.size() < 3 || id.size() > 63) return false;
  for (const char c : id) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

void ApplyDefaults(v1::ServerConfig& config) {
  if (config.grpc_listen_address().empty()) config.set_grpc_listen_address("127.0.0.1:50051");
  if (config.shutdown_grace_seconds() == 0) config.set_shutdown_grace_seconds(10);
  if (config.tenant_id().empty()) config.set_tenant_id("default");
  if (config.io_threads() == 0) config.set_io_threads(2);
  if (config.time_zone().empty()) config.set_time_zone("UTC");
  if (config.log_level().empty()) config.set_log_level("info");
  v1::StripeConfig& stripe = *config.mutable_stripe();
  if (stripe.api_base_url().empty()) stripe.set_api_base_url("https://api.stripe.com");
  if (stripe.api_version().empty()) stripe.set_api_version("2024-06-20");
  if (stripe.default_timeout_ms() == 0) stripe.set_default_timeout_ms(10000);
  if (stripe.max_connections() == 0) stripe.set_max_connections(16);
  if (stripe.idle_timeout_ms() == 0) stripe.set_idle_timeout_ms(25000);
  if (!stripe.has_warm_connections()) stripe.set_warm_connections(2);
  if (!stripe.has_max_retries()) stripe.set_max_retries(2);
  if (stripe.breaker_failure_threshold() == 0) stripe.set_breaker_failure_threshold(5);
  if (stripe.breaker_cool_down_ms() == 0) stripe.set_breaker_cool_down_ms(10000);
  if (stripe.api_key_env().empty() && stripe.api_key_file().empty()) {
    stripe.set_api_key_env("PAYVOX_STRIPE_API_KEY");
  }
  v1::WebhooksConfig& webhooks = *config.mutable_webhooks();
  if (webhooks.signing_secrets_env().empty() && webhooks.signing_secrets_file().empty()) {
    webhooks.set_signing_secrets_env("PAYVOX_WEBHOOK_SECRETS");
  }
  if (webhooks.max_body_bytes() == 0) webhooks.set_max_body_bytes(1 << 20);
  if (webhooks.max_connections() == 0) webhooks.set_max_connections(256);
  if (webhooks.tolerance_seconds() == 0) webhooks.set_tolerance_seconds(300);
  if (webhooks.subscriber_queue() == 0) webhooks.set_subscriber_queue(256);
  if (webhooks.heartbeat_seconds() == 0) webhooks.set_heartbeat_seconds(15);
  if (!webhooks.has_secret_overlap_seconds()) webhooks.set_secret_overlap_seconds(86400);
  // No policy at all is the conservative one; "policy": {} says "no bounds".
  if (!config.has_policy()) *config.mutable_policy() = policy::ConservativePolicy();
  v1::AuthConfig& auth = *config.mutable_auth();
  if (auth.tenant_token_env().empty() && auth.tenant_token_file().empty()) {
    auth.set_tenant_token_env("PAYVOX_TENANT_TOKEN");
  }
  if (auth.operator_token_env().empty() && auth.operator_token_file().empty()) {
    auth.set_operator_token_env("PAYVOX_OPERATOR_TOKEN");
  }
  if (config.store().has_postgres()) {
    v1::PostgresConfig& postgres = *config.mutable_store()->mutable_postgres();
    if (postgres.password_env().empty() && postgres.password_file().empty()) {
      postgres.set_password_env("PAYVOX_POSTGRES_PASSWORD");
    }
    if (postgres.pool_size() == 0) postgres.set_pool_size(8);
    if (postgres.statement_timeout_ms() == 0) postgres.set_statement_timeout_ms(5000);
    if (postgres.acquire_timeout_ms() == 0) postgres.set_acquire_timeout_ms(2000);
  }
  v1::SecretsConfig& secrets = *config.mutable_secrets();
  if (secrets.master_key_env().empty() && secrets.master_key_file().empty()) {
    secrets.set_master_key_env("PAYVOX_MASTER_KEY");
  }
  v1::VerificationConfig& verification = *config.mutable_verification();
  if (verification.max_attempts() == 0) verification.set_max_attempts(3);
  if (verification.ttl_seconds() == 0) verification.set_ttl_seconds(1800);
  v1::CallSessionsConfig& sessions = *config.mutable_call_sessions();
  if (sessions.idle_timeout_seconds() == 0) sessions.set_idle_timeout_seconds(1800);
  if (sessions.money_fresh_seconds() == 0) sessions.set_money_fresh_seconds(60);
  if (sessions.account_fresh_seconds() == 0) sessions.set_account_fresh_seconds(300);
  if (sessions.max_session_kib() == 0) sessions.set_max_session_kib(512);
  if (sessions.max_total_mib() == 0) sessions.set_max_total_mib(64);
  if (sessions.begin_call_wait_ms() == 0) sessions.set_begin_call_wait_ms(2000);
  v1::GatewayConfig& gateway = *config.mutable_gateway();
  if (gateway.max_body_bytes() == 0) gateway.set_max_body_bytes(256 << 10);
  if (gateway.max_connections() == 0) gateway.set_max_connections(512);
  if (gateway.tool_timeout_ms() == 0) gateway.set_tool_timeout_ms(15000);
  if (gateway.repeat_window_seconds() == 0) gateway.set_repeat_window_seconds(600);
  v1::ConfirmationConfig& confirmations = *config.mutable_confirmations();
  if (confirmations.ttl_seconds() == 0) confirmations.set_ttl_seconds(300);
}

namespace {

absl::Status ValidateGateway(const v1::GatewayConfig& gateway) {
  if (!gateway.listen_address().empty()) {
    if (absl::Status s = CheckHostPort("gateway.listen_address", gateway.listen_address());
        !s.ok()) {
      return s;
    }
  }
  if (gateway.tls_cert_file().empty() != gateway.tls_key_file().empty()) {
    return Bad("gateway.tls_cert_file", "set tls_cert_file and tls_key_file together");
  }
  for (const std::string* file : {&gateway.tls_cert_file(), &gateway.tls_key_file()}) {
    if (!file->empty() && !std::ifstream(*file).good()) {
      return Bad("gateway.tls_cert_file", absl::StrCat("cannot read \"", *file, "\""));
    }
  }
  if (absl::Status s = CheckRanges({
          {"gateway.max_body_bytes", gateway.max_body_bytes(), 1024, 4 << 20},
          {"gateway.max_connections", gateway.max_connections(), 1, 10000},
          {"gateway.tool_timeout_ms", gateway.tool_timeout_ms(), 1000, 120000},
          {"gateway.repeat_window_seconds", gateway.repeat_window_seconds(), 10, 3600},
      });
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < gateway.tenants_size(); ++i) {
    const v1::GatewayTenant& tenant = gateway.tenants(i);
    const std::string field = absl::StrCat("gateway.tenants[", i, "]");
    if (!IsTenantId(tenant.tenant_id())) {
      return Bad(field + ".tenant_id", "must be 3 to 63 lower-case letters, digits or '-'");
    }
    if (!tenant.retell_api_key_env().empty() && !tenant.retell_api_key_file().empty()) {
      return Bad(field + ".retell_api_key_env",
                 "set retell_api_key_env or retell_api_key_file, not both");
    }
  }
  return absl::OkStatus();
}

// ValidatePostgres checks store.postgres: a connection string without a
// password, and bounds.
absl::Status ValidatePostgres(const v1::ServerConfig& config) {
  if (!config.store().has_postgres()) return absl::OkStatus();
  const v1::PostgresConfig& postgres = config.store().postgres();
  const std::string conninfo = absl::AsciiStrToLower(postgres.conninfo());
  if (absl::StripAsciiWhitespace(conninfo).empty()) {
    return Bad("store.postgres.conninfo", "is required (\"host=... dbname=... user=...\")");
  }
  if (!config.store_path().empty()) {
    return Bad("store_path", "set store_path (SQLite) or store.postgres, not both");
  }
  // A URI's user:password@, or a password= key.
  const size_t scheme = conninfo.find("://");
  const size_t at = conninfo.find('@');
  const bool uri_password =
      scheme != std::string::npos && at != std::string::npos &&
      conninfo.substr(scheme + 3, at - scheme - 3).find(':') != std::string::npos;
  if (uri_password || absl::StrContains(conninfo, "password")) {
    return Bad("store.postgres.conninfo",
               "must not hold a password: use password_file or password_env");
  }
  if (!postgres.password_env().empty() && !postgres.password_file().empty()) {
    return Bad("store.postgres.password_env", "set password_env or password_file, not both");
  }
  return CheckRanges({
      {"store.postgres.pool_size", postgres.pool_size(), 1, 100},
      {"store.postgres.statement_timeout_ms", postgres.statement_timeout_ms(), 100, 60000},
      {"store.postgres.acquire_timeout_ms", postgres.acquire_timeout_ms(), 10, 60000},
  });
}

}  // namespace

absl::Status ValidateConfig(const v1::ServerConfig& config) {
  if (absl::Status s = CheckHostPort("grpc_listen_address", config.grpc_listen_address());
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("shutdown_grace_seconds", config.shutdown_grace_seconds(), 1, 300);
      !s.ok()) {
    return s;
  }
  if (!IsTenantId(config.tenant_id())) {
    return Bad("tenant_id", "must be 3 to 63 lower-case letters, digits or '-'");
  }
  if (absl::Status s = CheckRange("io_threads", config.io_threads(), 1, 64); !s.ok()) return s;
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(config.time_zone(), &zone)) {
    return Bad("time_zone", absl::StrCat("unknown IANA time zone \"", config.time_zone(), "\""));
  }
  const v1::WebhooksConfig& webhooks = config.webhooks();
  if (!webhooks.listen_address().empty()) {
    if (absl::Status s = CheckHostPort("webhooks.listen_address", webhooks.listen_address());
        !s.ok()) {
      return s;
    }
  }
  if (!webhooks.signing_secrets_env().empty() && !webhooks.signing_secrets_file().empty()) {
    return Bad("webhooks.signing_secrets_env",
               "set signing_secrets_env or signing_secrets_file, not both");
  }
  if (absl::Status s =
          CheckRange("webhooks.max_body_bytes", webhooks.max_body_bytes(), 1024, 16 << 20);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("webhooks.max_connections", webhooks.max_connections(), 1, 10000);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("webhooks.tolerance_seconds", webhooks.tolerance_seconds(), 10, 3600);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("webhooks.subscriber_queue", webhooks.subscriber_queue(), 1, 100000);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("webhooks.heartbeat_seconds", webhooks.heartbeat_seconds(), 1, 300);
      !s.ok()) {
    return s;
  }
  if (webhooks.tls_cert_file().empty() != webhooks.tls_key_file().empty()) {
    return Bad("webhooks.tls_cert_file", "set tls_cert_file and tls_key_file together");
  }
  for (const std::string* file : {&webhooks.tls_cert_file(), &webhooks.tls_key_file()}) {
    if (!file->empty() && !std::ifstream(*file).good()) {
      return Bad("webhooks.tls_cert_file", absl::StrCat("cannot read \"", *file, "\""));
    }
  }
  if (absl::Status s = CheckRange("webhooks.secret_overlap_seconds",
                                  webhooks.secret_overlap_seconds(), 0, 604800);
      !s.ok()) {
    return s;
  }
  const v1::GrpcTlsConfig& tls = config.grpc_tls();
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return Bad("grpc_tls.cert_file", "set cert_file and key_file together");
  }
  if (!tls.client_ca_file().empty() && tls.cert_file().empty()) {
    return Bad("grpc_tls.client_ca_file", "needs cert_file and key_file");
  }
  for (const std::string* file : {&tls.cert_file(), &tls.key_file(), &tls.client_ca_file()}) {
    if (!file->empty() && !std::ifstream(*file).good()) {
      return Bad("grpc_tls", absl::StrCat("cannot read \"", *file, "\""));
    }
  }
  if (!ParseLogLevel(config.log_level()).has_value()) {
    return Bad("log_level", "must be debug, info, warning or error");
  }
  for (const auto& [field, address] :
       {std::pair{"metrics_listen_address", &config.metrics_listen_address()},
        std::pair{"grpc_health_listen_address", &config.grpc_health_listen_address()}}) {
    if (address->empty()) continue;
    if (absl::Status s = CheckHostPort(field, *address); !s.ok()) return s;
  }
  if (!config.auth().tenant_token_env().empty() && !config.auth().tenant_token_file().empty()) {
    return Bad("auth.tenant_token_env", "set tenant_token_env or tenant_token_file, not both");
  }
  if (!config.auth().operator_token_env().empty() && !config.auth().operator_token_file().empty()) {
    return Bad("auth.operator_token_env",
               "set operator_token_env or operator_token_file, not both");
  }
  if (absl::Status s = ValidatePostgres(config); !s.ok()) return s;
  const v1::SecretsConfig& secrets = config.secrets();
  if (!secrets.master_key_env().empty() && !secrets.master_key_file().empty()) {
    return Bad("secrets.master_key_env", "set master_key_env or master_key_file, not both");
  }
  const v1::StripeConfig& stripe = config.stripe();
  if (absl::StatusOr<stripe::ParsedUrl> url = stripe::ParseBaseUrl(stripe.api_base_url());
      !url.ok()) {
    return Bad("stripe.api_base_url", url.status().message());
  }
  if (!stripe.api_key_env().empty() && !stripe.api_key_file().empty()) {
    return Bad("stripe.api_key_env", "set api_key_env or api_key_file, not both");
  }
  if (!stripe.extra_ca_file().empty() && !std::ifstream(stripe.extra_ca_file()).good()) {
    return Bad("stripe.extra_ca_file",
               absl::StrCat("cannot read \"", stripe.extra_ca_file(), "\""));
  }
  if (absl::Status s = CheckRanges({
          {"stripe.default_timeout_ms", stripe.default_timeout_ms(), 100, 80000},
          {"stripe.max_connections", stripe.max_connections(), 1, 256},
          {"stripe.idle_timeout_ms", stripe.idle_timeout_ms(), 1000, 300000},
          {"stripe.warm_connections", stripe.warm_connections(), 0, stripe.max_connections()},
          {"stripe.max_retries", stripe.max_retries(), 0, 5},
          {"stripe.read_per_second", stripe.read_per_second(), 0, 10000},
          {"stripe.write_per_second", stripe.write_per_second(), 0, 10000},
          {"stripe.search_per_second", stripe.search_per_second(), 0, 10000},
          {"stripe.endpoint_per_second", stripe.endpoint_per_second(), 0, 10000},
          {"stripe.breaker_failure_threshold", stripe.breaker_failure_threshold(), 1, 100},
          {"stripe.breaker_cool_down_ms", stripe.breaker_cool_down_ms(), 100, 600000},
          {"verification.max_attempts", config.verification().max_attempts(), 1, 10},
          {"verification.ttl_seconds", config.verification().ttl_seconds(), 60, 86400},
      });
      !s.ok()) {
    return s;
  }
  const v1::CallSessionsConfig& sessions = config.call_sessions();
  if (absl::Status s = CheckRanges({
          {"call_sessions.idle_timeout_seconds", sessions.idle_timeout_seconds(), 60, 86400},
          {"call_sessions.money_fresh_seconds", sessions.money_fresh_seconds(), 1, 3600},
          {"call_sessions.account_fresh_seconds", sessions.account_fresh_seconds(), 1, 3600},
          {"call_sessions.max_session_kib", sessions.max_session_kib(), 16, 65536},
          {"call_sessions.max_total_mib", sessions.max_total_mib(), 1, 65536},
          {"call_sessions.begin_call_wait_ms", sessions.begin_call_wait_ms(), 1, 10000},
      });
      !s.ok()) {
    return s;
  }
  if (int64_t{sessions.max_session_kib()} > int64_t{sessions.max_total_mib()} * 1024) {
    return absl::InvalidArgumentError(
        "config field call_sessions.max_session_kib must be at most max_total_mib (one session "
        "cannot hold more than all of them)");
  }
  if (absl::Status s = ValidateGateway(config.gateway()); !s.ok()) return s;
  const v1::ConfirmationConfig& confirmations = config.confirmations();
  if (!confirmations.key_env().empty() && !confirmations.key_file().empty()) {
    return Bad("confirmations.key_env", "set key_env or key_file, not both");
  }
  if (absl::Status s =
          CheckRange("confirmations.ttl_seconds", confirmations.ttl_seconds(), 10, 3600);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = policy::ValidatePolicy(config.policy(), ActionNames()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config field ", s.message()));
  }
  return absl::OkStatus();
}

stripe::StripeClientOptions StripeClientOptionsFrom(const v1::StripeConfig& stripe,
                                                    std::string api_key) {
  stripe::StripeClientOptions options;
  options.pool.base_url = stripe.api_base_url();
  options.pool.api_key = std::move(api_key);
  options.pool.api_version = stripe.api_version();
  options.pool.extra_ca_file = stripe.extra_ca_file();
  options.pool.max_connections = stripe.max_connections();
  options.pool.idle_timeout = absl::Milliseconds(stripe.idle_timeout_ms());
  options.retry.max_retries = stripe.max_retries();
  options.breaker = {.failure_threshold = stripe.breaker_failure_threshold(),
                     .cool_down = absl::Milliseconds(stripe.breaker_cool_down_ms())};
  options.default_timeout = absl::Milliseconds(stripe.default_timeout_ms());
  options.warm_connections = stripe.warm_connections();
  const stripe::RateLimits by_mode =
      stripe::RateLimits::ForMode(stripe::ModeOfKey(options.pool.api_key));
  auto or_mode = [](int32_t configured, double fallback) {
    return configured > 0 ? static_cast<double>(configured) : fallback;
  };
  options.rate_limits = stripe::RateLimits{
      .read_per_second = or_mode(stripe.read_per_second(), by_mode.read_per_second),
      .write_per_second = or_mode(stripe.write_per_second(), by_mode.write_per_second),
      .search_per_second = or_mode(stripe.search_per_second(), by_mode.search_per_second),
      .endpoint_per_second = or_mode(stripe.endpoint_per_second(), by_mode.endpoint_per_second)};
  return options;
}

absl::StatusOr<v1::ServerConfig> ParseConfig(absl::string_view json) {
  if (absl::Status strict = CheckStrictJson(json, "the config"); !strict.ok()) return strict;
  v1::ServerConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(std::string(json), &config, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config is not valid: ", std::string(parsed.message())));
  }
  ApplyDefaults(config);
  if (absl::Status status = ValidateConfig(config); !status.ok()) return status;
  return config;
}

absl::StatusOr<v1::ServerConfig> LoadConfigFile(const std::string& path) {
  if (path.empty()) return ParseConfig("{}");
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read config file \"", path, "\""));
  std::ostringstream text;
  text << file.rdbuf();
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

namespace {

// ReadSecretSource reads a secret the config names: the whole of `file`
// when it is set, else the environment variable `env` ("" when unset).
// FAILED_PRECONDITION names `what` and the file it cannot read.
absl::StatusOr<std::string> ReadSecretSource(const std::string& env, const std::string& file,
                                             absl::string_view what) {
  if (file.empty()) {
    const char* value = env.empty() ? nullptr : std::getenv(env.c_str());
    return std::string(value == nullptr ? "" : value);
  }
  std::ifstream in(file);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " \"", file, "\""));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// FirstLine is the text's first line without surrounding whitespace.
std::string FirstLine(const std::string& text) {
  return std::string(
      absl::StripAsciiWhitespace(absl::string_view(text).substr(0, text.find('\n'))));
}

}  // namespace

absl::StatusOr<std::string> ReadPostgresPassword(const v1::PostgresConfig& postgres) {
  absl::StatusOr<std::string> text = ReadSecretSource(
      postgres.password_env(), postgres.password_file(), "the PostgreSQL password file");
  if (!text.ok()) return text.status();
  return FirstLine(*text);
}

absl::StatusOr<std::string> ReadConfirmationKey(const v1::ConfirmationConfig& confirmations) {
  absl::StatusOr<std::string> key = ReadSecretSource(
      confirmations.key_env(), confirmations.key_file(), "the confirmation key file");
  if (!key.ok()) return key.status();
  std::string line = FirstLine(*key);
  if (!line.empty() && line.size() < 32) {
    return absl::FailedPreconditionError("confirmations: the key must be at least 32 characters");
  }
  return line;
}

absl::StatusOr<GatewaySecrets> ReadGatewaySecrets(const v1::GatewayConfig& gateway) {
  GatewaySecrets secrets;
  for (const v1::GatewayTenant& tenant : gateway.tenants()) {
    absl::StatusOr<std::string> retell = ReadSecretSource(
        tenant.retell_api_key_env(), tenant.retell_api_key_file(), "the Retell API key file");
    if (!retell.ok()) return retell.status();
    if (const std::string api_key = FirstLine(*retell); !api_key.empty()) {
      secrets.retell_api_keys[tenant.tenant_id()] = api_key;
    }
  }
  return secrets;
}

absl::StatusOr<std::string> ReadStripeKey(const v1::StripeConfig& stripe) {
  absl::StatusOr<std::string> text =
      ReadSecretSource(stripe.api_key_env(), stripe.api_key_file(), "the Stripe key file");
  if (!text.ok()) return text.status();
  const std::string key = FirstLine(*text);
  if (key.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no Stripe API key: set ",
                     stripe.api_key_file().empty()
                         ? absl::StrCat("the environment variable ", stripe.api_key_env())
                         : absl::StrCat("a key in ", stripe.api_key_file()),
                     ", or run with --sandbox"));
  }
  return key;
}

absl::StatusOr<std::vector<std::string>> ReadWebhookSecrets(const v1::WebhooksConfig& webhooks) {
  const std::string source =
      webhooks.signing_secrets_file().empty()
          ? absl::StrCat("the environment variable ", webhooks.signing_secrets_env())
          : absl::StrCat("the file ", webhooks.signing_secrets_file());
  absl::StatusOr<std::string> text = ReadSecretSource(
      webhooks.signing_secrets_env(), webhooks.signing_secrets_file(), "the signing secrets file");
  if (!text.ok()) return text.status();
  std::vector<std::string> secrets;
  for (absl::string_view item : absl::StrSplit(*text, absl::ByAnyChar(",\n"))) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    if (!absl::StartsWith(item, "whsec_") || item.size() < 10) {
      return absl::FailedPreconditionError(
          absl::StrCat(source, " holds a value that is not a whsec_ signing secret"));
    }
    secrets.emplace_back(item);
  }
  if (secrets.empty()) {
    return absl::NotFoundError(absl::StrCat(source, " holds no whsec_ signing secret"));
  }
  if (secrets.size() > 4) {
    return absl::FailedPreconditionError(
        absl::StrCat(source, " must hold 1 to 4 whsec_ signing secrets (comma-separated)"));
  }
  return secrets;
}

absl::StatusOr<std::optional<Keyring>> ReadMasterKeys(const v1::SecretsConfig& secrets) {
  // read: the key of a file (or, without one, of the variable); nullopt
  // when the variable is unset.
  auto read = [](const std::string& env,
                 const std::string& file) -> absl::StatusOr<std::optional<MasterKey>> {
    absl::StatusOr<std::string> text = ReadSecretSource(env, file, "the master key file");
    if (!text.ok()) return text.status();
    if (file.empty() && text->empty()) return std::optional<MasterKey>();
    absl::StatusOr<MasterKey> key = MasterKey::Parse(*text);
    if (!key.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(file.empty() ? absl::StrCat("the environment variable ", env) : file, ": ",
                       key.status().message()));
    }
    return std::optional<MasterKey>(*std::move(key));
  };
  absl::StatusOr<std::optional<MasterKey>> read_current =
      read(secrets.master_key_env(), secrets.master_key_file());
  if (!read_current.ok()) return read_current.status();
  std::optional<MasterKey> current = *std::move(read_current);
  if (!current.has_value()) {
    if (secrets.previous_master_key_files_size() > 0) {
      return absl::FailedPreconditionError(
          "secrets.previous_master_key_files is set but there is no current master key");
    }
    return std::optional<Keyring>();
  }
  std::vector<MasterKey> previous;
  for (const std::string& path : secrets.previous_master_key_files()) {
    absl::StatusOr<std::optional<MasterKey>> key = read("", path);
    if (!key.ok()) return key.status();
    previous.push_back(**std::move(key));
  }
  return std::optional<Keyring>(Keyring(*std::move(current), std::move(previous)));
}

absl::StatusOr<AuthTokens> ReadAuthTokens(const v1::ServerConfig& config) {
  auto read = [](const std::string& env, const std::string& file) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> text = ReadSecretSource(env, file, "the token file");
    if (!text.ok()) return text.status();
    return FirstLine(*text);
  };
  const v1::AuthConfig& auth = config.auth();
  AuthTokens tokens;
  absl::StatusOr<std::string> tenant = read(auth.tenant_token_env(), auth.tenant_token_file());
  if (!tenant.ok()) return tenant.status();
  absl::StatusOr<std::string> op = read(auth.operator_token_env(), auth.operator_token_file());
  if (!op.ok()) return op.status();
  const std::string tenant_prefix = absl::StrCat("pvxt_", config.tenant_id(), ".");
  if (!tenant->empty() &&
      (!absl::StartsWith(*tenant, tenant_prefix) || tenant->size() < tenant_prefix.size() + 32)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the tenant token (auth.tenant_token_", auth.tenant_token_file().empty() ? "env" : "file",
        ") must read \"", tenant_prefix, "\" followed by at least 32 random characters"));
  }
  if (!op->empty() && (!absl::StartsWith(*op, "pvxo_") || op->size() < 5 + 32)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the operator token (auth.operator_token_",
                     auth.operator_token_file().empty() ? "env" : "file",
                     ") must read \"pvxo_\" followed by at least 32 random characters"));
  }
  tokens.tenant = *std::move(tenant);
  tokens.operator_token = *std::move(op);
  return tokens;
}

}  // namespace payvox
