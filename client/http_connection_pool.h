// http_stripe_client.h: StripeClient over HTTP/1.1 keep-alive connections,
// plain TCP or TLS (peer and host name verified against the system CAs plus
// an optional extra CA file, SNI set).
//
//   auto client = HttpStripeClient::Create(io.get_executor(), clock, options);
//   co_await (*client)->Send(request);
//
// Idle connections are kept for reuse (at most max_idle_connections); a
// reused connection that the server closed meanwhile is replaced once,
// transparently, before any byte of an answer arrived. Beast stays in the
// .cc file.
#ifndef PAYVOX_CLIENT_HTTP_STRIPE_CLIENT_H_
#define PAYVOX_CLIENT_HTTP_STRIPE_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "client/stripe_client.h"
#include "common/clock.h"

namespace boost::asio::ssl {
class context;
}

namespace payvox::stripe {

struct HttpStripeClientOptions {
  // "https://api.stripe.com" or any Stripe-compatible server, e.g.
  // "http://127.0.0.1:12111". A path prefix is allowed.
  std::string base_url = "https://api.stripe.com";
  // sk_ or rk_ key. Never logged.
  std::string api_key;
  std::string api_version = "2024-06-20";
  // PEM file trusted in addition to the system CAs; empty: none.
  std::string extra_ca_file;
  absl::Duration default_timeout = absl::Seconds(10);
  int max_idle_connections = 8;
  // Largest answer body accepted.
  size_t max_body_bytes = 8 << 20;
};

// ParsedUrl is the part of a base URL the client needs.
struct ParsedUrl {
  bool tls = true;
  std::string host;
  std::string port;
  std::string path_prefix;  // without trailing '/'
};
// ParseBaseUrl accepts http:// and https:// URLs with optional port and path.
absl::StatusOr<ParsedUrl> ParseBaseUrl(absl::string_view url);

class HttpStripeClient final : public StripeClient {
 public:
  // Create validates the options (URL, key prefix, CA file) and returns
  // INVALID_ARGUMENT naming the bad one. `clock` must outlive the client.
  static absl::StatusOr<std::unique_ptr<HttpStripeClient>> Create(
      boost::asio::any_io_executor executor, const Clock& clock, HttpStripeClientOptions options);
  ~HttpStripeClient() override;

  boost::asio::awaitable<absl::StatusOr<StripeResponse>> Send(StripeRequest request) override;
  Mode mode() const override { return mode_; }

  // Connection is one keep-alive connection (defined in the .cc file).
  class Connection;

 private:
  HttpStripeClient(boost::asio::any_io_executor executor, const Clock& clock,
                   HttpStripeClientOptions options, ParsedUrl url,
                   std::unique_ptr<boost::asio::ssl::context> tls);

  boost::asio::awaitable<absl::StatusOr<std::unique_ptr<Connection>>> Connect(absl::Time deadline);
  std::unique_ptr<Connection> TakeIdle();
  void ReturnIdle(std::unique_ptr<Connection> connection);

  boost::asio::any_io_executor executor_;
  const Clock& clock_;
  const HttpStripeClientOptions options_;
  const ParsedUrl url_;
  const Mode mode_;
  std::unique_ptr<boost::asio::ssl::context> tls_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_HTTP_STRIPE_CLIENT_H_
