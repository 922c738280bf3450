#include "client/http_connection_pool.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <type_traits>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

std::string ToString(std::string_view text) { return std::string(text.data(), text.size()); }

absl::Status Cancelled() {
  return absl::CancelledError("the call was cancelled before Stripe answered");
}

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

absl::Status ValidateApiKey(absl::string_view api_key) {
  if (absl::StartsWith(api_key, "pk_")) {
    return absl::InvalidArgumentError(
        "this is a publishable key (pk_...), which cannot read payment data; use the secret or "
        "restricted key, sk_... or rk_...");
  }
  if (!absl::StartsWith(api_key, "sk_") && !absl::StartsWith(api_key, "rk_")) {
    return absl::InvalidArgumentError(
        "the Stripe API key must be a secret (sk_...) or restricted (rk_...) key");
  }
  return absl::OkStatus();
}

// TlsState is the pool's client context and the newest resumable session,
// offered by every new connection so its handshake resumes. (Asio keeps
// its own data in the SSL_CTX's app data, so sessions are collected from
// connections, not through a context callback.) The pool keeps and offers
// copies: OpenSSL marks a connection's session unresumable when the
// connection is freed without a TLS shutdown, as pooled connections are.
struct HttpConnectionPool::TlsState {
  TlsState() : context(ssl::context::tls_client) {}
  ~TlsState() {
    if (session != nullptr) SSL_SESSION_free(session);
  }

  // Remember keeps `ssl`'s session when it can be resumed. TLS 1.3 tickets
  // arrive after the handshake, so this is called after a first exchange.
  void Remember(SSL* ssl) {
    SSL_SESSION* current = SSL_get_session(ssl);
    if (current == nullptr || !SSL_SESSION_is_resumable(current)) return;
    SSL_SESSION* fresh = SSL_SESSION_dup(current);
    if (fresh == nullptr) return;
    std::lock_guard<std::mutex> lock(mu);
    if (session != nullptr) SSL_SESSION_free(session);
    session = fresh;
  }

  void OfferSession(SSL* ssl) {
    std::lock_guard<std::mutex> lock(mu);
    if (session == nullptr) return;
    SSL_SESSION* copy = SSL_SESSION_dup(session);
    if (copy == nullptr) return;
    SSL_set_session(ssl, copy);  // takes its own reference
    SSL_SESSION_free(copy);
  }

  ssl::context context;
  std::mutex mu;
  SSL_SESSION* session ABSL_GUARDED_BY(mu) = nullptr;
};

// Connection is one keep-alive HTTP/1.1 connection, plain or TLS. Used by
// one coroutine at a time.
class HttpConnectionPool::Connection {
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
  // Abort closes the socket so the pending operation ends now. Called on
  // the strand of the coroutine using the connection.
  virtual void Abort() = 0;
  // NativeTls is the OpenSSL handle of a TLS connection, else null.
  virtual SSL* NativeTls() = 0;
  // PeerClosed: an idle connection the server closed (or sent anything on,
  // such as a TLS close_notify) cannot carry a request. A non-blocking peek
  // at the socket, so it is known before a request is written on it.
  virtual bool PeerClosed() = 0;

  bool reusable() const { return reusable_ && !aborted_; }
  bool aborted() const { return aborted_; }
  // first_exchange_done: set by the pool once it collected the session.
  bool first_exchange_done = false;

 protected:
  bool reusable_ = true;
  bool aborted_ = false;
};

namespace {

template <typename Stream>
class StreamConnection final : public HttpConnectionPool::Connection {
 public:
  template <typename... Args>
  explicit StreamConnection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }

  asio::awaitable<Exchanged> Exchange(const HttpRequest& request, absl::Duration budget,
                                      size_t max_body) override {
    Exchanged out;
    beast::get_lowest_layer(stream_).expires_after(ToSteadyDuration(budget));
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

  void Abort() override {
    aborted_ = true;
    beast::get_lowest_layer(stream_).close();
  }

  bool PeerClosed() override {
    if (buffer_.size() > 0) return true;  // bytes nobody asked for
    auto& socket = beast::get_lowest_layer(stream_).socket();
    if (!socket.is_open()) return true;
    char byte = 0;
    const ssize_t peeked = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  SSL* NativeTls() override {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return nullptr;
    } else {
      return stream_.native_handle();
    }
  }

 private:
  Stream stream_;
  beast::flat_buffer buffer_;
};

using PlainConnection = StreamConnection<beast::tcp_stream>;
using TlsConnection = StreamConnection<beast::ssl_stream<beast::tcp_stream>>;

// AbortOnCancel closes `connection` when `cancel` fires, for as long as it
// lives. The close runs on `executor` (the using coroutine's strand), and is
// skipped once this guard is gone, so a connection back in the pool is
// never touched.
class AbortOnCancel {
 public:
  AbortOnCancel(const asio::any_io_executor& executor, const CancelSignal* cancel,
                HttpConnectionPool::Connection* connection)
      : target_(std::make_shared<HttpConnectionPool::Connection*>(connection)) {
    if (cancel == nullptr) return;
    hook_ = cancel->Subscribe([executor, target = target_] {
      asio::post(executor, [target] {
        if (*target != nullptr) (*target)->Abort();
      });
    });
  }
  ~AbortOnCancel() { *target_ = nullptr; }
  AbortOnCancel(const AbortOnCancel&) = delete;
  AbortOnCancel& operator=(const AbortOnCancel&) = delete;

 private:
  std::shared_ptr<HttpConnectionPool::Connection*> target_;
  CancelSignal::Registration hook_;
};

std::optional<bool> ShouldRetryHeader(const HttpResponse& response) {
  const auto value = response["Stripe-Should-Retry"];
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

std::optional<int> RetryAfterSeconds(const HttpResponse& response) {
  int seconds = 0;
  const auto value = response[http::field::retry_after];
  if (value.empty() || !absl::SimpleAtoi(absl::string_view(value.data(), value.size()), &seconds))
    return std::nullopt;
  return seconds;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpConnectionPool>> HttpConnectionPool::Create(
    asio::any_io_executor executor, const Clock& clock, PoolOptions options) {
  absl::StatusOr<ParsedUrl> url = ParseBaseUrl(options.base_url);
  if (!url.ok()) return url.status();
  if (absl::Status key = ValidateApiKey(options.api_key); !key.ok()) return key;
  if (options.max_connections < 1 || options.max_connections > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_connections must be 1 to 1024; got ", options.max_connections));
  }
  if (options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("idle_timeout must be positive");
  }
  std::unique_ptr<TlsState> tls;
  if (url->tls) {
    tls = std::make_unique<TlsState>();
    beast::error_code error;
    tls->context.set_default_verify_paths(error);
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot load the system CA certificates: ", error.message()));
    }
    if (!options.extra_ca_file.empty()) {
      tls->context.load_verify_file(options.extra_ca_file, error);
      if (error) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot load the extra CA file \"", options.extra_ca_file, "\": ", error.message()));
      }
    }
    tls->context.set_verify_mode(ssl::verify_peer);
  }
  return std::unique_ptr<HttpConnectionPool>(new HttpConnectionPool(
      std::move(executor), clock, std::move(options), *std::move(url), std::move(tls)));
}

HttpConnectionPool::HttpConnectionPool(asio::any_io_executor executor, const Clock& clock,
                                       PoolOptions options, ParsedUrl url,
                                       std::unique_ptr<TlsState> tls)
    : executor_(std::move(executor)),
      clock_(clock),
      options_(std::move(options)),
      url_(std::move(url)),
      host_header_(url_.port == (url_.tls ? "443" : "80")
                       ? url_.host
                       : absl::StrCat(url_.host, ":", url_.port)),
      authorization_(absl::StrCat("Bearer ", options_.api_key)),
      tls_(std::move(tls)) {}

HttpConnectionPool::~HttpConnectionPool() = default;

std::optional<PoolStats> HttpConnectionPool::stats() const {
  PoolStats out;
  out.round_trips = round_trips_.load();
  out.warm_round_trips = warm_round_trips_.load();
  out.connects = connects_.load();
  out.tls_handshakes = tls_handshakes_.load();
  out.tls_resumed = tls_resumed_.load();
  out.stale_replaced = stale_replaced_.load();
  out.idle_evicted = idle_evicted_.load();
  out.slot_waits = slot_waits_.load();
  std::lock_guard<std::mutex> lock(mu_);
  out.open_connections = open_;
  out.idle_connections = static_cast<int>(idle_.size());
  return out;
}

void HttpConnectionPool::WakeOneLocked() {
  if (waiters_.empty()) return;
  std::shared_ptr<AsyncEvent> waiter = std::move(waiters_.front());
  waiters_.pop_front();
  waiter->Set();
}

void HttpConnectionPool::Release(std::shared_ptr<Connection> connection, bool reusable) {
  std::lock_guard<std::mutex> lock(mu_);
  if (connection != nullptr && reusable) {
    idle_.push_back({std::move(connection), clock_.Now()});
  } else {
    --open_;
  }
  WakeOneLocked();
}

asio::awaitable<absl::StatusOr<HttpConnectionPool::Idle>> HttpConnectionPool::Acquire(
    const CallBounds& bounds) {
  for (;;) {
    std::vector<std::shared_ptr<Connection>> expired;  // closed outside the lock
    std::shared_ptr<AsyncEvent> wake;
    std::optional<Idle> acquired;
    const absl::Time now = clock_.Now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      // idle_ is oldest first: evict from the front, reuse from the back.
      while (!idle_.empty() && now - idle_.front().since >= options_.idle_timeout) {
        expired.push_back(std::move(idle_.front().connection));
        idle_.erase(idle_.begin());
        --open_;
      }
      // A connection the server closed while it sat idle is dropped here,
      // before a request is written on it.
      while (!idle_.empty() && idle_.back().connection->PeerClosed()) {
        expired.push_back(std::move(idle_.back().connection));
        idle_.pop_back();
        --open_;
        ++stale_replaced_;
      }
      if (!idle_.empty()) {
        acquired = std::move(idle_.back());
        idle_.pop_back();
      } else if (open_ < options_.max_connections) {
        ++open_;
        acquired = Idle{};
      } else {
        wake = std::make_shared<AsyncEvent>();
        waiters_.push_back(wake);
      }
    }
    idle_evicted_ += expired.size();
    if (acquired.has_value()) co_return *std::move(acquired);

    ++slot_waits_;
    const WaitResult result = co_await wake->Wait(bounds.deadline - now, bounds.cancel.get());
    if (result == WaitResult::kSet) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = absl::c_find(waiters_, wake);
      if (it != waiters_.end()) {
        waiters_.erase(it);
      } else if (wake->is_set()) {
        WakeOneLocked();  // woken as we gave up: pass the turn on
      }
    }
    if (result == WaitResult::kCancelled) co_return Cancelled();
    co_return TransportError(
        true, absl::StrCat("all ", options_.max_connections, " connections to Stripe were busy"));
  }
}

asio::awaitable<absl::StatusOr<std::shared_ptr<HttpConnectionPool::Connection>>>
HttpConnectionPool::Connect(const CallBounds& bounds) {
  const asio::any_io_executor strand = co_await asio::this_coro::executor;
  beast::error_code error;
  tcp::resolver resolver(executor_);
  const tcp::resolver::results_type endpoints = co_await resolver.async_resolve(
      url_.host, url_.port, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return TransportError(false, absl::StrCat("cannot resolve ", url_.host));
  ++connects_;

  if (!tls_) {
    auto connection = std::make_shared<PlainConnection>(executor_);
    AbortOnCancel abort_on_cancel(strand, bounds.cancel.get(), connection.get());
    beast::tcp_stream& stream = connection->stream();
    stream.expires_after(ToSteadyDuration(bounds.deadline - clock_.Now()));
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
    if (connection->aborted()) co_return Cancelled();
    if (error) co_return TransportError(error == beast::error::timeout, "connect failed");
    stream.expires_never();
    stream.socket().set_option(tcp::no_delay(true), error);
    co_return std::shared_ptr<Connection>(std::move(connection));
  }

  auto connection = std::make_shared<TlsConnection>(executor_, tls_->context);
  AbortOnCancel abort_on_cancel(strand, bounds.cancel.get(), connection.get());
  auto& stream = connection->stream();
  // SNI, and the certificate must name the host.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
    co_return TransportError(false, "cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(url_.host));
  tls_->OfferSession(stream.native_handle());
  beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
  tcp_stream.expires_after(ToSteadyDuration(bounds.deadline - clock_.Now()));
  co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
  if (connection->aborted()) co_return Cancelled();
  if (error) co_return TransportError(error == beast::error::timeout, "connect failed");
  tcp_stream.socket().set_option(tcp::no_delay(true), error);
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, error));
  if (connection->aborted()) co_return Cancelled();
  if (error) {
    co_return TransportError(error == beast::error::timeout,
                             absl::StrCat("TLS handshake failed: ", error.message()));
  }
  tcp_stream.expires_never();
  ++tls_handshakes_;
  if (SSL_session_reused(stream.native_handle())) ++tls_resumed_;
  co_return std::shared_ptr<Connection>(std::move(connection));
}

asio::awaitable<absl::Status> HttpConnectionPool::Warm(int count, CallBounds bounds) {
  // Idle connections the server closed, or past half their idle time, are
  // replaced, so the warm set stays usable through quiet spells.
  int missing = count;
  {
    std::vector<std::shared_ptr<Connection>> dropped;  // closed outside the lock
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = clock_.Now();
    std::erase_if(idle_, [&](Idle& idle) {
      if (!idle.connection->PeerClosed() && now - idle.since < options_.idle_timeout / 2) {
        return false;
      }
      dropped.push_back(std::move(idle.connection));
      --open_;
      ++idle_evicted_;
      return true;
    });
    missing -= static_cast<int>(idle_.size());
  }
  for (int i = 0; i < missing; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (open_ >= options_.max_connections) co_return absl::OkStatus();
      ++open_;
    }
    absl::StatusOr<std::shared_ptr<Connection>> connection = co_await Connect(bounds);
    if (!connection.ok()) {
      Release(nullptr, false);
      co_return connection.status();
    }
    Release(*std::move(connection), true);
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<HttpAnswer>> HttpConnectionPool::RoundTrip(
    const StripeRequest& request) {
  const CallBounds& bounds = request.bounds;
  const asio::any_io_executor strand = co_await asio::this_coro::executor;

  HttpRequest http_request;
  std::string target = absl::StrCat(url_.path_prefix, request.path);
  switch (request.method) {
    case HttpMethod::kGet:
      http_request.method(http::verb::get);
      break;
    case HttpMethod::kPost:
      http_request.method(http::verb::post);
      http_request.set(http::field::content_type, "application/x-www-form-urlencoded");
      http_request.set("Idempotency-Key", request.idempotency_key);
      http_request.body() = EncodeForm(request.params);
      break;
    case HttpMethod::kDelete:
      http_request.method(http::verb::delete_);
      break;
  }
  if (request.method != HttpMethod::kPost && !request.params.empty()) {
    absl::StrAppend(&target, "?", EncodeForm(request.params));
  }
  http_request.target(target);
  http_request.version(11);
  http_request.set(http::field::host, host_header_);
  http_request.set(http::field::authorization, authorization_);
  http_request.set("Stripe-Version", options_.api_version);
  http_request.set(http::field::user_agent, "payvox/0.1");
  http_request.set(http::field::accept, "application/json");
  http_request.keep_alive(true);
  http_request.prepare_payload();

  // A reused keep-alive connection that turns out closed before any answer
  // byte arrived is replaced at once: the next idle one, else a fresh
  // connection (whose failure ends the attempt). No backoff, and the
  // client's retry budget is not touched: the request was never answered.
  // The Idempotency-Key makes that safe for POST.
  for (int attempt = 0; attempt <= options_.max_connections; ++attempt) {
    if (bounds.cancelled()) co_return Cancelled();
    if (clock_.Now() >= bounds.deadline) co_return TransportError(true, "no time left to send");
    absl::StatusOr<Idle> slot = co_await Acquire(bounds);
    if (!slot.ok()) co_return slot.status();
    const bool warm = slot->connection != nullptr;
    std::shared_ptr<Connection> connection = std::move(slot->connection);
    if (!warm) {
      absl::StatusOr<std::shared_ptr<Connection>> fresh = co_await Connect(bounds);
      if (!fresh.ok()) {
        Release(nullptr, false);
        co_return fresh.status();
      }
      connection = *std::move(fresh);
    }
    Connection::Exchanged exchanged;
    {
      AbortOnCancel abort_on_cancel(strand, bounds.cancel.get(), connection.get());
      exchanged = co_await connection->Exchange(http_request, bounds.deadline - clock_.Now(),
                                                options_.max_body_bytes);
    }
    if (exchanged.error || connection->aborted()) {
      const bool aborted = connection->aborted();
      Release(std::move(connection), false);
      if (aborted) co_return Cancelled();
      const bool timed_out = exchanged.error == beast::error::timeout;
      if (warm && !exchanged.answer_started && !timed_out) {
        ++stale_replaced_;
        continue;
      }
      if (exchanged.error == http::error::body_limit) {
        co_return TransportError(false, "Stripe's answer was larger than allowed");
      }
      co_return TransportError(timed_out, exchanged.error.message());
    }
    ++round_trips_;
    if (warm) ++warm_round_trips_;
    if (!connection->first_exchange_done) {
      connection->first_exchange_done = true;
      if (SSL* native = connection->NativeTls(); native != nullptr) tls_->Remember(native);
    }
    HttpResponse& response = exchanged.response;
    HttpAnswer answer;
    answer.http_status = static_cast<int>(response.result_int());
    answer.request_id = ToString(response["Request-Id"]);
    answer.idempotent_replayed = response["Idempotent-Replayed"] == "true";
    answer.should_retry = ShouldRetryHeader(response);
    answer.retry_after_seconds = RetryAfterSeconds(response);
    answer.body = std::move(response.body());
    const bool reusable = connection->reusable();
    Release(std::move(connection), reusable);
    co_return answer;
  }
  co_return TransportError(false, "the connection closed before Stripe answered");
}

}  // namespace payvox::stripe
