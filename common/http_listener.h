// http_listener.h: an HTTP/1.1 listener (Boost.Beast) that hands each
// request to a handler: the transport under the webhook listener and the
// gateway's faces.
//
//   class Faces : public HttpHandler { ... };
//   HttpListener listener(faces);
//   PAYVOX_RETURN_IF_ERROR(listener.Start({.name = "the gateway", .port = 0}));
//
// Connections are kept alive and limited in number: at the cap, the one idle
// the longest (waiting for its next request, or still sending one) is closed
// to make room, and a new one is refused only when every connection is
// handling a request. A request (headers and body) must arrive within the
// read timeout, so a sender dribbling bytes is closed. When descriptors run
// out, accept frees an idle connection and pauses instead of spinning. A body over the limit
// is answered 413 and a header block over it 431, without the handler. With
// a certificate the listener speaks HTTPS only (TLS 1.2 or newer).
#ifndef PAYVOX_COMMON_HTTP_LISTENER_H_
#define PAYVOX_COMMON_HTTP_LISTENER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/tcp_listener.h"

namespace payvox {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Further response headers.
  std::vector<std::pair<std::string, std::string>> headers;
};

// JsonAnswer is {"<key>":"<value>"} with `status`.
HttpAnswer JsonAnswer(int status, absl::string_view key, absl::string_view value);

// The path of a request's target, without its query.
absl::string_view RequestPath(const HttpRequest& request);

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Handle answers one request. It runs on the listener's I/O threads and
  // must hand blocking work (the store) to threads of its own.
  virtual boost::asio::awaitable<HttpAnswer> Handle(const HttpRequest& request) = 0;
  // Oversized: a request was answered 413 or 431 without Handle.
  virtual void Oversized() {}
};

struct HttpListenerOptions {
  // Names the listener in errors: "the webhook listener".
  std::string name = "the HTTP listener";
  std::string address = "127.0.0.1";
  // Zero: any free port (see port()).
  int port = 0;
  int threads = 1;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 8 << 10;
  // Time to read one request, from its first byte or from going idle.
  absl::Duration read_timeout = absl::Seconds(10);
  int max_connections = 256;
  // PEM certificate chain and private key: serve HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpListener {
 public:
  // `handler` must outlive the listener.
  explicit HttpListener(HttpHandler& handler);
  ~HttpListener();  // Stops.

  // Start binds and serves on background threads. Call once.
  absl::Status Start(const HttpListenerOptions& options);
  // Stop closes the listener, lets requests being handled get their answer
  // (up to 10 s), closes every connection and joins the threads. The
  // io_context stays until destruction: join the threads the handler hands
  // work to before destroying the listener.
  void Stop();

  int port() const { return port_; }

  // Asio state, defined in the .cc file.
  struct Runtime;

 private:
  HttpHandler& handler_;
  std::unique_ptr<Runtime> runtime_;
  ListeningThreads threads_;
  int port_ = 0;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_HTTP_LISTENER_H_
