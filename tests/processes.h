// processes.h: real payvox processes for cross-process tests: run a binary,
// kill it, find a free loopback port, wait for a --port_file.
#ifndef PAYVOX_TESTS_PROCESSES_H_
#define PAYVOX_TESTS_PROCESSES_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace payvox::testing {

// Process runs a binary; the destructor kills what is still running.
class Process {
 public:
  explicit Process(std::vector<std::string> argv) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> args;
      for (std::string& arg : argv) args.push_back(arg.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Process() { Kill(SIGKILL); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

inline int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// WaitForPortFile waits up to 10 s for payvoxd's --port_file.
inline bool WaitForPortFile(const std::string& path, int* port) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream file(path);
    if (file >> *port && *port > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_PROCESSES_H_
