#include "client/http_stripe_client.h"

#include <openssl/ssl.h>

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "client/stripe_errors.h"

namespace payvox::stripe {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

std::string ToString(std::string_view text) { return std::string(text.data(), text.size()); }

}  // namespace

absl::StatusOr<ParsedUrl> ParseBaseUrl(absl::string_view url) {
  ParsedUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.tls = true;
    out.port = "443";
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.tls = false;
    out.port = "80";
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("base URL must start with https:// or http://; got \"", url, "\""));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  if (slash != absl::string_view::npos) {
    absl::string_view path = rest.substr(slash);
    while (absl::ConsumeSuffix(&path, "/")) {
    }
    out.path_prefix = std::string(path);
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("base URL has an unclosed '[': \"", url, "\""));
    }
    host = authority.substr(1, close - 1);
    absl::string_view after = authority.substr(close + 1);
    if (absl::ConsumePrefix(&after, ":")) port = after;
  } else if (const size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty())
    return absl::InvalidArgumentError(absl::StrCat("base URL has no host: \"", url, "\""));
  if (!port.empty()) {
    int number = 0;
    if (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("base URL has a bad port: \"", url, "\""));
    }
    out.port = std::string(port);
  }
  out.host = std::string(host);
  return out;
}

// Connection is one keep-alive HTTP/1.1 connection, plain or TLS.
class HttpStripeClient::Connection {
 public:
  // Exchanged is the outcome of one request/answer exchange.
  struct Exchanged {
    beast::error_code error;
    // Some bytes of an answer arrived before `error`.
    bool answer_started = false;
    HttpResponse response;
  };

  virtual ~Connection() = default;
  virtual asio::awaitable<Exchanged> Exchange(const HttpRequest& request, absl::Duration budget,
                                              size_t max_body) = 0;
  bool reusable() const { return reusable_; }

 protected:
  bool reusable_ = true;
};

namespace {

template <typename Stream>
class StreamConnection final : public HttpStripeClient::Connection {
 public:
  template <typename... Args>
  explicit StreamConnection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }

  asio::awaitable<Exchanged> Exchange(const HttpRequest& request, absl::Duration budget,
                                      size_t max_body) override {
    Exchanged out;
    beast::get_lowest_layer(stream_).expires_after(ToSteady(budget));
    co_await http::async_write(stream_, request,
                               asio::redirect_error(asio::use_awaitable, out.error));
    if (out.error) {
      reusable_ = false;
      co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    parser.header_limit(64 * 1024);
    co_await http::async_read(stream_, buffer_, parser,
                              asio::redirect_error(asio::use_awaitable, out.error));
    if (out.error) {
      reusable_ = false;
      out.answer_started = parser.got_some();
      co_return out;
    }
    out.answer_started = true;
    out.response = parser.release();
    reusable_ = out.response.keep_alive();
    beast::get_lowest_layer(stream_).expires_never();
    co_return out;
  }

 private:
  Stream stream_;
  beast::flat_buffer buffer_;
};

using PlainConnection = StreamConnection<beast::tcp_stream>;
using TlsConnection = StreamConnection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

absl::StatusOr<std::unique_ptr<HttpStripeClient>> HttpStripeClient::Create(
    asio::any_io_executor executor, const Clock& clock, HttpStripeClientOptions options) {
  absl::StatusOr<ParsedUrl> url = ParseBaseUrl(options.base_url);
  if (!url.ok()) return url.status();
  if (absl::StartsWith(options.api_key, "pk_")) {
    return absl::InvalidArgumentError(
        "this is a publishable key (pk_...), which cannot read payment data; use the secret or "
        "restricted key, sk_... or rk_...");
  }
  if (!absl::StartsWith(options.api_key, "sk_") && !absl::StartsWith(options.api_key, "rk_")) {
    return absl::InvalidArgumentError(
        "the Stripe API key must be a secret (sk_...) or restricted (rk_...) key");
  }
  if (options.max_idle_connections < 0) {
    return absl::InvalidArgumentError("max_idle_connections must not be negative");
  }
  std::unique_ptr<ssl::context> tls;
  if (url->tls) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code error;
    tls->set_default_verify_paths(error);
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot load the system CA certificates: ", error.message()));
    }
    if (!options.extra_ca_file.empty()) {
      tls->load_verify_file(options.extra_ca_file, error);
      if (error) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot load the extra CA file \"", options.extra_ca_file, "\": ", error.message()));
      }
    }
    tls->set_verify_mode(ssl::verify_peer);
  }
  return std::unique_ptr<HttpStripeClient>(new HttpStripeClient(
      std::move(executor), clock, std::move(options), *std::move(url), std::move(tls)));
}

HttpStripeClient::HttpStripeClient(asio::any_io_executor executor, const Clock& clock,
                                   HttpStripeClientOptions options, ParsedUrl url,
                                   std::unique_ptr<ssl::context> tls)
    : executor_(std::move(executor)),
      clock_(clock),
      options_(std::move(options)),
      url_(std::move(url)),
      mode_(ModeOfKey(options_.api_key)),
      tls_(std::move(tls)) {}

HttpStripeClient::~HttpStripeClient() = default;

std::unique_ptr<HttpStripeClient::Connection> HttpStripeClient::TakeIdle() {
  absl::MutexLock lock(&mu_);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void HttpStripeClient::ReturnIdle(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
}

asio::awaitable<absl::StatusOr<std::unique_ptr<HttpStripeClient::Connection>>>
HttpStripeClient::Connect(absl::Time deadline) {
  beast::error_code error;
  tcp::resolver resolver(executor_);
  const tcp::resolver::results_type endpoints = co_await resolver.async_resolve(
      url_.host, url_.port, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return TransportError(false, absl::StrCat("cannot resolve ", url_.host));

  if (!tls_) {
    auto connection = std::make_unique<PlainConnection>(executor_);
    beast::tcp_stream& stream = connection->stream();
    stream.expires_after(ToSteady(deadline - clock_.Now()));
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return TransportError(error == beast::error::timeout, "connect failed");
    stream.socket().set_option(tcp::no_delay(true));
    co_return std::unique_ptr<Connection>(std::move(connection));
  }

  auto connection = std::make_unique<TlsConnection>(executor_, *tls_);
  auto& stream = connection->stream();
  // SNI, and the certificate must name the host.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
    co_return TransportError(false, "cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(url_.host));
  beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
  tcp_stream.expires_after(ToSteady(deadline - clock_.Now()));
  co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return TransportError(error == beast::error::timeout, "connect failed");
  tcp_stream.socket().set_option(tcp::no_delay(true));
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, error));
  if (error) {
    co_return TransportError(error == beast::error::timeout,
                             absl::StrCat("TLS handshake failed: ", error.message()));
  }
  co_return std::unique_ptr<Connection>(std::move(connection));
}

asio::awaitable<absl::StatusOr<StripeResponse>> HttpStripeClient::Send(StripeRequest request) {
  if (request.method == HttpMethod::kPost && request.idempotency_key.empty()) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("POST ", request.path, " has no Idempotency-Key"));
  }
  const absl::Time deadline = request.deadline == absl::InfiniteFuture()
                                  ? clock_.Now() + options_.default_timeout
                                  : request.deadline;

  HttpRequest http_request;
  std::string target = absl::StrCat(url_.path_prefix, request.path);
  switch (request.method) {
    case HttpMethod::kGet:
      http_request.method(http::verb::get);
      break;
    case HttpMethod::kPost:
      http_request.method(http::verb::post);
      break;
    case HttpMethod::kDelete:
      http_request.method(http::verb::delete_);
      break;
  }
  if (request.method == HttpMethod::kPost) {
    http_request.set(http::field::content_type, "application/x-www-form-urlencoded");
    http_request.set("Idempotency-Key", request.idempotency_key);
    http_request.body() = EncodeForm(request.params);
  } else if (!request.params.empty()) {
    absl::StrAppend(&target, "?", EncodeForm(request.params));
  }
  http_request.target(target);
  http_request.version(11);
  const bool default_port = url_.port == (url_.tls ? "443" : "80");
  http_request.set(http::field::host,
                   default_port ? url_.host : absl::StrCat(url_.host, ":", url_.port));
  http_request.set(http::field::authorization, absl::StrCat("Bearer ", options_.api_key));
  http_request.set("Stripe-Version", options_.api_version);
  http_request.set(http::field::user_agent, "payvox/0.1");
  http_request.set(http::field::accept, "application/json");
  http_request.keep_alive(true);
  http_request.prepare_payload();

  // Two tries at most: the second only when a reused keep-alive connection
  // turned out closed before any answer byte arrived. The Idempotency-Key
  // makes that safe for POST.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (clock_.Now() >= deadline) co_return TransportError(true, "no time left to send");
    std::unique_ptr<Connection> connection = TakeIdle();
    const bool reused = connection != nullptr;
    if (!reused) {
      absl::StatusOr<std::unique_ptr<Connection>> fresh = co_await Connect(deadline);
      if (!fresh.ok()) co_return fresh.status();
      connection = *std::move(fresh);
    }
    Connection::Exchanged exchanged = co_await connection->Exchange(
        http_request, deadline - clock_.Now(), options_.max_body_bytes);
    if (exchanged.error) {
      const bool timed_out = exchanged.error == beast::error::timeout;
      if (reused && !exchanged.answer_started && !timed_out) continue;
      if (exchanged.error == http::error::body_limit) {
        co_return TransportError(false, "Stripe's answer was larger than allowed");
      }
      co_return TransportError(timed_out, exchanged.error.message());
    }
    const HttpResponse& response = exchanged.response;
    StripeResponse out;
    out.http_status = static_cast<int>(response.result_int());
    out.request_id = ToString(response["Request-Id"]);
    out.idempotent_replayed = response["Idempotent-Replayed"] == "true";
    out.body = std::move(exchanged.response.body());
    if (connection->reusable()) ReturnIdle(std::move(connection));
    if (out.http_status >= 200 && out.http_status < 300) co_return out;
    co_return StripeErrorToStatus(out.http_status, out.body, out.request_id);
  }
  co_return TransportError(false, "the connection closed before Stripe answered");
}

}  // namespace payvox::stripe
