#include "tools/pool_bench.h"

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "client/resilient_stripe_client.h"
#include "common/clock.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "tools/latency.h"

namespace payvox::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr char kPath[] = "/v1/charges/ch_DemoJennyPlan";
constexpr char kKey[] = "sk_test_payvox_bench";

// RawKeepAlive measures the floor: one synchronous keep-alive connection.
std::vector<double> RawKeepAlive(int port, int requests, absl::Time stop_at) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
  stream.socket().set_option(asio::ip::tcp::no_delay(true));
  http::request<http::empty_body> request{http::verb::get, kPath, 11};
  request.set(http::field::host, absl::StrCat("127.0.0.1:", port));
  request.set(http::field::authorization, absl::StrCat("Bearer ", kKey));
  request.keep_alive(true);
  beast::flat_buffer buffer;
  std::vector<double> micros;
  for (int i = 0; i < requests && absl::Now() < stop_at; ++i) {
    const absl::Time begin = absl::Now();
    http::write(stream, request);
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - begin));
  }
  return micros;
}

// ChargeRequest: `distinct` requests are never coalesced with each other
// (a different expand[] value), so concurrent senders really load the pool.
stripe::StripeRequest ChargeRequest(const Clock& clock, int distinct) {
  stripe::StripeRequest request{.path = kPath,
                                .bounds = CallBounds(clock.Now() + absl::Seconds(5))};
  request.params.Add("expand[]", absl::StrCat("n", distinct));
  return request;
}

}  // namespace

int RunPoolBench(const PoolBenchOptions& options) {
  SystemClock clock;
  sandbox::StripeEmulator emulator(clock, {.id_seed = 1});
  sandbox::SeedDemoData(emulator);
  sandbox::SandboxServer server(emulator);
  if (absl::Status started = server.Start({.port = 0}); !started.ok()) {
    std::cerr << "payvox-bench: sandbox: " << started << "\n";
    return 1;
  }
  const absl::Time stop_at = absl::Now() + absl::Seconds(options.max_seconds);

  asio::io_context io;
  stripe::StripeClientOptions client_options;
  client_options.pool = {.base_url = server.base_url(), .api_key = kKey};
  // The limiter would hold a test key to 25 reads/s; here its cost is
  // measured, not its limit.
  client_options.rate_limits = stripe::RateLimits{.read_per_second = 1e6,
                                                  .write_per_second = 1e6,
                                                  .search_per_second = 1e6,
                                                  .endpoint_per_second = 1e6};
  auto client = stripe::ResilientStripeClient::Create(io.get_executor(), clock, client_options);
  if (!client.ok()) {
    std::cerr << "payvox-bench: client: " << client.status() << "\n";
    return 1;
  }
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });

  // 1 and 2: one request at a time, raw socket then the client.
  const Percentiles raw = Summarize(RawKeepAlive(server.port(), options.requests, stop_at));
  std::vector<double> pooled_micros;
  int failures = 0;
  auto sequential = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < options.requests && absl::Now() < stop_at; ++i) {
      const absl::Time begin = absl::Now();
      absl::StatusOr<stripe::StripeResponse> response =
          co_await (*client)->Send(ChargeRequest(clock, i));
      pooled_micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - begin));
      if (!response.ok()) ++failures;
    }
  };
  asio::co_spawn(asio::make_strand(io), sequential(), asio::use_future).get();
  const Percentiles pooled = Summarize(pooled_micros);

  // 3: concurrent load.
  const stripe::PoolStats before = *(*client)->pool_stats();
  std::atomic<int> next{0};
  std::atomic<int> load_failures{0};
  auto worker = [&]() -> asio::awaitable<void> {
    for (int n = next.fetch_add(1); n < options.requests * 2 && absl::Now() < stop_at;
         n = next.fetch_add(1)) {
      absl::StatusOr<stripe::StripeResponse> response =
          co_await (*client)->Send(ChargeRequest(clock, n));
      if (!response.ok()) ++load_failures;
    }
  };
  const absl::Time load_start = absl::Now();
  std::vector<std::future<void>> workers;
  for (int i = 0; i < options.concurrency; ++i) {
    workers.push_back(asio::co_spawn(asio::make_strand(io), worker(), asio::use_future));
  }
  for (auto& done : workers) done.get();
  const double load_seconds = absl::ToDoubleSeconds(absl::Now() - load_start);
  const stripe::PoolStats after = *(*client)->pool_stats();
  const uint64_t load_trips = after.round_trips - before.round_trips;
  const double warm_share =
      load_trips == 0 ? 0.0
                      : static_cast<double>(after.warm_round_trips - before.warm_round_trips) /
                            static_cast<double>(load_trips);

  work.reset();
  for (std::thread& thread : threads) thread.join();
  server.Stop();

  std::cout << absl::StrFormat(
      "Stripe client against the sandbox (GET %s, loopback, no added latency)\n"
      "  raw keep-alive socket, %d requests:  latency us %s\n"
      "  payvox client, %d requests:          latency us %s\n"
      "  added by the client:                 p50 %+.0f us  p99 %+.0f us\n"
      "  %d concurrent senders, 2 I/O threads: %.0f requests/s, %.2f%% on warm connections "
      "(%d connections opened), %d failed\n",
      kPath, static_cast<int>(raw.count), raw.ToString(), static_cast<int>(pooled.count),
      pooled.ToString(), pooled.p50 - raw.p50, pooled.p99 - raw.p99, options.concurrency,
      static_cast<double>(load_trips) / load_seconds, 100.0 * warm_share,
      static_cast<int>(after.connects), failures + load_failures.load());
  return failures + load_failures.load() == 0 ? 0 : 1;
}

}  // namespace payvox::bench
