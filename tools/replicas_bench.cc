#include "tools/replicas_bench.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "store/postgres.h"
#include "store/postgres_store.h"
#include "tools/bench_support.h"
#include "tools/refund_bench.h"
#include "tools/webhook_bench.h"

namespace payvox::bench {
namespace {

// Databases the bench makes on the server, dropped as it ends.
class Databases {
 public:
  explicit Databases(const ReplicasBenchOptions& options)
      : admin_options_{.conninfo = options.postgres_conninfo,
                       .password = options.postgres_password,
                       .application_name = "payvox-bench"} {}
  ~Databases() {
    absl::StatusOr<std::unique_ptr<pg::Connection>> admin = pg::Connection::Open(admin_options_);
    if (!admin.ok()) return;
    for (const std::string& name : made_) {
      (*admin)->ExecScript(absl::StrCat("DROP DATABASE IF EXISTS ", name)).IgnoreError();
    }
  }

  // Make: a new empty database; its connection string.
  absl::StatusOr<std::string> Make() {
    PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> admin,
                            pg::Connection::Open(admin_options_));
    const std::string name = absl::StrCat("payvox_bench_", getpid(), "_", made_.size());
    PAYVOX_RETURN_IF_ERROR(admin->ExecScript(absl::StrCat("CREATE DATABASE ", name)));
    made_.push_back(name);
    // A later dbname in the string wins.
    return absl::StrCat(admin_options_.conninfo, " dbname=", name);
  }

 private:
  const pg::ConnectOptions admin_options_;
  std::vector<std::string> made_;
};

std::string PostgresJson(const std::string& conninfo) {
  return absl::StrCat(R"("store": {"postgres": {"conninfo": ")", conninfo,
                      R"(", "pool_size": 8}})");
}

std::string Durations(const std::vector<absl::Duration>& starts) {
  std::vector<std::string> ms;
  for (absl::Duration start : starts) {
    ms.push_back(absl::StrFormat("%.0f", absl::ToDoubleMilliseconds(start)));
  }
  return absl::StrJoin(ms, ", ");
}

// EventReplicas: three payvoxd on `conninfo` with webhook listeners.
absl::StatusOr<std::vector<std::unique_ptr<PayvoxApp>>> EventReplicas(const std::string& conninfo,
                                                                      const std::string& password,
                                                                      const Clock& clock) {
  PAYVOX_ASSIGN_OR_RETURN(
      v1::ServerConfig config,
      ParseConfig(absl::StrCat(
          R"({"grpc_listen_address": "127.0.0.1:0", "log_level": "warning", "tenant_id": "bench",)",
          R"("webhooks": {"listen_address": "127.0.0.1:0", "subscriber_queue": 4096},)",
          PostgresJson(conninfo), "}")));
  std::vector<std::unique_ptr<PayvoxApp>> apps;
  for (int r = 0; r < 3; ++r) {
    PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<PayvoxApp> app,
                            PayvoxApp::Start({.config = config,
                                              .sandbox = true,
                                              .webhook_secrets = {kWebhookBenchSecret},
                                              .postgres_password = password},
                                             clock));
    apps.push_back(std::move(app));
  }
  return apps;
}

// StoreAppends: events/s appended at the store from two threads.
absl::StatusOr<double> StoreAppends(const std::string& conninfo, const std::string& password,
                                    bool notify, int events, const Clock& clock) {
  PAYVOX_ASSIGN_OR_RETURN(
      std::unique_ptr<PostgresStore> store,
      PostgresStore::Open(
          {.pool = {.connect = {.conninfo = conninfo, .password = password}, .size = 4},
           .notify_events = notify},
          clock));
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int n = next.fetch_add(1); n < events; n = next.fetch_add(1)) {
        StoredEvent stored{.tenant_id = "bench"};
        stored.event.set_stripe_event_id(absl::StrCat("evt_s", notify ? "n" : "q", n));
        stored.event.set_type("charge.failed");
        if (!store->AppendEvent(stored).ok()) ++failed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (failed.load() > 0) {
    return absl::InternalError(absl::StrCat(failed.load(), " event appends failed"));
  }
  return events / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int RunReplicasBench(const ReplicasBenchOptions& options) {
  if (options.postgres_conninfo.empty()) {
    std::cerr << "payvox-bench: --mode=replicas needs --postgres (a server the bench may create "
                 "databases on; ./dev.sh bench starts one)\n";
    return 2;
  }
  SystemClock clock;
  sandbox::StripeEmulator emulator(clock, {.id_seed = 1});
  sandbox::SeedDemoData(emulator);
  AddRoomyCharge(emulator, clock, kRefundBenchCharge);
  sandbox::SandboxServer server(emulator);
  if (absl::Status started = server.Start({.port = 0}); !started.ok()) {
    std::cerr << "payvox-bench: sandbox: " << started << "\n";
    return 1;
  }
  Databases databases(options);
  int exit_code = 0;
  const auto report = [&](absl::string_view what, const absl::StatusOr<LoadResult>& result) {
    if (!result.ok()) {
      std::cout << "  " << what << ": FAILED: " << result.status() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << "  " << what << ": " << result->ToString() << "\n";
    if (result->failures > 0) exit_code = 1;
  };

  std::cout << "Refunds of one cent, " << options.load.concurrency
            << " concurrent senders (loopback sandbox, no added latency)\n";
  const std::string sqlite_path =
      (std::filesystem::temp_directory_path() / absl::StrCat("payvox-bench-", getpid(), ".db"))
          .string();
  RemoveDatabase(sqlite_path);
  LoadOptions load = options.load;
  load.stop_at = absl::Now() + options.max_time;
  std::vector<absl::Duration> sqlite_start;
  report(
      "1 payvoxd on SQLite    ",
      RefundsThroughPayvoxd(load,
                            {.config_json = absl::StrCat(R"("store_path": ")", sqlite_path, R"(")"),
                             .stripe_base_url = server.base_url()},
                            1, &sqlite_start));
  RemoveDatabase(sqlite_path);
  std::vector<absl::Duration> starts;
  for (const int replicas : {1, 3}) {
    absl::StatusOr<std::string> database = databases.Make();
    if (!database.ok()) {
      std::cout << "  PostgreSQL: " << database.status() << "\n";
      return 1;
    }
    load.stop_at = absl::Now() + options.max_time;
    report(absl::StrCat(replicas, " payvoxd on PostgreSQL"),
           RefundsThroughPayvoxd(load,
                                 {.config_json = PostgresJson(*database),
                                  .postgres_password = options.postgres_password,
                                  .stripe_base_url = server.base_url()},
                                 replicas, &starts));
  }
  std::cout << "Start-up (ms): SQLite " << Durations(sqlite_start)
            << "; PostgreSQL (first migrates an empty database) " << Durations(starts) << "\n";

  absl::StatusOr<std::string> events_database = databases.Make();
  if (!events_database.ok()) return 1;
  absl::StatusOr<std::vector<std::unique_ptr<PayvoxApp>>> replicas =
      EventReplicas(*events_database, options.postgres_password, clock);
  if (!replicas.ok()) {
    std::cout << "event replicas: " << replicas.status() << "\n";
    return 1;
  }
  const WebhookRun run = MeasureWebhooks((*replicas)[0]->webhook_port(),
                                         absl::StrCat("127.0.0.1:", (*replicas)[1]->grpc_port()),
                                         options.events, 1, options.max_time);
  for (auto& app : *replicas) app->Shutdown();
  std::cout << absl::StrFormat(
      "Webhooks POSTed to replica A, read on replica B: %.0f events/s%s\n"
      "  POST-to-subscriber latency (us): %s\n",
      run.events_per_second, run.complete ? "" : " (INCOMPLETE: the time limit cut it short)",
      run.latency_us.ToString());
  if (!run.complete) exit_code = 1;
  for (const bool notify : {true, false}) {
    absl::StatusOr<std::string> database = databases.Make();
    if (!database.ok()) return 1;
    absl::StatusOr<double> appends =
        StoreAppends(*database, options.postgres_password, notify, options.events, clock);
    if (!appends.ok()) {
      std::cout << "store appends: " << appends.status() << "\n";
      return 1;
    }
    std::cout << absl::StrFormat("Event appends at the store, 2 threads, %s: %.0f events/s\n",
                                 notify ? "NOTIFY after each commit" : "no NOTIFY (feeds poll)",
                                 *appends);
  }
  server.Stop();
  return exit_code;
}

}  // namespace payvox::bench
