#include "tools/webhook_bench.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tools/auth_channel.h"
#include "tools/latency.h"
#include "webhooks/signature.h"

namespace payvox::bench {
namespace {

namespace http = boost::beast::http;

constexpr const char* kSecret = kWebhookBenchSecret;

// ResidentKib reads VmRSS from /proc/self/status.
int64_t ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      int64_t kib = 0;
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kib);
      return kib;
    }
  }
  return 0;
}

std::string EventBody(int n) {
  return absl::StrCat(R"({"id":"evt_b)", n, R"(","object":"event","created":)", 1700000000 + n,
                      R"(,"data":{"object":{"id":"ch_b)", n,
                      R"(","object":"charge","amount":4900,"currency":"usd",)",
                      R"("customer":"cus_bench","status":"failed","failure_code":"card_declined",)",
                      R"("outcome":{"reason":"insufficient_funds"}}},"type":"charge.failed"})");
}

}  // namespace

WebhookRun MeasureWebhooks(int webhook_port, const std::string& target, int requests,
                           int subscribers, absl::Duration max_time) {
  std::vector<absl::Time> sent(static_cast<size_t>(requests) + 1);
  std::mutex latency_mu;
  std::vector<double> latencies;
  std::atomic<int> finished{0};
  std::atomic<int> ready{0};
  const absl::Time deadline = absl::Now() + max_time;
  std::vector<std::thread> readers;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts(static_cast<size_t>(subscribers));
  for (int s = 0; s < subscribers; ++s) {
    contexts[static_cast<size_t>(s)] = std::make_unique<grpc::ClientContext>();
    readers.emplace_back([&, s] {
      auto stub = v1::EventService::NewStub(CreateBenchChannel(target, "bench"));
      grpc::ClientContext& context = *contexts[static_cast<size_t>(s)];
      context.set_deadline(absl::ToChronoTime(deadline));
      v1::SubscribeRequest request;
      request.set_resume_after(0);
      auto reader = stub->Subscribe(&context, request);
      ++ready;
      std::vector<double> mine;
      v1::PaymentEvent event;
      int received = 0;
      while (received < requests && reader->Read(&event)) {
        if (event.type() == "heartbeat") continue;
        int n = 0;
        if (absl::SimpleAtoi(event.stripe_event_id().substr(5), &n) && n > 0 && n <= requests) {
          mine.push_back(absl::ToDoubleMicroseconds(absl::Now() - sent[static_cast<size_t>(n)]));
        }
        ++received;
      }
      if (received == requests) ++finished;
      std::lock_guard<std::mutex> lock(latency_mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  while (ready.load() < subscribers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // streams registered

  const absl::Time start = absl::Now();
  std::atomic<int> next{1};
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&] {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      socket.connect(
          {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(webhook_port)});
      boost::beast::flat_buffer buffer;
      for (int n = next.fetch_add(1); n <= requests && absl::Now() < deadline;
           n = next.fetch_add(1)) {
        const std::string body = EventBody(n);
        const int64_t now = absl::ToUnixSeconds(absl::Now());
        http::request<http::string_body> request{http::verb::post, "/v1/webhooks/stripe/bench", 11};
        request.set("Stripe-Signature",
                    absl::StrCat("t=", now, ",v1=", webhooks::SignPayload(kSecret, now, body)));
        request.body() = body;
        request.prepare_payload();
        sent[static_cast<size_t>(n)] = absl::Now();
        http::write(socket, request);
        http::response<http::string_body> response;
        http::read(socket, buffer, response);
        if (response.result() != http::status::ok) {
          std::cerr << "payvox-bench: webhook answered " << response.result_int() << "\n";
        }
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  for (std::thread& reader : readers) reader.join();
  WebhookRun run;
  run.events_per_second = requests / absl::ToDoubleSeconds(absl::Now() - start);
  run.latency_us = Summarize(std::move(latencies));
  run.complete = finished.load() == subscribers;
  return run;
}

namespace {

absl::StatusOr<std::unique_ptr<PayvoxApp>> StartApp(const SystemClock& clock,
                                                    const std::string& store) {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(absl::StrCat(
      R"({"grpc_listen_address": "127.0.0.1:0", "log_level": "warning", "tenant_id": "bench", "store_path": ")",
      store, R"(", "webhooks": {"listen_address": "127.0.0.1:0", "subscriber_queue": 1024}})"));
  if (!config.ok()) return config.status();
  return PayvoxApp::Start({.config = *config, .sandbox = true, .webhook_secrets = {kSecret}},
                          clock);
}

}  // namespace

int RunWebhookBench(int requests, absl::Duration max_time) {
  SystemClock clock;
  int exit_code = 0;
  for (const int subscribers : {1, 100}) {
    const std::string store = absl::StrCat("/tmp/payvox-webhook-bench-", ::getpid(), ".db");
    std::remove(store.c_str());
    absl::StatusOr<std::unique_ptr<PayvoxApp>> app = StartApp(clock, store);
    if (!app.ok()) {
      std::cerr << "payvox-bench: " << app.status() << "\n";
      return 1;
    }
    const WebhookRun run =
        MeasureWebhooks((*app)->webhook_port(), absl::StrCat("127.0.0.1:", (*app)->grpc_port()),
                        requests, subscribers, max_time);
    (*app)->Shutdown();
    std::remove(store.c_str());
    std::cout << absl::StrFormat(
        "webhooks -> %d subscriber%s: %.0f events/s verified, durable, fanned out%s\n"
        "  webhook-to-subscriber latency (us): %s\n",
        subscribers, subscribers == 1 ? "" : "s", run.events_per_second,
        run.complete ? "" : " (INCOMPLETE: the time limit cut it short)",
        run.latency_us.ToString());
    if (!run.complete) exit_code = 1;
  }

  // Memory of idle streams.
  const std::string store = absl::StrCat("/tmp/payvox-webhook-bench-", ::getpid(), ".db");
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app = StartApp(clock, store);
  if (!app.ok()) return 1;
  auto stub = v1::EventService::NewStub(
      CreateBenchChannel(absl::StrCat("127.0.0.1:", (*app)->grpc_port()), "bench"));
  constexpr int kIdle = 1000;
  const int64_t before = ResidentKib();
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::PaymentEvent>>> streams;
  for (int i = 0; i < kIdle; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    streams.push_back(stub->Subscribe(contexts.back().get(), v1::SubscribeRequest()));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const int64_t after = ResidentKib();
  std::cout << absl::StrFormat(
      "%d idle streams: resident memory +%d KiB (%.1f KiB per stream, client side included)\n",
      kIdle, after - before, static_cast<double>(after - before) / kIdle);
  for (auto& context : contexts) context->TryCancel();
  for (auto& stream : streams) (void)stream->Finish();
  (*app)->Shutdown();
  std::remove(store.c_str());
  return exit_code;
}

}  // namespace payvox::bench
