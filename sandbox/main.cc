// payvox-sandbox: the Stripe API emulator as its own process.
//
//   payvox-sandbox --port=12111 [--seed=42] [--no_demo_data]
//
// Prints "payvox-sandbox listening on http://127.0.0.1:<port>" and serves
// until SIGINT or SIGTERM. Events go to the webhook endpoints created with
// POST /v1/webhook_endpoints, signed with each endpoint's secret.
#include <algorithm>
#include <csignal>
#include <iostream>

#include "absl/flags/flag.h"
#include "common/clock.h"
#include "common/program_flags.h"
#include "common/termination_signals.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "sandbox/webhook_sender.h"

ABSL_FLAG(std::string, address, "127.0.0.1", "IP address to listen on");
ABSL_FLAG(int, port, 12111, "port to listen on; 0 picks a free one");
ABSL_FLAG(uint64_t, seed, 0, "seed for ids of created objects; 0 is random");
ABSL_FLAG(bool, demo_data, true, "seed the demo customers, cards and charges");
ABSL_FLAG(int, threads, 1, "I/O threads");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve HTTPS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls_cert");
ABSL_FLAG(int, latency_ms, 0, "added to every answer, 0 to 60000 (a far Stripe)");
ABSL_FLAG(int, idle_timeout_s, 30, "idle keep-alive connections are closed after this, 1 to 3600");
ABSL_FLAG(std::string, webhook_ca_file, "",
          "PEM file trusted for https:// webhook endpoints besides the system's CAs");

int main(int argc, char** argv) {
  payvox::ParseProgramFlags(
      argc, argv, "payvox-sandbox",
      "payvox-sandbox: a Stripe API emulator for payvox development and tests.");

  payvox::TerminationSignals signals;

  payvox::SystemClock clock;
  payvox::sandbox::StripeEmulator emulator(clock, {.id_seed = absl::GetFlag(FLAGS_seed)});
  if (absl::GetFlag(FLAGS_demo_data)) payvox::sandbox::SeedDemoData(emulator);
  payvox::sandbox::SandboxServer server(emulator);
  if (absl::Status status = server.Start(
          {.address = absl::GetFlag(FLAGS_address),
           .port = absl::GetFlag(FLAGS_port),
           .threads = absl::GetFlag(FLAGS_threads),
           .tls_cert_file = absl::GetFlag(FLAGS_tls_cert),
           .tls_key_file = absl::GetFlag(FLAGS_tls_key),
           .idle_timeout = absl::Seconds(std::clamp(absl::GetFlag(FLAGS_idle_timeout_s), 1, 3600)),
           .latency = absl::Milliseconds(std::clamp(absl::GetFlag(FLAGS_latency_ms), 0, 60000))});
      !status.ok()) {
    std::cerr << "payvox-sandbox: " << status.message() << "\n";
    return 1;
  }
  payvox::sandbox::WebhookSender sender(emulator, clock,
                                        {.extra_ca_file = absl::GetFlag(FLAGS_webhook_ca_file)});
  sender.Start();
  std::cout << "payvox-sandbox listening on " << server.base_url() << std::endl;
  signals.Wait();
  sender.Stop();
  server.Stop();
  return 0;
}
