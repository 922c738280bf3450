#include "tools/faces_bench.h"

#include <grpcpp/grpcpp.h>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "common/hmac.h"
#include "common/sandbox_tokens.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "tools/auth_channel.h"
#include "tools/bench_support.h"
#include "tools/latency.h"

namespace payvox::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr char kArguments[] = R"({"customer_id":"cus_DemoJennyRosen","limit":5})";
constexpr char kExpected[] = "ch_DemoJennyPlan";
constexpr char kRetellKey[] = "key_payvox_sandbox_retell";

// KeptAlive is one HTTP/1.1 connection reused for every request, as a
// platform's client keeps it.
class KeptAlive {
 public:
  explicit KeptAlive(int port) : stream_(io_) {
    stream_.connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
    stream_.socket().set_option(tcp::no_delay(true));
  }

  // Post sends one request and returns the body, or nullopt on a transport
  // error or a status other than 200.
  std::optional<std::string> Post(const std::string& target, const std::string& body,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.keep_alive(true);
    request.prepare_payload();
    beast::error_code error;
    http::write(stream_, request, error);
    if (error) return std::nullopt;
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response, error);
    if (error || response.result_int() != 200) return std::nullopt;
    return std::move(response.body());
  }

 private:
  boost::asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

struct Transport {
  std::string name;
  // Sends request `i`; the answer's text, or nullopt on failure.
  std::function<std::optional<std::string>(int)> send;
  std::vector<double> micros;
  int failures = 0;
};

}  // namespace

int RunFacesBench(int requests, absl::Duration max_time) {
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app =
      StartSandboxPayvoxd(clock, R"("gateway": {"listen_address": "127.0.0.1:0"},)");
  if (!app.ok()) {
    std::cerr << "payvox-bench: " << app.status() << "\n";
    return 1;
  }
  const std::string token = SandboxTenantToken("default");
  const std::string bearer = absl::StrCat("Bearer ", token);
  const int port = (*app)->gateway_port();
  auto channel = CreateAuthChannel(absl::StrCat("127.0.0.1:", (*app)->grpc_port()),
                                   grpc::InsecureChannelCredentials(), {.tenant = token});
  auto stub = v1::ActionService::NewStub(channel);
  KeptAlive rest(port), mcp(port), vapi(port), retell(port);

  std::vector<Transport> transports;
  transports.push_back({"gRPC Execute", [&](int) -> std::optional<std::string> {
                          v1::ExecuteRequest request;
                          request.mutable_context()->set_call_id("bench-faces");
                          request.set_action("list_charges");
                          request.set_arguments_json(kArguments);
                          grpc::ClientContext context;
                          context.set_deadline(std::chrono::system_clock::now() +
                                               std::chrono::seconds(5));
                          v1::ExecuteResponse response;
                          if (!stub->Execute(&context, request, &response).ok()) {
                            return std::nullopt;
                          }
                          return response.result_json();
                        }});
  transports.push_back({"REST POST /v1/actions/list_charges", [&](int) {
                          return rest.Post(
                              "/v1/actions/list_charges", kArguments,
                              {{"Authorization", bearer}, {"X-Call-Id", "bench-faces"}});
                        }});
  transports.push_back(
      {"MCP tools/call", [&](int i) {
         return mcp.Post("/mcp",
                         absl::StrCat(R"({"jsonrpc":"2.0","id":)", i,
                                      R"(,"method":"tools/call","params":{"name":"list_charges",)",
                                      R"("arguments":)", kArguments, "}}"),
                         {{"Authorization", bearer},
                          {"X-Call-Id", "bench-faces"},
                          {"Accept", "application/json, text/event-stream"},
                          {"MCP-Protocol-Version", "2025-11-25"}});
       }});
  transports.push_back(
      {"Vapi tool-calls", [&](int i) {
         return vapi.Post(
             "/vapi/default",
             absl::StrCat(R"({"message":{"type":"tool-calls","call":{"id":"bench-faces"},)",
                          R"("toolCallList":[{"id":"tc_)", i,
                          R"(","name":"list_charges","parameters":)", kArguments, "}]}}"),
             {{"Authorization", bearer}});
       }});
  transports.push_back(
      {"Retell function (signed)", [&](int) {
         const std::string body = absl::StrCat(
             R"({"name":"list_charges","call":{"call_id":"bench-faces"},"args":)", kArguments, "}");
         const std::string millis = absl::StrCat(absl::ToUnixMillis(absl::Now()));
         return retell.Post(
             "/retell/default/function", body,
             {{"X-Retell-Signature",
               absl::StrCat("v=", millis, ",d=", HmacSha256Hex(kRetellKey, body + millis))}});
       }});

  const absl::Time stop_at = absl::Now() + max_time;
  int rounds = 0;
  for (int i = 0; i < requests && absl::Now() < stop_at; ++i, ++rounds) {
    for (Transport& transport : transports) {
      const absl::Time start = absl::Now();
      std::optional<std::string> answer = transport.send(i);
      const double micros = absl::ToDoubleMicroseconds(absl::Now() - start);
      if (!answer.has_value() || !absl::StrContains(*answer, kExpected)) {
        ++transport.failures;
        continue;
      }
      if (i >= 10) transport.micros.push_back(micros);  // after warm-up
    }
  }
  (*app)->Shutdown();

  std::cout << "list_charges through each transport, " << rounds
            << " interleaved rounds (first 10 are warm-up), one sender, loopback, sandbox "
               "in-process\n";
  const Percentiles grpc_latency = Summarize(transports.front().micros);
  int exit_code = 0;
  for (const Transport& transport : transports) {
    const Percentiles p = Summarize(transport.micros);
    std::cout << absl::StrFormat(
        "  %-36s p50 %6.0f us  p99 %6.0f us  overhead p50 %+5.0f us  "
        "p99 %+5.0f us  failures %d\n",
        transport.name, p.p50, p.p99, p.p50 - grpc_latency.p50, p.p99 - grpc_latency.p99,
        transport.failures);
    if (transport.failures > 0 || transport.micros.empty()) exit_code = 1;
  }
  if (exit_code != 0) std::cerr << "payvox-bench: some requests failed\n";
  return exit_code;
}

}  // namespace payvox::bench
