// payvoxd: the payvox gRPC server.
//
//   payvoxd --config=/etc/payvox/payvoxd.json
//   payvoxd --sandbox --grpc_port=0 --port_file=/tmp/payvoxd.port
//
// Reads the config (app/config.h), starts the components (app/app.h),
// prints the bound port, and on SIGINT or SIGTERM shuts down gracefully:
// health NOT_SERVING, no new calls, in-flight calls get
// shutdown_grace_seconds to finish.
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/program_flags.h"
#include "common/termination_signals.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

ABSL_FLAG(std::string, config, "", "path of the JSON config file; empty: defaults");
ABSL_FLAG(bool, sandbox, false,
          "serve against the built-in Stripe sandbox with demo data instead of Stripe");
ABSL_FLAG(int, grpc_port, -1,
          "gRPC port on the configured host, overriding the config; 0 picks a free one");
ABSL_FLAG(std::string, port_file, "", "write the bound gRPC port to this file once serving");
ABSL_FLAG(uint64_t, sandbox_seed, 0, "seed for sandbox ids (0: random)");
ABSL_FLAG(bool, migrate, false,
          "bring the store --config names (SQLite or PostgreSQL) to this payvoxd's schema, "
          "print the versions and exit: 0 when done, 1 otherwise; serves nothing");
ABSL_FLAG(bool, check_config, false,
          "parse and validate --config, print what is wrong (or that it is valid) and exit: 0 "
          "when valid, 1 otherwise; starts nothing");

namespace {

// RaiseDescriptorLimit lifts the soft limit on open files to the hard one:
// every connection of the listeners and every pooled connection to Stripe
// holds one. Returns the limit in force.
rlim_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

// Fail logs why payvoxd cannot start (a JSON line on standard error).
int Fail(absl::string_view what) {
  payvox::SystemClock clock;
  payvox::Logger(std::cerr, clock).Error("payvoxd cannot start", {{"error", std::string(what)}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  payvox::ParseProgramFlags(argc, argv, "payvoxd",
                            "payvoxd: the payvox gRPC server, Stripe actions for voice agents.\n"
                            "  payvoxd --config=/etc/payvox/payvoxd.json\n"
                            "  payvoxd --sandbox   (against the built-in Stripe sandbox)");

  // Before any thread starts, so only this one receives SIGINT/SIGTERM.
  payvox::TerminationSignals signals;
  const rlim_t descriptors = RaiseDescriptorLimit();

  absl::StatusOr<payvox::v1::ServerConfig> config =
      payvox::LoadConfigFile(absl::GetFlag(FLAGS_config));
  if (absl::GetFlag(FLAGS_check_config)) {
    if (!config.ok()) {
      std::cerr << "payvoxd: the config is not valid: " << config.status().message() << "\n";
      return 1;
    }
    std::cout << "payvoxd: the config is valid\n";
    return 0;
  }
  if (!config.ok()) return Fail(config.status().message());
  std::string postgres_password;
  if (config->store().has_postgres()) {
    absl::StatusOr<std::string> password = payvox::ReadPostgresPassword(config->store().postgres());
    if (!password.ok()) return Fail(password.status().message());
    postgres_password = *std::move(password);
  }
  if (absl::GetFlag(FLAGS_migrate)) {
    payvox::SystemClock clock;
    absl::StatusOr<std::unique_ptr<payvox::Store>> store =
        payvox::OpenStore(*config, absl::GetFlag(FLAGS_sandbox), postgres_password, clock);
    if (!store.ok()) {
      std::cerr << "payvoxd: migration failed: " << store.status().message() << "\n";
      return 1;
    }
    std::cout << "payvoxd: the store is at schema version "
              << (config->store().has_postgres() ? payvox::PostgresStore::SchemaVersion()
                                                 : payvox::SqliteStore::SchemaVersion())
              << "\n";
    return 0;
  }
  if (const int port = absl::GetFlag(FLAGS_grpc_port); port >= 0) {
    if (port > 65535) return Fail("--grpc_port must be 0 to 65535");
    const std::string& address = config->grpc_listen_address();
    config->set_grpc_listen_address(absl::StrCat(address.substr(0, address.rfind(':')), ":", port));
  }

  payvox::PayvoxAppOptions options{.config = *config,
                                   .sandbox = absl::GetFlag(FLAGS_sandbox),
                                   .sandbox_seed = absl::GetFlag(FLAGS_sandbox_seed)};
  if (!options.sandbox) {
    absl::StatusOr<std::string> key = payvox::ReadStripeKey(config->stripe());
    if (!key.ok()) return Fail(key.status().message());
    options.stripe_api_key = *std::move(key);
  }
  absl::StatusOr<payvox::AuthTokens> tokens = payvox::ReadAuthTokens(*config);
  if (!tokens.ok()) return Fail(tokens.status().message());
  options.tenant_token = tokens->tenant;
  options.operator_token = tokens->operator_token;
  options.postgres_password = std::move(postgres_password);
  absl::StatusOr<std::optional<payvox::Keyring>> keyring =
      payvox::ReadMasterKeys(config->secrets());
  if (!keyring.ok()) return Fail(keyring.status().message());
  options.keyring = *std::move(keyring);
  if (!config->webhooks().listen_address().empty()) {
    absl::StatusOr<std::vector<std::string>> secrets =
        payvox::ReadWebhookSecrets(config->webhooks());
    if (secrets.ok()) {
      options.webhook_secrets = *std::move(secrets);
    } else if (secrets.status().code() != absl::StatusCode::kNotFound ||
               (!options.sandbox && !options.keyring.has_value())) {
      // Without a configured secret, events verify only with secrets
      // ConfigureWebhooks stores, which needs the master key.
      return Fail(secrets.status().message());
    }
  }

  options.open_file_limit = descriptors;
  payvox::SystemClock clock;
  absl::StatusOr<std::unique_ptr<payvox::PayvoxApp>> app =
      payvox::PayvoxApp::Start(std::move(options), clock);
  if (!app.ok()) return Fail(app.status().message());

  const int port = (*app)->grpc_port();
  if (const std::string path = absl::GetFlag(FLAGS_port_file); !path.empty()) {
    // Write then rename, so a reader never sees a half-written file.
    const std::string partial = path + ".partial";
    std::ofstream(partial) << port << "\n";
    if (std::rename(partial.c_str(), path.c_str()) != 0) return Fail("cannot write --port_file");
  }
  std::cout << "payvoxd serving gRPC on port " << port;
  if (!(*app)->sandbox_url().empty())
    std::cout << " (Stripe sandbox at " << (*app)->sandbox_url() << ")";
  if ((*app)->webhook_port() > 0) {
    std::cout << "; Stripe webhooks on port " << (*app)->webhook_port();
  }
  if ((*app)->metrics_port() > 0) std::cout << "; metrics on port " << (*app)->metrics_port();
  std::cout << std::endl;

  const int received = signals.Wait();
  std::cout << "payvoxd: " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", draining in-flight calls" << std::endl;
  (*app)->Shutdown();
  std::cout << "payvoxd: stopped" << std::endl;
  return 0;
}
