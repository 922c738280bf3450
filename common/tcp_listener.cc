#include "common/tcp_listener.h"

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"

namespace payvox {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

absl::StatusOr<int> ListenOn(tcp::acceptor& acceptor, const std::string& address, int port,
                             const std::string& what) {
  boost::system::error_code error;
  const asio::ip::address ip = asio::ip::make_address(address, error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " address \"", address, "\" is not an IP address"));
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(what, " port must be 0 to 65535"));
  }
  const tcp::endpoint endpoint(ip, static_cast<uint16_t>(port));
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat(what, " cannot listen on ", address, ":", port, ": ", error.message()));
  }
  return acceptor.local_endpoint().port();
}

void ListeningThreads::Run(asio::io_context& io, int count) {
  for (int i = 0; i < count; ++i) threads_.emplace_back([&io] { io.run(); });
}

void ListeningThreads::Stop(asio::io_context& io, tcp::acceptor& acceptor) {
  asio::post(io, [&acceptor] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
  io.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace payvox
