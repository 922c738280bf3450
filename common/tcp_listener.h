// tcp_listener.h: the part of an HTTP listener that is not HTTP: bind and
// listen on an address, run an io_context on a few threads, stop them.
// Shared by the sandbox's server and the webhook listener.
//
//   ListeningThreads threads;
//   PAYVOX_ASSIGN_OR_RETURN(int port, ListenOn(acceptor, "127.0.0.1", 0, "the webhook listener"));
//   co_spawn(io, Accept(...), detached);
//   threads.Run(io, 2);
//   ...
//   threads.Stop(io, acceptor);
#ifndef PAYVOX_COMMON_TCP_LISTENER_H_
#define PAYVOX_COMMON_TCP_LISTENER_H_

#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/statusor.h"

namespace payvox {

// ListenOn binds `acceptor` to address:port (0: any free port) and returns
// the port. INVALID_ARGUMENT for an address that is not an IP address,
// UNAVAILABLE when it cannot listen; `what` names the listener in errors.
absl::StatusOr<int> ListenOn(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address,
                             int port, const std::string& what);

class ListeningThreads {
 public:
  // Run runs `io` on `count` new threads.
  void Run(boost::asio::io_context& io, int count);
  // Stop closes `acceptor` on its executor, stops `io` and joins the
  // threads. Idempotent.
  void Stop(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor& acceptor);

 private:
  std::vector<std::thread> threads_;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_TCP_LISTENER_H_
