// http_server.h: SandboxServer puts a StripeEmulator on a loopback socket
// (HTTP/1.1 with keep-alive, Boost.Beast), in-process or in the
// payvox-sandbox binary.
//
//   SandboxServer server(emulator);
//   PAYVOX_RETURN_IF_ERROR(server.Start({.port = 0}));
//   client_options.base_url = server.base_url();   // http://127.0.0.1:<port>
//
// Requests above 1 MiB get 413; a connection idle for 30 s (idle_timeout) is closed. With
// a certificate and key it serves HTTPS (for tests of the client's TLS path).
// Keys "sk_test_tenant_<name>..." reach separate, empty accounts
// (SandboxAccounts). faults() injects misbehaviour (sandbox/faults.h), also reachable over
// HTTP at /_sandbox/faults.
#ifndef PAYVOX_SANDBOX_HTTP_SERVER_H_
#define PAYVOX_SANDBOX_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/tcp_listener.h"
#include "sandbox/emulator.h"
#include "sandbox/faults.h"

namespace payvox::sandbox {

struct SandboxServerOptions {
  std::string address = "127.0.0.1";
  // Zero: any free port (see port()).
  int port = 0;
  int threads = 1;
  // PEM certificate chain and private key: serve HTTPS instead of HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // A keep-alive connection idle this long is closed, as Stripe's servers
  // do.
  absl::Duration idle_timeout = absl::Seconds(30);
  // Added to every answer (not to /_sandbox/ control requests), as the
  // network and a far Stripe would: payvox-bench --mode=conversation.
  absl::Duration latency = absl::ZeroDuration();
};

// Shared with the connections' coroutines, which may end after Stop.
struct ConnectionCounts {
  std::atomic<int> open{0};
  std::atomic<int> accepted{0};
};

class SandboxServer {
 public:
  // `emulator` must outlive the server.
  explicit SandboxServer(StripeEmulator& emulator);
  ~SandboxServer();  // Stops.

  // Start binds and serves on background threads. Call once.
  absl::Status Start(const SandboxServerOptions& options);
  // Stop closes the listener and every connection and joins the threads.
  void Stop();

  int port() const { return port_; }
  // Connections being served now, and accepted since Start (tests of the
  // client's keep-alive: a connect completes before the server accepts).
  int open_connections() const { return connections_->open.load(); }
  int accepted_connections() const { return connections_->accepted.load(); }
  FaultPlan& faults() { return faults_; }
  std::string base_url() const;

 private:
  struct Runtime;  // Asio state, in the .cc file.
  std::shared_ptr<ConnectionCounts> connections_ = std::make_shared<ConnectionCounts>();

  StripeEmulator& emulator_;
  SandboxAccounts accounts_{emulator_};
  FaultPlan faults_;
  std::unique_ptr<Runtime> runtime_;
  ListeningThreads threads_;
  std::string address_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_HTTP_SERVER_H_
