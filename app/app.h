// app.h: PayvoxApp wires payvoxd's components from plain values: the Stripe
// I/O threads, the Stripe client, the store, the voice actions and the gRPC
// server, plus the in-process sandbox with --sandbox. app/main.cc and the
// integration tests start it the same way.
//
//   auto app = PayvoxApp::Start({.config = config, .sandbox = true}, clock);
//   ... (*app)->grpc_port() ...
//   (*app)->Shutdown();
#ifndef PAYVOX_APP_APP_H_
#define PAYVOX_APP_APP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/store_setup.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sandbox_tokens.h"
#include "common/secret_box.h"
#include "payvox/v1/config.pb.h"
#include "store/store.h"

namespace payvox {

namespace sandbox {
class StripeEmulator;
}  // namespace sandbox

struct PayvoxAppOptions {
  // Validated config (app/config.h).
  v1::ServerConfig config;
  // The Stripe key; ignored with `sandbox`.
  std::string stripe_api_key;
  // Run the Stripe emulator in-process on a free loopback port, seeded with
  // the demo data, and point the client at it.
  bool sandbox = false;
  // Seed for the sandbox's ids (0: random).
  uint64_t sandbox_seed = 0;
  // The tenant's webhook signing secrets (config.webhooks); with `sandbox`
  // and none given, the sandbox's own "whsec_payvox_sandbox".
  std::vector<std::string> webhook_secrets;
  // Seals secrets payvox stores (config.secrets); with `sandbox` and none
  // given, a random one.
  std::optional<Keyring> keyring;
  // The config tenant's bearer token and the operator token (from
  // config.auth's sources); with `sandbox` and none given, the sandbox's
  // (SandboxTenantToken, kSandboxOperatorToken).
  std::string tenant_token;
  std::string operator_token;
  // store.postgres's password (ReadPostgresPassword); unused on SQLite.
  std::string postgres_password;
  // Where payvoxd logs (JSON lines); null: standard error at
  // config.log_level. Must outlive the app.
  Logger* logger = nullptr;
  // The open-file limit payvoxd runs under (main raised it), for the
  // startup log; 0: not told.
  uint64_t open_file_limit = 0;
};

class PayvoxApp {
 public:
  // Start builds and starts everything; any failure is returned with the
  // component named, and nothing is left running.
  static absl::StatusOr<std::unique_ptr<PayvoxApp>> Start(PayvoxAppOptions options,
                                                          const Clock& clock);
  ~PayvoxApp();  // Shuts down if still running.

  int grpc_port() const;
  // The webhook listener's port; 0 when config.webhooks.listen_address is
  // empty.
  int webhook_port() const;
  // The metrics listener's port; 0 when config.metrics_listen_address is
  // empty.
  int metrics_port() const;
  // The HTTP front door's port; 0 when config.gateway.listen_address is
  // empty.
  int gateway_port() const;
  // The plaintext health-only gRPC port; 0 when
  // config.grpc_health_listen_address is empty.
  int health_port() const;
  // The sandbox's base URL, empty without --sandbox.
  std::string sandbox_url() const;
  // The sandbox's emulator, null without --sandbox (tests seed it).
  sandbox::StripeEmulator* sandbox_emulator() const;

  // Shutdown marks health NOT_SERVING, stops accepting calls, lets in-flight
  // calls finish for up to config.shutdown_grace_seconds, cancels the rest,
  // then stops the Stripe I/O threads and the sandbox. Idempotent.
  void Shutdown();

 private:
  struct Parts;
  explicit PayvoxApp(std::unique_ptr<Parts> parts);
  // StartParts is Start but for removing the store file it created when
  // starting fails.
  static absl::StatusOr<std::unique_ptr<PayvoxApp>> StartParts(PayvoxAppOptions options,
                                                               const Clock& clock);
  // StartGateway serves config.gateway's front door, when it has an address.
  static absl::Status StartGateway(Parts& parts, bool sandbox);
  std::unique_ptr<Parts> parts_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_APP_H_
