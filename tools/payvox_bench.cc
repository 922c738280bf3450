// payvox-bench: load generator for payvoxd, on loopback only.
//
//   payvox-bench --requests=5000 --concurrency=1
//       starts payvoxd's components in-process against the in-process
//       sandbox (no added latency) and measures FindCustomer round trips
//       through gRPC -> client -> sandbox.
//   payvox-bench --target=127.0.0.1:50051 ...
//       measures a payvoxd that is already running.
//   payvox-bench --mode=pool --requests=5000 --concurrency=8
//       measures the Stripe client alone against the sandbox
//       (tools/pool_bench.h).
//   payvox-bench --mode=actions --requests=2000
//       per-action p50/p99 of the most used actions (tools/actions_bench.h).
//   payvox-bench --mode=webhooks --requests=5000
//       webhook ingestion with 1 and 100 subscribers, webhook-to-subscriber
//       latency, memory of 1,000 idle streams (tools/webhook_bench.h).
//   payvox-bench --mode=refund --requests=2000 --concurrency=4
//       refund throughput with policy and audit on versus off
//       (tools/refund_bench.h).
//   payvox-bench --mode=replicas --requests=3000 --concurrency=16 --postgres=...
//       refunds through 1 payvoxd on SQLite and 1 and 3 on PostgreSQL, start-up,
//       webhooks across replicas, NOTIFY's cost (tools/replicas_bench.h).
//   payvox-bench --mode=conversation --requests=20 --stripe_latency_ms=150
//       the refund conversation with and without payvox, BeginCall's
//       prefetch, ListActions and cached reads against a health check, the
//       first call after --idle_seconds (tools/conversation_bench.h).
//   payvox-bench --mode=faces --requests=2000
//       each HTTP face of the front door against gRPC's Execute, same
//       action, interleaved (tools/faces_bench.h).
//
// Prints p50/p90/p99/max latency and throughput. Bounded by --requests and
// --max_seconds; it stops by itself.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "common/program_flags.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "tools/actions_bench.h"
#include "tools/auth_channel.h"
#include "tools/conversation_bench.h"
#include "tools/faces_bench.h"
#include "tools/load.h"
#include "tools/pool_bench.h"
#include "tools/refund_bench.h"
#include "tools/replicas_bench.h"
#include "tools/webhook_bench.h"

ABSL_FLAG(std::string, target, "", "running payvoxd to measure; empty: start one in-process");
ABSL_FLAG(int, requests, 5000, "measured requests (after warm-up)");
ABSL_FLAG(int, warmup, 200, "requests sent first and not measured");
ABSL_FLAG(int, concurrency, 1, "client threads, each with its own channel");
ABSL_FLAG(int, max_seconds, 120, "stop after this long whatever the count");
ABSL_FLAG(
    std::string, mode, "find_customer",
    "find_customer (through payvoxd), actions, refund, replicas, webhooks, pool, conversation or "
    "faces");
ABSL_FLAG(std::string, postgres, "",
          "replicas: libpq connection string of a PostgreSQL the bench may create databases on");
ABSL_FLAG(std::string, postgres_password_file, "", "replicas: file holding its password");
ABSL_FLAG(int, stripe_latency_ms, 150, "conversation: added to every sandbox answer");
ABSL_FLAG(int, idle_seconds, 60, "conversation: quiet spell before the last call; 0 skips it");

namespace {

bool IsLoopback(absl::string_view target) {
  return absl::StartsWith(target, "127.") || absl::StartsWith(target, "localhost:") ||
         absl::StartsWith(target, "[::1]:");
}

}  // namespace

int main(int argc, char** argv) {
  payvox::ParseProgramFlags(argc, argv, "payvox-bench",
                            "payvox-bench: payvox's service benchmarks (docs/benchmarks.md).");
  const int requests = absl::GetFlag(FLAGS_requests);
  const int concurrency = std::clamp(absl::GetFlag(FLAGS_concurrency), 1, 64);
  const int warmup = std::max(0, absl::GetFlag(FLAGS_warmup));
  if (requests < 1 || requests > 10'000'000) {
    std::cerr << "payvox-bench: --requests must be 1 to 10000000\n";
    return 2;
  }
  const absl::Duration max_time = absl::Seconds(std::max(1, absl::GetFlag(FLAGS_max_seconds)));
  const payvox::bench::LoadOptions load{.requests = requests,
                                        .warmup = warmup,
                                        .concurrency = concurrency,
                                        .stop_at = absl::Now() + max_time};
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "pool") {
    return payvox::bench::RunPoolBench({.requests = requests,
                                        .concurrency = concurrency,
                                        .max_seconds = absl::GetFlag(FLAGS_max_seconds)});
  }
  if (mode == "refund") return payvox::bench::RunRefundBench(load, max_time);
  if (mode == "replicas") {
    std::string password;
    if (const std::string file = absl::GetFlag(FLAGS_postgres_password_file); !file.empty()) {
      std::ifstream in(file);
      if (!std::getline(in, password)) {
        std::cerr << "payvox-bench: cannot read --postgres_password_file " << file << "\n";
        return 2;
      }
    }
    return payvox::bench::RunReplicasBench({.load = load,
                                            .max_time = max_time,
                                            .postgres_conninfo = absl::GetFlag(FLAGS_postgres),
                                            .postgres_password = password,
                                            .events = std::min(requests, 100000)});
  }
  if (mode == "actions") return payvox::bench::RunActionsBench(load, max_time);
  if (mode == "webhooks") return payvox::bench::RunWebhookBench(requests, max_time);
  if (mode == "faces") return payvox::bench::RunFacesBench(requests, max_time);
  if (mode == "conversation") {
    const int latency_ms = absl::GetFlag(FLAGS_stripe_latency_ms);
    const int idle_seconds = absl::GetFlag(FLAGS_idle_seconds);
    if (latency_ms < 0 || latency_ms > 5000 || idle_seconds < 0 || idle_seconds > 600) {
      std::cerr << "payvox-bench: --stripe_latency_ms must be 0 to 5000 and --idle_seconds 0 "
                   "to 600\n";
      return 2;
    }
    return payvox::bench::RunConversationBench({.conversations = std::min(requests, 1000),
                                                .stripe_latency = absl::Milliseconds(latency_ms),
                                                .idle = absl::Seconds(idle_seconds),
                                                .max_time = max_time});
  }
  if (mode != "find_customer") {
    std::cerr << "payvox-bench: --mode must be find_customer, actions, refund, replicas, "
                 "webhooks, pool, conversation or faces\n";
    return 2;
  }

  payvox::SystemClock clock;
  std::unique_ptr<payvox::PayvoxApp> app;
  std::string target = absl::GetFlag(FLAGS_target);
  if (target.empty()) {
    absl::StatusOr<payvox::v1::ServerConfig> config = payvox::ParseConfig(
        R"({"grpc_listen_address": "127.0.0.1:0", "io_threads": 2, "log_level": "warning",
            "stripe": {"read_per_second": 10000, "write_per_second": 10000,
                       "search_per_second": 10000, "endpoint_per_second": 10000}})");
    absl::StatusOr<std::unique_ptr<payvox::PayvoxApp>> started =
        payvox::PayvoxApp::Start({.config = *config, .sandbox = true}, clock);
    if (!started.ok()) {
      std::cerr << "payvox-bench: " << started.status() << "\n";
      return 1;
    }
    app = *std::move(started);
    target = absl::StrCat("127.0.0.1:", app->grpc_port());
  } else if (!IsLoopback(target)) {
    std::cerr << "payvox-bench: --target must be a loopback address\n";
    return 2;
  }

  const payvox::bench::LoadResult result = payvox::bench::RunLoad(load, [&](int thread) {
    std::shared_ptr<payvox::v1::ActionService::Stub> stub =
        payvox::v1::ActionService::NewStub(payvox::CreateBenchChannel(target));
    payvox::v1::FindCustomerRequest request;
    request.mutable_context()->set_call_id(absl::StrCat("bench-", thread));
    request.set_email("jenny.rosen@example.com");
    return [stub, request](int) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      payvox::v1::FindCustomerResponse response;
      const grpc::Status status = stub->FindCustomer(&context, request, &response);
      return status.ok() ? absl::OkStatus() : absl::UnknownError(status.error_message());
    };
  });
  if (app) app->Shutdown();
  if (result.latency_us.count == 0) {
    std::cerr << "payvox-bench: no request completed\n";
    return 1;
  }
  std::cout << "FindCustomer via payvoxd -> sandbox, concurrency " << concurrency << "\n  "
            << result.ToString() << "\n";
  return result.failures == 0 ? 0 : 1;
}
