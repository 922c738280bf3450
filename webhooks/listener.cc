#include "webhooks/listener.h"

#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/async_wait.h"
#include "common/json_writer.h"
#include "common/tcp_listener.h"

namespace payvox::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr absl::string_view kWebhookPrefix = "/v1/webhooks/stripe/";

struct Answer {
  http::status status = http::status::ok;
  std::string body;
  // For payvox_webhook_requests_total; empty: not a webhook request.
  const char* result = "";
  std::string content_type = "application/json";
};

Answer Json(http::status status, absl::string_view key, absl::string_view value) {
  JsonWriter json;
  json.BeginObject().Field(key, value).EndObject();
  return {status, json.Take()};
}

Answer Error(http::status status, absl::string_view message) {
  return Json(status, "error", message);
}

// A tenant id as the config allows it: lower-case letters, digits and '-'.
bool ValidTenant(absl::string_view tenant) {
  return !tenant.empty() && tenant.size() <= 64 &&
         std::all_of(tenant.begin(), tenant.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

}  // namespace

struct WebhookListener::Runtime {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  ListenerOptions options;
  std::unique_ptr<ssl::context> tls;
  metrics::Family<metrics::Counter>* requests = nullptr;
  metrics::Family<metrics::Counter>* signature_failures = nullptr;
  std::atomic<int> connections{0};
  // Requests between their last byte read and their answer: their sink
  // calls (the store) resume on `io`, so Stop lets them finish first.
  std::atomic<int> handling{0};
  // Open connections' sockets, closed by Stop once the threads are joined.
  std::mutex sockets_mu;
  absl::flat_hash_set<tcp::socket*> sockets ABSL_GUARDED_BY(sockets_mu);
};

namespace {

// OpenSocket registers a connection's socket with Stop for its lifetime.
class OpenSocket {
 public:
  OpenSocket(WebhookListener::Runtime& runtime, tcp::socket& socket)
      : runtime_(runtime), socket_(socket) {
    std::lock_guard<std::mutex> lock(runtime_.sockets_mu);
    runtime_.sockets.insert(&socket_);
  }
  ~OpenSocket() {
    std::lock_guard<std::mutex> lock(runtime_.sockets_mu);
    runtime_.sockets.erase(&socket_);
  }

 private:
  WebhookListener::Runtime& runtime_;
  tcp::socket& socket_;
};

asio::awaitable<Answer> Webhook(std::string path, const http::request<http::string_body>& request,
                                WebhookSink& sink, const Clock& clock,
                                WebhookListener::Runtime& runtime) {
  auto refused = [](http::status status, absl::string_view message, const char* result) {
    Answer answer = Error(status, message);
    answer.result = result;
    return answer;
  };
  const std::string tenant(absl::StripPrefix(path, kWebhookPrefix));
  if (request.method() != http::verb::post) {
    co_return refused(http::status::method_not_allowed, "webhooks are POSTed",
                      "method_not_allowed");
  }
  if (!ValidTenant(tenant)) {
    co_return refused(http::status::not_found, "unknown tenant", "unknown_tenant");
  }
  const absl::StatusOr<std::vector<std::string>> secrets = co_await sink.SigningSecrets(tenant);
  if (secrets.status().code() == absl::StatusCode::kNotFound) {
    co_return refused(http::status::not_found, "unknown tenant", "unknown_tenant");
  }
  if (!secrets.ok()) {
    co_return refused(http::status::internal_server_error,
                      "the signing secrets cannot be read; retry", "store_error");
  }
  const std::string header(request["Stripe-Signature"]);
  const absl::Status verified =
      VerifySignature(header, request.body(), *secrets, clock.Now(), runtime.options.verify);
  if (!verified.ok()) {
    const char* reason = header.empty()                                          ? "missing"
                         : verified.code() == absl::StatusCode::kInvalidArgument ? "malformed"
                                                                                 : "invalid";
    if (runtime.signature_failures) runtime.signature_failures->With({reason}).Increment();
    co_return refused(http::status::bad_request, verified.message(), "bad_signature");
  }
  const absl::Status ingested = co_await sink.Ingest(tenant, request.body());
  if (ingested.code() == absl::StatusCode::kInvalidArgument) {
    co_return refused(http::status::bad_request, ingested.message(), "not_an_event");
  }
  if (!ingested.ok()) {
    co_return refused(http::status::internal_server_error, "the event could not be stored; retry",
                      "store_error");
  }
  Answer accepted{http::status::ok, R"({"received":true})"};
  accepted.result = "accepted";
  co_return accepted;
}

asio::awaitable<Answer> Route(const http::request<http::string_body>& request, WebhookSink& sink,
                              const Clock& clock, WebhookListener::Runtime& runtime) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/healthz") co_return Json(http::status::ok, "status", "ok");
  if (path == "/readyz") {
    const bool ready = co_await sink.Ready();
    if (ready) co_return Json(http::status::ok, "status", "ready");
    co_return Json(http::status::service_unavailable, "status", "not ready");
  }
  if (path == "/metrics" && runtime.options.metrics != nullptr) {
    Answer answer{http::status::ok, runtime.options.metrics->Render()};
    answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
    co_return answer;
  }
  if (!absl::StartsWith(path, kWebhookPrefix)) {
    co_return Error(http::status::not_found, "not found");
  }
  co_return co_await Webhook(path, request, sink, clock, runtime);
}

template <typename Stream>
asio::awaitable<void> Serve(Stream& stream, WebhookListener::Runtime& runtime, WebhookSink& sink,
                            const Clock& clock) {
  beast::flat_buffer buffer;
  beast::error_code error;
  const ListenerOptions& options = runtime.options;
  auto count = [&](const char* result) {
    if (runtime.requests != nullptr && *result != '\0')
      runtime.requests->With({result}).Increment();
  };
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(ToSteadyDuration(options.read_timeout));
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, error));
    Answer answer;
    bool close = false;
    if (error == http::error::body_limit) {
      answer = Error(http::status::payload_too_large, "the body is over the limit");
      answer.result = "too_large";
      close = true;
    } else if (error == http::error::header_limit) {
      answer = Error(http::status::request_header_fields_too_large, "the headers are too large");
      answer.result = "too_large";
      close = true;
    } else if (error) {
      break;  // closed, timed out or not HTTP
    } else {
      ++runtime.handling;
      answer = co_await Route(parser.get(), sink, clock, runtime);
      --runtime.handling;
      close = !parser.get().keep_alive();
    }
    count(answer.result);
    http::response<http::string_body> response{answer.status, 11};
    response.set(http::field::content_type, answer.content_type);
    response.set(http::field::server, "payvox");
    response.body() = std::move(answer.body);
    response.keep_alive(!close);
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, error));
    if (error || close) break;
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, error);
}

asio::awaitable<void> ServeConnection(tcp::socket socket, WebhookListener::Runtime& runtime,
                                      WebhookSink& sink, const Clock& clock) {
  if (runtime.tls == nullptr) {
    beast::tcp_stream stream(std::move(socket));
    const OpenSocket open(runtime, stream.socket());
    co_await Serve(stream, runtime, sink, clock);
  } else {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *runtime.tls);
    const OpenSocket open(runtime, beast::get_lowest_layer(stream).socket());
    beast::get_lowest_layer(stream).expires_after(ToSteadyDuration(runtime.options.read_timeout));
    beast::error_code error;
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, error));
    if (!error) co_await Serve(stream, runtime, sink, clock);
  }
  --runtime.connections;
}

asio::awaitable<void> Accept(WebhookListener::Runtime& runtime, WebhookSink& sink,
                             const Clock& clock) {
  for (;;) {
    beast::error_code error;
    tcp::socket socket =
        co_await runtime.acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      if (!runtime.acceptor.is_open()) co_return;
      continue;
    }
    if (runtime.connections.load() >= runtime.options.max_connections) {
      socket.close(error);  // over the limit: the sender retries later
      continue;
    }
    ++runtime.connections;
    socket.set_option(tcp::no_delay(true), error);
    asio::co_spawn(runtime.acceptor.get_executor(),
                   ServeConnection(std::move(socket), runtime, sink, clock), asio::detached);
  }
}

}  // namespace

WebhookListener::WebhookListener(WebhookSink& sink, const Clock& clock)
    : sink_(sink), clock_(clock) {}

WebhookListener::~WebhookListener() {
  Stop();
  runtime_.reset();
}

absl::Status WebhookListener::Start(const ListenerOptions& options) {
  if (runtime_) return absl::FailedPreconditionError("the webhook listener is already started");
  if (options.threads < 1 || options.threads > 64) {
    return absl::InvalidArgumentError("webhooks.threads must be 1 to 64");
  }
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("webhooks.max_connections must be at least 1");
  }
  runtime_ = std::make_unique<Runtime>();
  runtime_->options = options;
  if (options.metrics != nullptr) {
    runtime_->requests = &options.metrics->AddCounter(
        "payvox_webhook_requests_total",
        "Webhook requests by result (accepted, bad_signature, not_an_event, unknown_tenant, "
        "method_not_allowed, too_large, store_error)",
        {"result"});
    runtime_->signature_failures = &options.metrics->AddCounter(
        "payvox_webhook_signature_failures_total",
        "Webhooks refused for their Stripe-Signature (missing, malformed, invalid: no match, "
        "stale or future)",
        {"reason"});
  }
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
      return absl::InvalidArgumentError(absl::StrCat(
          "the webhook listener cannot load its TLS certificate or key: ", error.message()));
    }
  }
  absl::StatusOr<int> port =
      ListenOn(runtime_->acceptor, options.address, options.port, "the webhook listener");
  if (!port.ok()) {
    runtime_.reset();
    return port.status();
  }
  port_ = *port;
  asio::co_spawn(runtime_->io, Accept(*runtime_, sink_, clock_), asio::detached);
  threads_.Run(runtime_->io, options.threads);
  return absl::OkStatus();
}

void WebhookListener::Stop() {
  if (!runtime_) return;
  Runtime& runtime = *runtime_;
  asio::post(runtime.io, [&runtime] {
    beast::error_code ignored;
    runtime.acceptor.close(ignored);
  });
  // Requests being handled get their answer (bounded: the sink's own calls
  // are).
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (runtime.handling.load() > 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  threads_.Stop(runtime.io, runtime.acceptor);
  // No thread runs `io` now: close what is still open from here. `runtime_`
  // (its io_context) lives on until the destructor, since work the sink
  // handed to other threads may still complete into it.
  beast::error_code ignored;
  runtime.acceptor.close(ignored);
  std::lock_guard<std::mutex> lock(runtime.sockets_mu);
  for (tcp::socket* socket : runtime.sockets) socket->close(ignored);
}

}  // namespace payvox::webhooks
