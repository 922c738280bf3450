#include "sandbox/webhook_sender.h"

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "common/async_wait.h"
#include "sandbox/webhook_signing.h"

namespace payvox::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

template <typename Stream>
asio::awaitable<absl::Status> Exchange(Stream& stream, http::request<http::string_body>& request) {
  beast::error_code error;
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return absl::UnavailableError(absl::StrCat("sending: ", error.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 10);
  co_await http::async_read(stream, buffer, parser,
                            asio::redirect_error(asio::use_awaitable, error));
  if (error)
    co_return absl::UnavailableError(absl::StrCat("reading the answer: ", error.message()));
  const unsigned status = parser.get().result_int();
  if (status < 200 || status > 299) {
    co_return absl::UnavailableError(absl::StrCat("the endpoint answered ", status));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Post(const EndpointUrl& url, http::request<http::string_body> request,
                                   absl::Duration timeout, const std::string& extra_ca_file) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::error_code error;
  const tcp::resolver::results_type endpoints = co_await resolver.async_resolve(
      url.host, url.port, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return absl::UnavailableError(absl::StrCat("resolving: ", error.message()));
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(ToSteadyDuration(timeout));
  co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return absl::UnavailableError(absl::StrCat("connecting: ", error.message()));
  if (!url.tls) co_return co_await Exchange(tcp_stream, request);

  ssl::context tls(ssl::context::tls_client);
  tls.set_default_verify_paths();
  if (!extra_ca_file.empty()) tls.load_verify_file(extra_ca_file, error);
  if (error) co_return absl::FailedPreconditionError("the extra CA file cannot be read");
  tls.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return absl::UnavailableError(absl::StrCat("TLS: ", error.message()));
  co_return co_await Exchange(stream, request);
}

}  // namespace

WebhookSender::WebhookSender(StripeEmulator& emulator, const Clock& clock,
                             WebhookSenderOptions options)
    : emulator_(emulator), clock_(clock), options_(std::move(options)) {}

WebhookSender::~WebhookSender() { Stop(); }

void WebhookSender::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void WebhookSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WebhookSenderStats WebhookSender::stats() const {
  return {.delivered = delivered_.load(),
          .failed_attempts = failed_attempts_.load(),
          .given_up = given_up_.load()};
}

bool WebhookSender::Pause(absl::Duration duration) {
  std::unique_lock<std::mutex> lock(mu_);
  stop_signal_.wait_for(lock, absl::ToChronoNanoseconds(duration), [this] { return stopping_; });
  return !stopping_;
}

void WebhookSender::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    std::optional<WebhookDelivery> delivery = emulator_.NextDelivery(absl::Milliseconds(100));
    if (!delivery) continue;
    absl::Duration pause = options_.first_retry_pause;
    for (int attempt = 1;; ++attempt) {
      if (PostSigned(*delivery).ok()) {
        ++delivered_;
        break;
      }
      ++failed_attempts_;
      if (attempt >= options_.max_attempts) {
        ++given_up_;
        break;
      }
      if (!Pause(pause)) return;
      pause *= 2;
    }
  }
}

absl::Status WebhookSender::PostSigned(const WebhookDelivery& delivery) {
  absl::StatusOr<EndpointUrl> url = ParseEndpointUrl(delivery.url);
  if (!url.ok()) return url.status();
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  http::request<http::string_body> request{http::verb::post, url->target, 11};
  request.set(http::field::host, url->host);
  request.set(http::field::user_agent, "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
  request.set(http::field::content_type, "application/json; charset=utf-8");
  request.set("Stripe-Signature", StripeSignatureHeader(delivery.secret, now, delivery.payload));
  request.keep_alive(false);
  request.body() = delivery.payload;
  request.prepare_payload();

  asio::io_context io;
  std::future<absl::Status> result =
      asio::co_spawn(io, Post(*url, std::move(request), options_.timeout, options_.extra_ca_file),
                     asio::use_future);
  io.run();
  return result.get();
}

}  // namespace payvox::sandbox
