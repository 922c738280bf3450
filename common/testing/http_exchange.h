// http_exchange.h: one HTTP/1.1 request to a loopback port on a fresh
// connection, and its response, for tests of payvox's HTTP listeners.
#ifndef PAYVOX_COMMON_TESTING_HTTP_EXCHANGE_H_
#define PAYVOX_COMMON_TESTING_HTTP_EXCHANGE_H_

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace payvox::testing {

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// HttpExchange sends `method target` with `headers` and `body` to
// 127.0.0.1:`port`.
inline HttpResponse HttpExchange(
    int port, boost::beast::http::verb method, const std::string& target,
    const std::string& body = "",
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  HttpResponse response;
  http::read(socket, buffer, response);
  return response;
}

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_HTTP_EXCHANGE_H_
