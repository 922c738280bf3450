#include "tools/refund_bench.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "common/idempotency_key.h"
#include "common/sandbox_tokens.h"
#include "common/status_macros.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "tools/auth_channel.h"
#include "tools/bench_support.h"

namespace payvox::bench {
namespace {

namespace asio = boost::asio;

constexpr const char* kKey = kBenchKey;
constexpr const char* kCustomer = kBenchCustomer;
constexpr const char* kCharge = kRefundBenchCharge;

}  // namespace

absl::StatusOr<LoadResult> RefundsThroughPayvoxd(const LoadOptions& options,
                                                 const PayvoxdStore& store, int replicas,
                                                 std::vector<absl::Duration>* starts) {
  SystemClock clock;
  PAYVOX_ASSIGN_OR_RETURN(
      v1::ServerConfig config,
      ParseConfig(absl::StrCat(
          R"({"grpc_listen_address": "127.0.0.1:0", "io_threads": 2, "log_level": "warning",)",
          R"("tenant_id": "bench",)", store.config_json, R"(,)", R"("stripe": {"api_base_url": ")",
          store.stripe_base_url, R"(", "read_per_second": 10000,)",
          R"("write_per_second": 10000, "search_per_second": 10000, "endpoint_per_second": 10000},)",
          R"("policy": {"refunds": {)",
          R"("max_auto_refund": [{"currency": "usd", "amount_minor": 50000}],)",
          R"("daily_limit": [{"currency": "usd", "amount_minor": 10000000}],)",
          R"("daily_limit_per_customer": [{"currency": "usd", "amount_minor": 10000000}]}}})")));
  const Keyring keyring(*MasterKey::Generate());
  std::vector<std::unique_ptr<PayvoxApp>> apps;
  std::vector<std::string> targets;
  for (int r = 0; r < replicas; ++r) {
    const absl::Time starting = absl::Now();
    PAYVOX_ASSIGN_OR_RETURN(std::unique_ptr<PayvoxApp> app,
                            PayvoxApp::Start({.config = config,
                                              .stripe_api_key = kKey,
                                              .keyring = keyring,
                                              .tenant_token = SandboxTenantToken("bench"),
                                              .operator_token = "",
                                              .postgres_password = store.postgres_password},
                                             clock));
    if (starts != nullptr) starts->push_back(absl::Now() - starting);
    targets.push_back(absl::StrCat("127.0.0.1:", app->grpc_port()));
    apps.push_back(std::move(app));
  }
  LoadResult result = RunLoad(options, [&](int thread) -> Sender {
    // Senders spread over the replicas; each is one call, verified on its
    // replica (verification is the store's, so any would do).
    const std::string& target = targets[static_cast<size_t>(thread) % targets.size()];
    std::shared_ptr<v1::ActionService::Stub> stub =
        v1::ActionService::NewStub(CreateBenchChannel(target, "bench"));
    v1::CallContext call;
    call.set_call_id(absl::StrCat("bench-call-", thread));
    call.set_agent_id("payvox-bench");
    {
      grpc::ClientContext context;
      v1::VerifyIdentityRequest verify;
      *verify.mutable_context() = call;
      verify.set_customer_id(kCustomer);
      verify.set_last4("4242");
      v1::VerifyIdentityResponse verified;
      const grpc::Status status = stub->VerifyIdentity(&context, verify, &verified);
      if (!status.ok() || !verified.verified()) {
        return [status](int) {
          return absl::FailedPreconditionError(
              absl::StrCat("the bench caller was not verified: ", status.error_message()));
        };
      }
    }
    return [stub, call](int i) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      v1::CreateRefundRequest request;
      *request.mutable_context() = call;
      request.mutable_context()->set_request_id(absl::StrCat("r-", i));
      request.set_charge_id(kCharge);
      request.set_amount_minor(1);
      request.set_reason("requested_by_customer");
      v1::CreateRefundResponse response;
      return FromGrpc(stub->CreateRefund(&context, request, &response));
    };
  });
  for (auto& app : apps) app->Shutdown();
  return result;
}

namespace {

// PolicyAndAuditOff sends the refund's Stripe requests directly.
absl::StatusOr<LoadResult> PolicyAndAuditOff(const LoadOptions& options,
                                             const std::string& base_url, const Clock& clock) {
  asio::io_context io;
  stripe::StripeClientOptions client_options;
  client_options.pool = {.base_url = base_url, .api_key = kKey};
  client_options.rate_limits =
      stripe::RateLimits{.read_per_second = 1e5, .write_per_second = 1e5, .search_per_second = 1e5};
  PAYVOX_ASSIGN_OR_RETURN(
      std::unique_ptr<stripe::ResilientStripeClient> client,
      stripe::ResilientStripeClient::Create(io.get_executor(), clock, client_options));
  stripe::StripeApi api(*client);
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < 2; ++i) io_threads.emplace_back([&io] { io.run(); });

  auto refund = [&](int i) -> asio::awaitable<absl::Status> {
    // Named arguments: GCC 12 mishandles braced temporaries in co_await.
    const CallBounds bounds(clock.Now() + absl::Seconds(5));
    const stripe::CallOptions read{.bounds = bounds};
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Charge charge, co_await api.GetCharge(kCharge, read));
    const std::string request_id = absl::StrCat("direct-", i);
    stripe::RefundParams params{
        .charge = charge.id, .amount = 1, .reason = "requested_by_customer"};
    params.metadata = {{"payvox_call_id", "bench-direct"}, {"payvox_request_id", request_id}};
    const stripe::CallOptions write{
        .bounds = bounds,
        .idempotency_key = DeriveIdempotencyKey({"bench", "bench-direct", request_id, "refund"})};
    absl::StatusOr<stripe::Refund> created = co_await api.CreateRefund(std::move(params), write);
    co_return created.status();
  };
  LoadResult result = RunLoad(options, [&](int) -> Sender {
    auto strand = asio::make_strand(io);
    return [&refund, strand](int i) {
      return asio::co_spawn(strand, refund(i), asio::use_future).get();
    };
  });
  work.reset();
  for (std::thread& thread : io_threads) thread.join();
  return result;
}

}  // namespace

void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::remove(path + suffix, ignored);
  }
}

int RunRefundBench(const LoadOptions& options, absl::Duration max_time) {
  SystemClock clock;
  sandbox::StripeEmulator emulator(clock, {.id_seed = 1});
  sandbox::SeedDemoData(emulator);
  AddRoomyCharge(emulator, clock, kCharge);
  sandbox::SandboxServer server(emulator);
  if (absl::Status started = server.Start({.port = 0}); !started.ok()) {
    std::cerr << "payvox-bench: sandbox: " << started << "\n";
    return 1;
  }
  const std::string store_path =
      (std::filesystem::temp_directory_path() / absl::StrCat("payvox-bench-", getpid(), ".db"))
          .string();
  RemoveDatabase(store_path);

  LoadOptions run = options;
  run.stop_at = absl::Now() + max_time;
  absl::StatusOr<LoadResult> on =
      RefundsThroughPayvoxd(run,
                            {.config_json = absl::StrCat(R"("store_path": ")", store_path, R"(")"),
                             .stripe_base_url = server.base_url()},
                            1, nullptr);
  RemoveDatabase(store_path);
  run.stop_at = absl::Now() + max_time;
  absl::StatusOr<LoadResult> off = PolicyAndAuditOff(run, server.base_url(), clock);
  server.Stop();
  if (!on.ok() || !off.ok()) {
    std::cerr << "payvox-bench: " << (on.ok() ? off.status() : on.status()) << "\n";
    return 1;
  }
  std::cout << "Refunds of one cent against the sandbox (loopback, no added latency), "
            << options.concurrency << " concurrent senders\n"
            << "  policy and audit on  (payvoxd, durable SQLite): " << on->ToString() << "\n"
            << "  policy and audit off (the Stripe calls alone):  " << off->ToString() << "\n";
  return on->failures + off->failures == 0 ? 0 : 1;
}

}  // namespace payvox::bench
