// http_connection_pool.h: HttpConnectionPool, the StripeTransport over
// HTTP/1.1 keep-alive connections to one host with one API key.
//
//   auto pool = HttpConnectionPool::Create(io.get_executor(), clock, options);
//   co_await (*pool)->Warm(2, bounds);                  // optional, at startup
//   absl::StatusOr<HttpAnswer> answer = co_await (*pool)->RoundTrip(request);
//
// - At most `max_connections` are open; a request finding all of them busy
//   waits for one (bounded by its deadline and cancel signal).
// - Idle connections are reused newest first and closed after
//   `idle_timeout`. One the server closed meanwhile is seen before use (a
//   non-blocking peek) and dropped; one that fails before any byte of an
//   answer arrived is replaced at once, without backoff or a retry.
// - TLS: peer and host name verified against the system CAs plus an
//   optional extra CA file, SNI set, sessions resumed across connections.
// - Connect, write and read are bounded by the request's deadline; a
//   cancelled request closes its connection at once.
//
// Coroutines calling RoundTrip and Warm must run on a strand. Beast stays in
// the .cc file.
#ifndef PAYVOX_CLIENT_HTTP_CONNECTION_POOL_H_
#define PAYVOX_CLIENT_HTTP_CONNECTION_POOL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "client/stripe_transport.h"
#include "common/async_wait.h"
#include "common/clock.h"

namespace payvox::stripe {

struct PoolOptions {
  // "https://api.stripe.com" or any Stripe-compatible server, e.g.
  // "http://127.0.0.1:12111". A path prefix is allowed.
  std::string base_url = "https://api.stripe.com";
  // sk_ or rk_ key. Never logged.
  std::string api_key;
  std::string api_version = "2024-06-20";
  // PEM file trusted in addition to the system CAs; empty: none.
  std::string extra_ca_file;
  int max_connections = 16;
  // Below the 30 s after which servers commonly close idle keep-alive
  // connections (the sandbox does).
  absl::Duration idle_timeout = absl::Seconds(25);
  // Largest answer body accepted.
  size_t max_body_bytes = 8 << 20;
};

// ParsedUrl is the part of a base URL the pool needs.
struct ParsedUrl {
  bool tls = true;
  std::string host;
  std::string port;
  std::string path_prefix;  // without trailing '/'
};
// ParseBaseUrl accepts http:// and https:// URLs with optional port and path.
absl::StatusOr<ParsedUrl> ParseBaseUrl(absl::string_view url);

// ValidateApiKey refuses publishable keys (with a message saying so) and
// anything that is not an sk_ or rk_ key.
absl::Status ValidateApiKey(absl::string_view api_key);

class HttpConnectionPool final : public StripeTransport {
 public:
  // Create validates the options (URL, key, CA file, limits) and returns
  // INVALID_ARGUMENT naming the bad one. `clock` must outlive the pool.
  static absl::StatusOr<std::unique_ptr<HttpConnectionPool>> Create(
      boost::asio::any_io_executor executor, const Clock& clock, PoolOptions options);
  ~HttpConnectionPool() override;

  boost::asio::awaitable<absl::StatusOr<HttpAnswer>> RoundTrip(
      const StripeRequest& request) override;

  // Warm tops the idle connections up to `count` (TLS handshakes included),
  // first replacing idle ones the server closed or that are past half their
  // idle time, so the next calls find them ready; called at start and
  // every half idle_timeout. Returns the first error.
  boost::asio::awaitable<absl::Status> Warm(int count, CallBounds bounds) override;

  std::optional<PoolStats> stats() const override;
  const ParsedUrl& url() const { return url_; }

  // Connection is one keep-alive connection (defined in the .cc file).
  class Connection;

 private:
  struct Idle {
    std::shared_ptr<Connection> connection;
    absl::Time since;
  };
  struct TlsState;  // the client context and the newest session ticket

  HttpConnectionPool(boost::asio::any_io_executor executor, const Clock& clock, PoolOptions options,
                     ParsedUrl url, std::unique_ptr<TlsState> tls);

  // Acquire returns an idle connection (warm) or the right to open a new
  // one (connection null), waiting while all are busy.
  boost::asio::awaitable<absl::StatusOr<Idle>> Acquire(const CallBounds& bounds);
  // Release returns a connection to the idle list, or closes it and frees
  // its place; either way one waiter is woken.
  void Release(std::shared_ptr<Connection> connection, bool reusable);
  void WakeOneLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<Connection>>> Connect(
      const CallBounds& bounds);

  boost::asio::any_io_executor executor_;
  const Clock& clock_;
  const PoolOptions options_;
  const ParsedUrl url_;
  const std::string host_header_;
  const std::string authorization_;
  std::unique_ptr<TlsState> tls_;

  mutable std::mutex mu_;
  std::vector<Idle> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<AsyncEvent>> waiters_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> round_trips_{0};
  std::atomic<uint64_t> warm_round_trips_{0};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> tls_handshakes_{0};
  std::atomic<uint64_t> tls_resumed_{0};
  std::atomic<uint64_t> stale_replaced_{0};
  std::atomic<uint64_t> idle_evicted_{0};
  std::atomic<uint64_t> slot_waits_{0};
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_HTTP_CONNECTION_POOL_H_
