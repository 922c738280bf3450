#include "sandbox/http_server.h"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "common/async_wait.h"
#include "common/form_codec.h"
#include "common/tcp_listener.h"

namespace payvox::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr size_t kMaxBodyBytes = 1 << 20;

std::string ToString(std::string_view text) { return std::string(text.data(), text.size()); }

asio::awaitable<void> Pause(absl::Duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, ToSteadyDuration(duration));
  beast::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Reset drops the connection with a TCP RST, as a crashed proxy would.
template <typename Stream>
void Reset(Stream& stream) {
  tcp::socket& socket = beast::get_lowest_layer(stream).socket();
  beast::error_code ignored;
  socket.set_option(tcp::socket::linger(true, 0), ignored);
  socket.close(ignored);
}

EmulatorResponse StripeApiError(int status, absl::string_view type, absl::string_view message,
                                std::optional<bool> should_retry, absl::string_view code = "") {
  EmulatorResponse answer{
      .status = status,
      .body = absl::StrCat(R"({"error":{"type":")", type, R"(",)",
                           code.empty() ? "" : absl::StrCat(R"("code":")", code, R"(",)"),
                           R"("message":")", message, R"("}})")};
  if (should_retry.has_value()) {
    answer.headers.emplace_back("Stripe-Should-Retry", *should_retry ? "true" : "false");
  }
  return answer;
}

// ControlFaults serves /_sandbox/faults.
EmulatorResponse ControlFaults(absl::string_view method, absl::string_view body,
                               FaultPlan& faults) {
  if (method == "DELETE") {
    faults.Clear();
    return {.status = 200, .body = R"({"cleared":true})"};
  }
  if (method != "POST") {
    return StripeApiError(405, "invalid_request_error", "use POST or DELETE", std::nullopt);
  }
  absl::StatusOr<FormParams> form = ParseForm(body);
  absl::StatusOr<FaultRule> rule =
      form.ok() ? ParseFaultRule(*form) : absl::StatusOr<FaultRule>(form.status());
  if (!rule.ok()) {
    return StripeApiError(400, "invalid_request_error", rule.status().message(), std::nullopt);
  }
  faults.Add(*std::move(rule));
  return {.status = 200, .body = absl::StrCat(R"({"pending":)", faults.pending(), "}")};
}

// Pacing: how long a connection may sit idle, and how long each answer
// takes at least.
struct Pacing {
  std::chrono::steady_clock::duration idle;
  absl::Duration latency;
};

template <typename Stream>
asio::awaitable<void> Serve(Stream& stream, SandboxAccounts& emulator, FaultPlan& faults,
                            Pacing pacing) {
  beast::flat_buffer buffer;
  beast::error_code error;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(pacing.idle);
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, error));
    if (error == http::error::body_limit) {
      http::response<http::string_body> too_large{http::status::payload_too_large, 11};
      too_large.set(http::field::content_type, "application/json");
      too_large.body() =
          R"({"error":{"type":"invalid_request_error","message":"Request body is too large."}})";
      too_large.keep_alive(false);
      too_large.prepare_payload();
      co_await http::async_write(stream, too_large,
                                 asio::redirect_error(asio::use_awaitable, error));
      break;
    }
    if (error) break;
    const http::request<http::string_body>& request = parser.get();
    const std::string method = ToString(request.method_string());
    const std::string target = ToString(request.target());
    const absl::string_view path = absl::string_view(target).substr(0, target.find('?'));
    const EmulatorRequest emulator_request{
        .method = method,
        .target = target,
        .authorization = ToString(request[http::field::authorization]),
        .idempotency_key = ToString(request["Idempotency-Key"]),
        .body = request.body(),
    };

    std::optional<Fault> fault;
    EmulatorResponse answer;
    if (path == "/_sandbox/faults") {
      answer = ControlFaults(method, request.body(), faults);
    } else {
      // Every answer takes at least `latency`, as a far Stripe would.
      if (pacing.latency > absl::ZeroDuration()) co_await Pause(pacing.latency);
      fault = faults.Take(method, path);
      const FaultKind kind = fault.has_value() ? fault->kind : FaultKind::kLatency;
      if (fault.has_value())
        co_await Pause(kind == FaultKind::kTrickle ? absl::ZeroDuration() : fault->latency);
      if (!fault.has_value() || kind == FaultKind::kLatency || kind == FaultKind::kTrickle) {
        answer = emulator.Handle(emulator_request);
      } else if (kind == FaultKind::kStatus) {
        answer =
            StripeApiError(fault->http_status, "api_error",
                           "An error occurred with our connection to Stripe.", fault->should_retry);
      } else if (kind == FaultKind::kRateLimit) {
        answer = StripeApiError(429, "rate_limit_error",
                                "Too many requests hit the API too quickly.", fault->should_retry);
      } else if (kind == FaultKind::kLockTimeout) {
        answer = StripeApiError(429, "invalid_request_error",
                                "This object cannot be accessed right now because another API "
                                "request or Stripe process is currently accessing it.",
                                fault->should_retry, "lock_timeout");
      } else if (kind == FaultKind::kIdempotencyKeyInUse) {
        answer = StripeApiError(409, "idempotency_error",
                                "There is currently another in-progress request using this "
                                "Idempotency Key.",
                                fault->should_retry, "idempotency_key_in_use");
      } else if (kind == FaultKind::kMalformedJson) {
        answer = {.status = 200, .body = R"({"id": "re_broken", "object": "refu)"};
      } else {
        if (kind == FaultKind::kDropAfterCommit) emulator.Handle(emulator_request);
        Reset(stream);
        co_return;
      }
    }

    http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                               request.version()};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::server, "payvox-sandbox");
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.body() = std::move(answer.body);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (fault.has_value() && fault->kind == FaultKind::kTrickle) {
      http::response_serializer<http::string_body> serializer(response);
      co_await http::async_write_header(stream, serializer,
                                        asio::redirect_error(asio::use_awaitable, error));
      const std::string& body = response.body();
      for (size_t at = 0; !error && at < body.size(); at += fault->chunk_bytes) {
        co_await Pause(fault->latency);
        const size_t size = std::min(fault->chunk_bytes, body.size() - at);
        co_await asio::async_write(stream, asio::buffer(body.data() + at, size),
                                   asio::redirect_error(asio::use_awaitable, error));
      }
    } else {
      co_await http::async_write(stream, response,
                                 asio::redirect_error(asio::use_awaitable, error));
    }
    if (error || !response.keep_alive()) break;
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, error);
}

asio::awaitable<void> ServePlain(tcp::socket socket, SandboxAccounts& emulator, FaultPlan& faults,
                                 Pacing pacing) {
  beast::tcp_stream stream(std::move(socket));
  co_await Serve(stream, emulator, faults, pacing);
}

asio::awaitable<void> ServeTls(tcp::socket socket, ssl::context& tls, SandboxAccounts& emulator,
                               FaultPlan& faults, Pacing pacing) {
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
  beast::get_lowest_layer(stream).expires_after(pacing.idle);
  beast::error_code error;
  co_await stream.async_handshake(ssl::stream_base::server,
                                  asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return;
  co_await Serve(stream, emulator, faults, pacing);
}

// Open counts a served connection for as long as it lives.
struct Open {
  explicit Open(std::shared_ptr<ConnectionCounts> counts) : counts_(std::move(counts)) {
    ++counts_->open;
    ++counts_->accepted;
  }
  Open(Open&& other) noexcept = default;
  ~Open() {
    if (counts_) --counts_->open;
  }
  std::shared_ptr<ConnectionCounts> counts_;
};

// The count drops when the frame, and `open` with it, goes.
asio::awaitable<void> Counted(asio::awaitable<void> serve, [[maybe_unused]] Open open) {
  co_await std::move(serve);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, ssl::context* tls, SandboxAccounts& emulator,
                             FaultPlan& faults, Pacing pacing,
                             std::shared_ptr<ConnectionCounts> open) {
  for (;;) {
    beast::error_code error;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      if (!acceptor.is_open()) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), error);
    if (tls != nullptr) {
      asio::co_spawn(
          acceptor.get_executor(),
          Counted(ServeTls(std::move(socket), *tls, emulator, faults, pacing), Open(open)),
          asio::detached);
    } else {
      asio::co_spawn(acceptor.get_executor(),
                     Counted(ServePlain(std::move(socket), emulator, faults, pacing), Open(open)),
                     asio::detached);
    }
  }
}

}  // namespace

struct SandboxServer::Runtime {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<ssl::context> tls;
};

SandboxServer::SandboxServer(StripeEmulator& emulator) : emulator_(emulator) {}

SandboxServer::~SandboxServer() { Stop(); }

absl::Status SandboxServer::Start(const SandboxServerOptions& options) {
  if (runtime_) return absl::FailedPreconditionError("the sandbox server is already started");
  if (options.threads < 1 || options.threads > 64) {
    return absl::InvalidArgumentError("sandbox threads must be 1 to 64");
  }
  runtime_ = std::make_unique<Runtime>();
  beast::error_code error;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    runtime_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    runtime_->tls->use_certificate_chain_file(options.tls_cert_file, error);
    if (!error) runtime_->tls->use_private_key_file(options.tls_key_file, ssl::context::pem, error);
    if (error) {
      runtime_.reset();
      return absl::InvalidArgumentError(
          absl::StrCat("sandbox cannot load its TLS certificate or key: ", error.message()));
    }
  }
  absl::StatusOr<int> port = ListenOn(runtime_->acceptor, options.address, options.port, "sandbox");
  if (!port.ok()) {
    runtime_.reset();
    return port.status();
  }
  tcp::acceptor& acceptor = runtime_->acceptor;
  address_ = options.address;
  port_ = *port;
  tls_ = runtime_->tls != nullptr;
  asio::co_spawn(
      runtime_->io,
      Accept(acceptor, runtime_->tls.get(), accounts_, faults_,
             Pacing{ToSteadyDuration(options.idle_timeout), options.latency}, connections_),
      asio::detached);
  threads_.Run(runtime_->io, options.threads);
  return absl::OkStatus();
}

void SandboxServer::Stop() {
  if (!runtime_) return;
  threads_.Stop(runtime_->io, runtime_->acceptor);
  runtime_.reset();
}

std::string SandboxServer::base_url() const {
  const bool v6 = address_.find(':') != std::string::npos;
  return absl::StrCat(tls_ ? "https://" : "http://", v6 ? "[" : "", address_, v6 ? "]" : "", ":",
                      port_);
}

}  // namespace payvox::sandbox
