#include "common/http_listener.h"

#include <atomic>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/async_wait.h"
#include "common/json_writer.h"

namespace payvox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

HttpAnswer JsonAnswer(int status, absl::string_view key, absl::string_view value) {
  JsonWriter json;
  json.BeginObject().Field(key, value).EndObject();
  return {status, json.Take()};
}

absl::string_view RequestPath(const HttpRequest& request) {
  const absl::string_view target(request.target().data(), request.target().size());
  return target.substr(0, target.find('?'));
}

namespace {

// Open is what the listener knows of one open connection. Its fields are
// guarded by Runtime::sockets_mu; the socket is touched only on the
// connection's strand.
struct Open {
  tcp::socket* socket = nullptr;
  asio::any_io_executor strand;
  // Between a request's last byte read and its answer written.
  bool handling = false;
  // When it started waiting for its next request (or for the rest of one):
  // the connection idle the longest is closed first to make room.
  uint64_t idle_since = 0;
  bool evicting = false;
};

}  // namespace

// Members are destroyed in reverse order: `io` goes before everything the
// coroutine frames it destroys still touch (the socket registry, the
// counters, the TLS context), and `acceptor` before `io`.
struct HttpListener::Runtime {
  HttpListenerOptions options;
  std::unique_ptr<ssl::context> tls;
  std::atomic<int> connections{0};
  // Requests between their last byte read and their answer: their handler
  // calls may resume on `io`, so Stop lets them finish first.
  std::atomic<int> handling{0};
  // Open connections, closed by Stop once the threads are joined.
  std::mutex sockets_mu;
  absl::flat_hash_map<uint64_t, Open> sockets ABSL_GUARDED_BY(sockets_mu);
  uint64_t next_id ABSL_GUARDED_BY(sockets_mu) = 0;
  // Orders idleness (a counter, not a clock: only the order matters).
  uint64_t ticks ABSL_GUARDED_BY(sockets_mu) = 0;
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

namespace {

// OpenSocket registers a connection with the listener for its lifetime.
class OpenSocket {
 public:
  OpenSocket(HttpListener::Runtime& runtime, tcp::socket& socket) : runtime_(runtime) {
    std::lock_guard<std::mutex> lock(runtime_.sockets_mu);
    id_ = runtime_.next_id++;
    runtime_.sockets[id_] =
        Open{.socket = &socket, .strand = socket.get_executor(), .idle_since = runtime_.ticks++};
  }
  ~OpenSocket() {
    std::lock_guard<std::mutex> lock(runtime_.sockets_mu);
    runtime_.sockets.erase(id_);
  }
  // Handling: a request was read (true) or its answer written (false).
  void Handling(bool handling) {
    std::lock_guard<std::mutex> lock(runtime_.sockets_mu);
    Open& open = runtime_.sockets[id_];
    open.handling = handling;
    if (!handling) open.idle_since = runtime_.ticks++;
  }

 private:
  HttpListener::Runtime& runtime_;
  uint64_t id_ = 0;
};

// EvictIdlest closes the connection idle the longest (one not handling a
// request) to make room for a new one; false when every connection is busy.
bool EvictIdlest(HttpListener::Runtime& runtime) {
  std::lock_guard<std::mutex> lock(runtime.sockets_mu);
  uint64_t chosen = 0;
  const Open* idlest = nullptr;
  for (const auto& [id, open] : runtime.sockets) {
    if (open.handling || open.evicting) continue;
    if (idlest == nullptr || open.idle_since < idlest->idle_since) {
      idlest = &open;
      chosen = id;
    }
  }
  if (idlest == nullptr) return false;
  runtime.sockets[chosen].evicting = true;
  // On the connection's strand, where its coroutine runs: the socket is
  // still open if it is still registered.
  asio::post(idlest->strand, [&runtime, chosen] {
    std::lock_guard<std::mutex> lock(runtime.sockets_mu);
    auto found = runtime.sockets.find(chosen);
    if (found == runtime.sockets.end() || found->second.handling) return;
    beast::error_code ignored;
    found->second.socket->shutdown(tcp::socket::shutdown_both, ignored);
    found->second.socket->close(ignored);
  });
  return true;
}

template <typename Stream>
asio::awaitable<void> Serve(Stream& stream, HttpListener::Runtime& runtime, HttpHandler& handler,
                            OpenSocket& open) {
  beast::flat_buffer buffer;
  beast::error_code error;
  const HttpListenerOptions& options = runtime.options;
  for (;;) {
    // The whole request (headers and body) within the read timeout: a
    // sender that dribbles bytes (slowloris) is closed when it passes.
    beast::get_lowest_layer(stream).expires_after(ToSteadyDuration(options.read_timeout));
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, error));
    HttpAnswer answer;
    bool close = false;
    if (error == http::error::body_limit) {
      answer = JsonAnswer(413, "error", "the body is over the limit");
      handler.Oversized();
      close = true;
    } else if (error == http::error::header_limit) {
      answer = JsonAnswer(431, "error", "the headers are too large");
      handler.Oversized();
      close = true;
    } else if (error) {
      break;  // closed, timed out or not HTTP
    } else {
      ++runtime.handling;
      open.Handling(true);
      answer = co_await handler.Handle(parser.get());
      --runtime.handling;
      close = !parser.get().keep_alive();
    }
    http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
    response.set(http::field::content_type, answer.content_type);
    response.set(http::field::server, "payvox");
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.body() = std::move(answer.body);
    response.keep_alive(!close);
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, error));
    open.Handling(false);
    if (error || close) break;
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, error);
}

asio::awaitable<void> ServeConnection(tcp::socket socket, HttpListener::Runtime& runtime,
                                      HttpHandler& handler) {
  if (runtime.tls == nullptr) {
    beast::tcp_stream stream(std::move(socket));
    OpenSocket open(runtime, stream.socket());
    co_await Serve(stream, runtime, handler, open);
  } else {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *runtime.tls);
    OpenSocket open(runtime, beast::get_lowest_layer(stream).socket());
    beast::get_lowest_layer(stream).expires_after(ToSteadyDuration(runtime.options.read_timeout));
    beast::error_code error;
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, error));
    if (!error) co_await Serve(stream, runtime, handler, open);
  }
  --runtime.connections;
}

// Accept takes connections until the acceptor closes. At the cap the
// connection idle the longest makes room (a busy one never does); when
// every one is busy the new one is closed. When descriptors run out (EMFILE,
// ENFILE) it frees one the same way and waits a moment instead of spinning.
asio::awaitable<void> Accept(HttpListener::Runtime& runtime, HttpHandler& handler) {
  asio::steady_timer pause(runtime.io);
  for (;;) {
    beast::error_code error;
    // Each connection runs on a strand of its own, so eviction can close its
    // socket where its coroutine runs.
    auto strand = asio::make_strand(runtime.io);
    tcp::socket socket = co_await runtime.acceptor.async_accept(
        strand, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      if (!runtime.acceptor.is_open()) co_return;
      if (error == asio::error::no_descriptors) EvictIdlest(runtime);
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    if (runtime.connections.load() >= runtime.options.max_connections && !EvictIdlest(runtime)) {
      socket.close(error);  // every connection is busy: the sender retries later
      continue;
    }
    ++runtime.connections;
    socket.set_option(tcp::no_delay(true), error);
    asio::co_spawn(strand, ServeConnection(std::move(socket), runtime, handler), asio::detached);
  }
}

}  // namespace

HttpListener::HttpListener(HttpHandler& handler) : handler_(handler) {}

HttpListener::~HttpListener() {
  Stop();
  runtime_.reset();
}

absl::Status HttpListener::Start(const HttpListenerOptions& options) {
  if (runtime_) return absl::FailedPreconditionError(absl::StrCat(options.name, " is started"));
  if (options.threads < 1 || options.threads > 64) {
    return absl::InvalidArgumentError(absl::StrCat(options.name, ": threads must be 1 to 64"));
  }
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.name, ": max_connections must be at least 1"));
  }
  runtime_ = std::make_unique<Runtime>();
  runtime_->options = options;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    runtime_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    runtime_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1);
    beast::error_code error;
    runtime_->tls->use_certificate_chain_file(options.tls_cert_file, error);
    if (!error) runtime_->tls->use_private_key_file(options.tls_key_file, ssl::context::pem, error);
    if (error) {
      runtime_.reset();
      return absl::InvalidArgumentError(
          absl::StrCat(options.name, " cannot load its TLS certificate or key: ", error.message()));
    }
  }
  absl::StatusOr<int> port =
      ListenOn(runtime_->acceptor, options.address, options.port, options.name);
  if (!port.ok()) {
    runtime_.reset();
    return port.status();
  }
  port_ = *port;
  asio::co_spawn(runtime_->io, Accept(*runtime_, handler_), asio::detached);
  threads_.Run(runtime_->io, options.threads);
  return absl::OkStatus();
}

void HttpListener::Stop() {
  if (!runtime_) return;
  Runtime& runtime = *runtime_;
  asio::post(runtime.io, [&runtime] {
    beast::error_code ignored;
    runtime.acceptor.close(ignored);
  });
  // Requests being handled get their answer (bounded: the handler's own
  // calls are).
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (runtime.handling.load() > 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  threads_.Stop(runtime.io, runtime.acceptor);
  // No thread runs `io` now: close what is still open from here. `runtime_`
  // (its io_context) lives on until the destructor, since work the handler
  // handed to other threads may still complete into it.
  beast::error_code ignored;
  runtime.acceptor.close(ignored);
  std::lock_guard<std::mutex> lock(runtime.sockets_mu);
  for (auto& [id, open] : runtime.sockets) open.socket->close(ignored);
}

}  // namespace payvox
