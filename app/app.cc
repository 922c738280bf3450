#include "app/app.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "app/config.h"
#include "app/event_feed.h"
#include "app/housekeeper.h"
#include "app/operations_watch.h"
#include "app/reconciler.h"
#include "app/replica_jobs.h"
#include "app/store_setup.h"
#include "client/stripe_clients.h"
#include "common/async_wait.h"
#include "common/http_listener.h"
#include "common/log.h"
#include "common/secure_random.h"
#include "common/status_macros.h"
#include "gateway/gateway.h"
#include "policy/policy.h"
#include "rpc/admin_service.h"
#include "rpc/grpc_metrics.h"
#include "rpc/services.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "sandbox/webhook_sender.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "webhooks/ingestor.h"
#include "webhooks/listener.h"

namespace payvox {
namespace {

// SplitHostPort splits a validated "host:port".
std::pair<std::string, int> SplitHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  absl::SimpleAtoi(address.substr(colon + 1), &port);
  return {address.substr(0, colon), port};
}

// IsLoopback: a listening host only this machine reaches.
bool IsLoopback(absl::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream content;
  content << file.rdbuf();
  if (!file || content.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("grpc_tls: \"", path, "\" is not a PEM file"));
  }
  return content.str();
}

// GrpcServerCredentials: TLS (and client certificates) as configured, or
// plaintext.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(
    const v1::GrpcTlsConfig& tls) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  absl::StatusOr<std::string> cert = ReadPem(tls.cert_file());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(tls.key_file());
  if (!key.ok()) return key.status();
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  if (!tls.client_ca_file().empty()) {
    absl::StatusOr<std::string> ca = ReadPem(tls.client_ca_file());
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *std::move(ca);
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// MetricsOnlySink serves the metrics port: health and readiness, no
// tenants.
class MetricsOnlySink final : public webhooks::WebhookSink {
 public:
  MetricsOnlySink(const std::atomic<bool>& serving, const std::atomic<bool>& store_reachable)
      : serving_(serving), store_reachable_(store_reachable) {}
  boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> SigningSecrets(
      std::string) override {
    co_return absl::NotFoundError("webhooks are served on the webhook listener");
  }
  boost::asio::awaitable<absl::Status> Ingest(std::string, std::string) override {
    co_return absl::NotFoundError("webhooks are served on the webhook listener");
  }
  boost::asio::awaitable<bool> Ready() override {
    co_return serving_.load() && store_reachable_.load();
  }

 private:
  const std::atomic<bool>& serving_;
  const std::atomic<bool>& store_reachable_;
};

// KeepWarm tops the Stripe client's warm connections up every `every`
// (half the pool's idle time), so the first call after a quiet spell finds
// a live connection instead of paying for a connect, or for a dead one.
boost::asio::awaitable<void> KeepWarm(std::shared_ptr<stripe::ResilientStripeClient> stripe,
                                      absl::Duration every, const Clock& clock, Sleeper& sleeper,
                                      const CancelSignal& stop) {
  for (;;) {
    // Named, not in the loop's condition: GCC 12 miscompiles co_await there.
    const bool slept = co_await sleeper.SleepUntil(clock.Now() + every, &stop);
    if (!slept) co_return;
    (void)co_await stripe->WarmUp();
  }
}

}  // namespace

// Parts owns every component; members are destroyed in reverse order, so the
// gRPC server goes before the actions it calls, and those before the client.
struct PayvoxApp::Parts {
  explicit Parts(const Clock& clock) : clock(clock) {}

  const Clock& clock;
  v1::ServerConfig config;
  // First: every component that reports metrics holds a reference.
  metrics::Registry metrics;
  std::unique_ptr<Logger> owned_log;
  Logger* log = nullptr;
  std::unique_ptr<sandbox::StripeEmulator> emulator;
  std::unique_ptr<sandbox::SandboxServer> sandbox;
  std::unique_ptr<sandbox::WebhookSender> sandbox_webhooks;
  std::optional<Keyring> keyring;
  // Declared before `io`: the io_context's destructor destroys coroutines
  // still waiting on it, and their subscriptions to this signal and reads
  // through call sessions.
  CancelSignal stop_housekeeping;
  std::unique_ptr<CallSessions> sessions;
  // Before `io` too: a coroutine destroyed while it waits for a store call
  // (the reconciler's, when payvoxd stops right after starting) releases
  // its place in the executor's count as it goes.
  std::unique_ptr<Store> store;
  std::unique_ptr<StoreExecutor> store_executor;
  boost::asio::io_context io;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> io_threads;
  std::unique_ptr<stripe::StripeClients> stripe_clients;
  std::shared_ptr<stripe::ResilientStripeClient> stripe;
  // Before the tenants, whose actions give and redeem them.
  std::unique_ptr<ConfirmationTokens> confirmations;
  std::unique_ptr<TenantDirectory> tenants;
  std::unique_ptr<AsioSleeper> sleeper;
  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<Housekeeper> housekeeper;
  std::unique_ptr<OperationsWatch> watch;
  std::unique_ptr<ActionServiceImpl> action_service;
  // Before the services and the listener: streams and ingestion use it.
  std::unique_ptr<webhooks::EventHub> hub;
  std::unique_ptr<EventServiceImpl> event_service;
  std::unique_ptr<AdminServiceImpl> admin_service;
  std::unique_ptr<grpc::Server> server;
  // Health, plaintext, no payvox service (grpc_health_listen_address).
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  std::unique_ptr<webhooks::EventIngestor> ingestor;
  // Events other replicas ingest (a shared store only).
  std::unique_ptr<EventFeed> event_feed;
  std::unique_ptr<webhooks::WebhookListener> webhook_listener;
  std::unique_ptr<webhooks::WebhookSink> metrics_sink;
  std::unique_ptr<webhooks::WebhookListener> metrics_listener;
  // The HTTP front door, last: it calls everything above.
  std::unique_ptr<gateway::RepeatWindow> repeats;
  std::unique_ptr<gateway::ToolRunner> tool_runner;
  std::unique_ptr<gateway::Gateway> gateway;
  std::unique_ptr<HttpListener> gateway_listener;
  int port = 0;
  std::atomic<bool> serving{false};
  // The store answered the last Ping (WatchStore; always on SQLite).
  std::atomic<bool> store_reachable{true};
  // Replicas sharing the store and its Stripe budget (ShareStripeBudget).
  std::atomic<int> replicas_alive{1};
  bool stopped = false;

  void Stop() {
    if (stopped) return;
    stopped = true;
    serving = false;
    // No new events while the rest stops; Stripe redelivers what it misses.
    if (sandbox_webhooks) sandbox_webhooks->Stop();
    if (webhook_listener) webhook_listener->Stop();
    if (metrics_listener) metrics_listener->Stop();
    if (gateway_listener) gateway_listener->Stop();
    if (event_feed) event_feed->Stop();
    // Event streams end cleanly with their last sequence.
    if (hub) hub->Close();
    if (health_server) health_server->GetHealthCheckService()->SetServingStatus(false);
    if (server) {
      server->GetHealthCheckService()->SetServingStatus(false);
      server->Shutdown(std::chrono::system_clock::now() +
                       std::chrono::seconds(config.shutdown_grace_seconds()));
      server->Wait();
    }
    stop_housekeeping.Cancel();
    work.reset();
    if (health_server) {
      health_server->Shutdown(std::chrono::system_clock::now());
      health_server->Wait();
    }
    io.stop();
    for (std::thread& thread : io_threads) thread.join();
    io_threads.clear();
    // Store calls still running complete into the contexts above, which
    // live until destruction.
    if (store_executor) store_executor->Join();
    if (sandbox_webhooks) sandbox_webhooks->Stop();
    if (sandbox) sandbox->Stop();
    if (log != nullptr) log->Info("payvoxd stopped");
  }
};

absl::Status PayvoxApp::StartGateway(Parts& parts, bool sandbox) {
  const v1::GatewayConfig& config = parts.config.gateway();
  if (config.listen_address().empty()) return absl::OkStatus();
  PAYVOX_ASSIGN_OR_RETURN(GatewaySecrets secrets, ReadGatewaySecrets(config));
  parts.repeats = std::make_unique<gateway::RepeatWindow>(
      parts.clock, absl::Seconds(config.repeat_window_seconds()));
  parts.tool_runner = std::make_unique<gateway::ToolRunner>(
      *parts.repeats, parts.clock, parts.io.get_executor(),
      gateway::ToolRunnerOptions{.timeout = absl::Milliseconds(config.tool_timeout_ms()),
                                 .log = parts.log});
  const auto [host, port] = SplitHostPort(config.listen_address());
  gateway::GatewayOptions options{
      .allowed_origins = {config.allowed_origins().begin(), config.allowed_origins().end()},
      .allowed_hosts = {config.allowed_hosts().begin(), config.allowed_hosts().end()},
      .loopback_only = IsLoopback(host),
      .retell_api_keys = std::move(secrets.retell_api_keys),
      .version = PAYVOX_VERSION,
      .metrics = &parts.metrics,
      .log = parts.log};
  for (const v1::GatewayTenant& tenant : config.tenants()) {
    if (!tenant.vapi_assistant_id().empty()) {
      options.vapi_assistant_ids[tenant.tenant_id()] = tenant.vapi_assistant_id();
    }
  }
  if (sandbox && options.loopback_only) {
    // The sandbox's well-known Retell key, so the faces work without an
    // account (docs/voice-platforms.md); on loopback only.
    options.retell_api_keys.try_emplace(parts.config.tenant_id(), "key_payvox_sandbox_retell");
  }
  parts.gateway = std::make_unique<gateway::Gateway>(*parts.tenants, *parts.tool_runner,
                                                     parts.clock, std::move(options));
  parts.gateway_listener = std::make_unique<HttpListener>(*parts.gateway);
  return parts.gateway_listener->Start(
      {.name = "the gateway",
       .address = host,
       .port = port,
       .max_body_bytes = static_cast<size_t>(config.max_body_bytes()),
       .max_connections = config.max_connections(),
       .tls_cert_file = config.tls_cert_file(),
       .tls_key_file = config.tls_key_file()});
}

PayvoxApp::PayvoxApp(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

PayvoxApp::~PayvoxApp() { Shutdown(); }

void PayvoxApp::Shutdown() { parts_->Stop(); }

int PayvoxApp::grpc_port() const { return parts_->port; }

int PayvoxApp::webhook_port() const {
  return parts_->webhook_listener ? parts_->webhook_listener->port() : 0;
}

int PayvoxApp::gateway_port() const {
  return parts_->gateway_listener ? parts_->gateway_listener->port() : 0;
}

int PayvoxApp::health_port() const { return parts_->health_port; }

int PayvoxApp::metrics_port() const {
  return parts_->metrics_listener ? parts_->metrics_listener->port() : 0;
}

std::string PayvoxApp::sandbox_url() const {
  return parts_->sandbox ? parts_->sandbox->base_url() : "";
}

sandbox::StripeEmulator* PayvoxApp::sandbox_emulator() const { return parts_->emulator.get(); }

absl::StatusOr<std::unique_ptr<PayvoxApp>> PayvoxApp::Start(PayvoxAppOptions options,
                                                            const Clock& clock) {
  // A start that fails leaves no empty database behind for the next one to
  // mistake for a store (SQLite creates the file when it opens it).
  const std::string store_path = StorePath(options.config, options.sandbox);
  std::error_code ignored;
  const bool new_file = !options.config.store().has_postgres() && store_path != ":memory:" &&
                        !std::filesystem::exists(store_path, ignored);
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app = StartParts(std::move(options), clock);
  if (!app.ok() && new_file) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(store_path + suffix, ignored);
    }
  }
  return app;
}

absl::StatusOr<std::unique_ptr<PayvoxApp>> PayvoxApp::StartParts(PayvoxAppOptions options,
                                                                 const Clock& clock) {
  const absl::Time started_at = clock.Now();
  auto parts = std::make_unique<Parts>(clock);
  parts->config = std::move(options.config);
  const v1::ServerConfig& config = parts->config;
  parts->log = options.logger;
  if (parts->log == nullptr) {
    parts->owned_log = std::make_unique<Logger>(
        std::cerr, clock, ParseLogLevel(config.log_level()).value_or(LogLevel::kInfo));
    parts->log = parts->owned_log.get();
  }

  stripe::StripeClientOptions client_options =
      StripeClientOptionsFrom(config.stripe(), std::move(options.stripe_api_key));
  if (options.sandbox) {
    parts->emulator = std::make_unique<sandbox::StripeEmulator>(
        clock, sandbox::EmulatorOptions{options.sandbox_seed});
    sandbox::SeedDemoData(*parts->emulator);
    parts->sandbox = std::make_unique<sandbox::SandboxServer>(*parts->emulator);
    if (absl::Status status = parts->sandbox->Start({.address = "127.0.0.1", .port = 0});
        !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("sandbox: ", status.message()));
    }
    // Events go to the endpoints ConfigureWebhooks registers, signed.
    parts->sandbox_webhooks = std::make_unique<sandbox::WebhookSender>(
        *parts->emulator, clock, sandbox::WebhookSenderOptions{});
    parts->sandbox_webhooks->Start();
    if (!options.keyring.has_value()) {
      absl::StatusOr<MasterKey> generated = MasterKey::Generate();
      if (!generated.ok()) return generated.status();
      options.keyring.emplace(*std::move(generated));
    }
    client_options = StripeClientOptionsFrom(config.stripe(), "sk_test_payvox_sandbox");
    client_options.pool.base_url = parts->sandbox->base_url();
    client_options.pool.extra_ca_file.clear();
  }

  if (!options.keyring.has_value()) {
    return absl::FailedPreconditionError(
        "secrets: no master key. payvoxd seals what it keeps at rest with it (the answers it "
        "saves for retries, which can hold customer emails and payment secrets; tenants' Stripe "
        "keys; webhook secrets): set secrets.master_key_file or secrets.master_key_env (default "
        "PAYVOX_MASTER_KEY) to 32 random bytes, e.g. `openssl rand -hex 32`");
  }
  parts->keyring = std::move(options.keyring);
  client_options.metrics = &parts->metrics;
  client_options.log = parts->log;
  parts->stripe_clients = std::make_unique<stripe::StripeClients>(parts->io.get_executor(), clock);
  absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>> client =
      parts->stripe_clients->For(client_options);
  if (!client.ok()) {
    return absl::Status(client.status().code(),
                        absl::StrCat("Stripe client: ", client.status().message()));
  }
  parts->stripe = *std::move(client);
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(config, options.sandbox, options.postgres_password, clock);
  if (!store.ok()) {
    return absl::Status(store.status().code(), absl::StrCat("store: ", store.status().message()));
  }
  parts->store = *std::move(store);
  parts->store_executor = std::make_unique<StoreExecutor>(
      *parts->store,
      StoreExecutorOptions{
          .errors = &parts->metrics.AddCounter(
              "payvox_store_errors_total",
              "Store calls that failed for the store's own reasons, by reason (error: a disk or "
              "database fault; overloaded: refused at the executor's bound)",
              {"reason"})});
  absl::TimeZone zone;
  absl::LoadTimeZone(config.time_zone(), &zone);
  // Tenants' Stripe clients share the config's client options but for the
  // key (and, with --sandbox, point at the sandbox).
  auto connect =
      [clients = parts->stripe_clients.get(), client_options](
          std::string api_key) -> absl::StatusOr<std::shared_ptr<stripe::ResilientStripeClient>> {
    stripe::StripeClientOptions options = client_options;
    options.pool.api_key = std::move(api_key);
    options.rate_limits.reset();
    return clients->For(options);
  };
  std::string tenant_token = options.tenant_token;
  std::string operator_token = options.operator_token;
  if (options.sandbox && (tenant_token.empty() || operator_token.empty())) {
    // The sandbox's tokens are written in its docs: they open only ports
    // that nobody but this machine reaches.
    for (const auto& [field, address] :
         {std::pair<const char*, const std::string&>{"grpc_listen_address",
                                                     config.grpc_listen_address()},
          std::pair<const char*, const std::string&>{"gateway.listen_address",
                                                     config.gateway().listen_address()}}) {
      if (!address.empty() && !IsLoopback(SplitHostPort(address).first)) {
        return absl::FailedPreconditionError(
            absl::StrCat("--sandbox accepts its well-known tokens on loopback only, and ", field,
                         " is \"", address,
                         "\": listen on 127.0.0.1, or set PAYVOX_TENANT_TOKEN and "
                         "PAYVOX_OPERATOR_TOKEN"));
      }
    }
  }
  if (options.sandbox && tenant_token.empty()) {
    tenant_token = SandboxTenantToken(config.tenant_id());
  }
  if (options.sandbox && operator_token.empty()) operator_token = kSandboxOperatorToken;
  absl::StatusOr<std::string> confirmation_key = ReadConfirmationKey(config.confirmations());
  if (confirmation_key.ok() && confirmation_key->empty()) {
    confirmation_key = SecureRandomBytes(32);
  }
  if (!confirmation_key.ok()) return confirmation_key.status();
  absl::StatusOr<std::unique_ptr<ConfirmationTokens>> confirmations =
      ConfirmationTokens::Create({.key = *std::move(confirmation_key),
                                  .ttl = absl::Seconds(config.confirmations().ttl_seconds())},
                                 clock);
  if (!confirmations.ok()) return confirmations.status();
  parts->confirmations = *std::move(confirmations);
  const v1::CallSessionsConfig& session_config = config.call_sessions();
  if (!session_config.disabled()) {
    parts->sessions = std::make_unique<CallSessions>(
        clock, CallSessionOptions{
                   .idle_timeout = absl::Seconds(session_config.idle_timeout_seconds()),
                   .money_fresh_for = absl::Seconds(session_config.money_fresh_seconds()),
                   .account_fresh_for = absl::Seconds(session_config.account_fresh_seconds()),
                   .max_session_bytes = static_cast<size_t>(session_config.max_session_kib()) << 10,
                   .max_total_bytes = static_cast<size_t>(session_config.max_total_mib()) << 20,
                   .metrics = &parts->metrics});
  }
  parts->tenants = std::make_unique<TenantDirectory>(
      *parts->store, *parts->store_executor, clock,
      TenantDirectory::Options{
          .config_tenant = config.tenant_id(),
          .config_tenant_token = std::move(tenant_token),
          .operator_token = std::move(operator_token),
          .keyring = parts->keyring ? &*parts->keyring : nullptr,
          .connect = connect,
          .actions = {.max_verification_attempts = config.verification().max_attempts(),
                      .verification_ttl = absl::Seconds(config.verification().ttl_seconds()),
                      .time_zone = zone,
                      .default_policy = config.policy(),
                      .metrics = &parts->metrics,
                      .sessions = parts->sessions.get(),
                      .begin_call_wait = absl::Milliseconds(session_config.begin_call_wait_ms()),
                      .confirmations = parts->confirmations.get()}});
  absl::StatusOr<std::vector<std::string>> unconnected = parts->tenants->Load(parts->stripe);
  if (!unconnected.ok()) {
    return absl::Status(unconnected.status().code(),
                        absl::StrCat("tenants: ", unconnected.status().message()));
  }
  if (!parts->tenants->HasTenantTokens()) {
    parts->log->Warning(
        "no tenant token is configured and the store holds none: every ActionService call and "
        "every gateway request will be refused UNAUTHENTICATED until one is (set "
        "PAYVOX_TENANT_TOKEN, or create a tenant with payvoxctl tenants create)",
        {{"tenant", config.tenant_id()}});
  }
  for (const std::string& problem : *unconnected) {
    parts->log->Error(
        "a tenant's Stripe key cannot be opened; its calls fail until it is "
        "connected again",
        {{"tenant", problem}});
  }
  parts->action_service =
      std::make_unique<ActionServiceImpl>(*parts->tenants, parts->io.get_executor());
  const v1::WebhooksConfig& webhooks_config = config.webhooks();
  parts->hub = std::make_unique<webhooks::EventHub>(webhooks::EventHubOptions{
      .heartbeat_interval = absl::Seconds(webhooks_config.heartbeat_seconds())});
  parts->metrics.AddGaugeCallback(
      "payvox_event_stream_subscribers", "Open EventService.Subscribe streams",
      [hub = parts->hub.get()] { return static_cast<double>(hub->subscribers()); }, parts.get());
  parts->event_service = std::make_unique<EventServiceImpl>(
      *parts->store_executor, *parts->hub, *parts->tenants,
      EventStreamOptions{.queue_capacity =
                             static_cast<size_t>(webhooks_config.subscriber_queue())});
  parts->admin_service = std::make_unique<AdminServiceImpl>(
      *parts->tenants, *parts->store_executor, clock,
      AdminServiceImpl::Options{
          .default_policy = config.policy(),
          .keyring = parts->keyring ? &*parts->keyring : nullptr,
          .secret_overlap = absl::Seconds(webhooks_config.secret_overlap_seconds()),
          .connect = connect},
      parts->io.get_executor());

  parts->work =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          parts->io.get_executor());
  for (int i = 0; i < config.io_threads(); ++i) {
    parts->io_threads.emplace_back([io = &parts->io] { io->run(); });
  }
  // Warm connections in the background: a Stripe that is slow to answer
  // must not delay startup, and a failure here only means a cold first call.
  boost::asio::co_spawn(boost::asio::make_strand(parts->io), parts->stripe->WarmUp(),
                        [](std::exception_ptr, absl::Status) {});
  parts->sleeper = std::make_unique<AsioSleeper>(clock);
  // Replicas sharing a store take turns at the jobs that must run once,
  // and split the Stripe budget.
  const std::string replica = config.store().has_postgres() ? ReplicaName() : "";
  if (!replica.empty()) {
    parts->metrics.AddGaugeCallback(
        "payvox_replicas_alive",
        "payvoxd replicas sharing this store (and each Stripe account's rate limits) now",
        [alive = &parts->replicas_alive] { return static_cast<double>(alive->load()); },
        parts.get());
    boost::asio::co_spawn(boost::asio::make_strand(parts->io),
                          ShareStripeBudget(*parts->store_executor, replica, *parts->stripe_clients,
                                            parts->replicas_alive, *parts->log, absl::Seconds(5),
                                            clock, *parts->sleeper, parts->stop_housekeeping),
                          boost::asio::detached);
  }
  // Settle what a crash left half done, and answers that never came, in the
  // background for as long as payvoxd runs.
  parts->reconciler = std::make_unique<Reconciler>(
      [tenants = parts->tenants.get()](const std::string& tenant) -> stripe::StripeClient* {
        absl::StatusOr<std::shared_ptr<TenantRuntime>> runtime = tenants->Find(tenant);
        return runtime.ok() ? (*runtime)->stripe.get() : nullptr;
      },
      *parts->store_executor, clock, *parts->sleeper,
      ReconcilerOptions{
          .on_run =
              [log = parts->log](const absl::StatusOr<ReconcileReport>& report) {
                if (!report.ok()) {
                  log->Error("reconciling audit intents failed",
                             {{"error", report.status().ToString()}});
                } else if (report->settled_done + report->settled_not_sent +
                               report->orphans_released >
                           0) {
                  log->Warning(
                      "reconciled audit intents",
                      {{"done_at_stripe", absl::StrCat(report->settled_done)},
                       {"never_sent", absl::StrCat(report->settled_not_sent)},
                       {"left_open", absl::StrCat(report->left_open)},
                       {"orphaned_reservations_released", absl::StrCat(report->orphans_released)}});
                }
              },
          .lease_holder = replica});
  boost::asio::co_spawn(boost::asio::make_strand(parts->io),
                        parts->reconciler->Watch(started_at, parts->stop_housekeeping),
                        boost::asio::detached);

  // Release expired holds and records for as long as payvoxd runs.
  parts->housekeeper = std::make_unique<Housekeeper>(
      *parts->store_executor, clock, *parts->sleeper,
      HousekeeperOptions{
          .on_sweep =
              [log = parts->log](const absl::StatusOr<HousekeepingReport>& report) {
                if (!report.ok()) {
                  log->Error("store housekeeping failed", {{"error", report.status().ToString()}});
                } else if (report->reservations_expired > 0) {
                  log->Warning("released expired limit reservations",
                               {{"count", absl::StrCat(report->reservations_expired)}});
                }
              },
          .lease_holder = replica});
  boost::asio::co_spawn(boost::asio::make_strand(parts->io),
                        parts->housekeeper->Run(parts->stop_housekeeping), boost::asio::detached);
  // The gauges the alerting rules read (approvals waiting, daily limits,
  // audit chains).
  parts->watch = std::make_unique<OperationsWatch>(
      *parts->store_executor, clock, *parts->sleeper, parts->metrics,
      OperationsWatchOptions{
          .config_tenant = config.tenant_id(),
          .default_policy = config.policy(),
          .on_sweep = [log = parts->log](const absl::Status& swept) {
            if (!swept.ok()) {
              log->Warning("operations gauges not read", {{"error", swept.ToString()}});
            }
          }});
  boost::asio::co_spawn(boost::asio::make_strand(parts->io),
                        parts->watch->Run(parts->stop_housekeeping), boost::asio::detached);
  boost::asio::co_spawn(
      boost::asio::make_strand(parts->io),
      KeepWarm(parts->stripe, absl::Milliseconds(config.stripe().idle_timeout_ms()) / 2, clock,
               *parts->sleeper, parts->stop_housekeeping),
      boost::asio::detached);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.experimental().SetInterceptorCreators(
      GrpcMetricsInterceptors(parts->metrics, clock, parts->log));
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      GrpcServerCredentials(config.grpc_tls());
  if (!credentials.ok()) {
    parts->Stop();
    return credentials.status();
  }
  // gRPC sets SO_REUSEPORT by default, so a second payvoxd on a port in use
  // would bind it too and the two would split the calls between them.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config.grpc_listen_address(), *credentials, &parts->port);
  builder.RegisterService(parts->action_service.get());
  builder.RegisterService(parts->event_service.get());
  builder.RegisterService(parts->admin_service.get());
  parts->server = builder.BuildAndStart();
  if (!parts->server || parts->port == 0) {
    parts->server.reset();
    parts->Stop();
    return absl::UnavailableError(
        absl::StrCat("gRPC: cannot listen on ", config.grpc_listen_address(),
                     ": the port is in use (another payvoxd?) or the address is not this "
                     "machine's; choose another grpc_listen_address or --grpc_port"));
  }
  if (!config.grpc_health_listen_address().empty()) {
    // A server with no payvox service: the default health service (and the
    // reflection plugin every builder in this process gets).
    grpc::ServerBuilder health_builder;
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_builder.AddListeningPort(config.grpc_health_listen_address(),
                                    grpc::InsecureServerCredentials(), &parts->health_port);
    parts->health_server = health_builder.BuildAndStart();
    if (!parts->health_server || parts->health_port == 0) {
      parts->health_server.reset();
      parts->Stop();
      return absl::UnavailableError(absl::StrCat("grpc_health_listen_address: cannot listen on ",
                                                 config.grpc_health_listen_address()));
    }
  }
  for (grpc::Server* server : {parts->server.get(), parts->health_server.get()}) {
    if (server == nullptr) continue;
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    for (const char* service :
         {"", "payvox.v1.ActionService", "payvox.v1.EventService", "payvox.v1.AdminService"}) {
      health->SetServingStatus(service, true);
    }
  }
  parts->serving = true;
  if (config.store().has_postgres()) {
    boost::asio::co_spawn(
        boost::asio::make_strand(parts->io),
        WatchStore(*parts->store_executor, {parts->server.get(), parts->health_server.get()},
                   parts->serving, parts->store_reachable, *parts->log, absl::Seconds(1), clock,
                   *parts->sleeper, parts->stop_housekeeping),
        boost::asio::detached);
  }

  // Sessions forget what an event changed before any subscriber hears of
  // it, so a read after the event is fresh.
  const EventFeed::Deliver deliver = [hub = parts->hub.get(), sessions = parts->sessions.get()](
                                         const std::string& tenant, const v1::PaymentEvent& event) {
    if (sessions != nullptr) sessions->Forget(tenant, event);
    hub->Publish(tenant, event);
  };
  if (std::unique_ptr<EventWatch> watch = parts->store->WatchEvents(); watch != nullptr) {
    parts->event_feed = std::make_unique<EventFeed>(
        *parts->store, std::move(watch), deliver,
        EventFeedOptions{.on_error = [log = parts->log](const absl::Status& error) {
          log->Warning("reading other replicas' events failed", {{"error", error.ToString()}});
        }});
    if (absl::Status s = parts->event_feed->Start(); !s.ok()) {
      parts->Stop();
      return absl::Status(s.code(), absl::StrCat("event feed: ", s.message()));
    }
  }
  if (!webhooks_config.listen_address().empty()) {
    std::vector<std::string> secrets = std::move(options.webhook_secrets);
    if (secrets.empty() && options.sandbox) secrets.push_back("whsec_payvox_sandbox");
    if (secrets.empty() && !parts->keyring) {
      parts->Stop();
      return absl::FailedPreconditionError(
          "webhooks: no signing secret for the tenant, and no master key to store one");
    }
    std::vector<webhooks::TenantSecrets> configured;
    if (!secrets.empty()) configured.push_back({config.tenant_id(), std::move(secrets)});
    parts->ingestor = std::make_unique<webhooks::EventIngestor>(
        *parts->store_executor, clock,
        webhooks::EventIngestor::Options{
            .configured = std::move(configured),
            .keyring = parts->keyring ? &*parts->keyring : nullptr,
            .serving =
                [serving = &parts->serving, reachable = &parts->store_reachable] {
                  return serving->load() && reachable->load();
                },
            .on_stored = deliver,
            .metrics = &parts->metrics,
            .log = parts->log});
    parts->webhook_listener = std::make_unique<webhooks::WebhookListener>(*parts->ingestor, clock);
    const auto [host, webhook_port] = SplitHostPort(webhooks_config.listen_address());
    const absl::Status listening = parts->webhook_listener->Start(
        {.http = {.address = host,
                  .port = webhook_port,
                  .max_body_bytes = static_cast<size_t>(webhooks_config.max_body_bytes()),
                  .max_connections = webhooks_config.max_connections(),
                  .tls_cert_file = webhooks_config.tls_cert_file(),
                  .tls_key_file = webhooks_config.tls_key_file()},
         .verify = {.tolerance = absl::Seconds(webhooks_config.tolerance_seconds())},
         .metrics = &parts->metrics,
         .log = parts->log});
    if (!listening.ok()) {
      parts->webhook_listener.reset();
      parts->Stop();
      return absl::Status(listening.code(), absl::StrCat("webhooks: ", listening.message()));
    }
  }
  if (!config.metrics_listen_address().empty()) {
    parts->metrics_sink = std::make_unique<MetricsOnlySink>(parts->serving, parts->store_reachable);
    parts->metrics_listener =
        std::make_unique<webhooks::WebhookListener>(*parts->metrics_sink, clock);
    const auto [host, port] = SplitHostPort(config.metrics_listen_address());
    const absl::Status listening = parts->metrics_listener->Start(
        {.http = {.address = host, .port = port, .max_connections = 64},
         .metrics = &parts->metrics,
         .serve_metrics = true});
    if (!listening.ok()) {
      parts->metrics_listener.reset();
      parts->Stop();
      return absl::Status(listening.code(), absl::StrCat("metrics: ", listening.message()));
    }
  }
  if (absl::Status s = StartGateway(*parts, options.sandbox); !s.ok()) {
    parts->Stop();
    return absl::Status(s.code(), absl::StrCat("gateway: ", s.message()));
  }
  parts->log->Info("payvoxd started",
                   {{"grpc_port", absl::StrCat(parts->port)},
                    {"webhook_port",
                     absl::StrCat(parts->webhook_listener ? parts->webhook_listener->port() : 0)},
                    {"metrics_port",
                     absl::StrCat(parts->metrics_listener ? parts->metrics_listener->port() : 0)},
                    {"gateway_port",
                     absl::StrCat(parts->gateway_listener ? parts->gateway_listener->port() : 0)},
                    {"tenant", config.tenant_id()},
                    {"default_policy", policy::PolicySummary(config.policy())},
                    {"open_file_limit", absl::StrCat(options.open_file_limit)},
                    {"sandbox", options.sandbox ? "true" : "false"},
                    {"grpc_tls", config.grpc_tls().cert_file().empty()        ? "off"
                                 : config.grpc_tls().client_ca_file().empty() ? "server"
                                                                              : "mutual"},
                    {"master_key", parts->keyring ? parts->keyring->current().id() : "none"}});
  return std::unique_ptr<PayvoxApp>(new PayvoxApp(std::move(parts)));
}

}  // namespace payvox
