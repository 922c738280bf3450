// run_coroutine.h: runs an Asio coroutine to completion in a test.
//
//   absl::StatusOr<Charge> charge = RunCoroutine(api.GetCharge("ch_1", {}));
#ifndef PAYVOX_COMMON_TESTING_RUN_COROUTINE_H_
#define PAYVOX_COMMON_TESTING_RUN_COROUTINE_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace payvox::testing {

// RunCoroutine runs `task` on `io` until `io` runs out of work and returns
// the task's result; an exception escaping the coroutine is rethrown. Use the
// io_context whose executor the code under test was given.
template <typename T>
T RunCoroutine(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

// RunCoroutine on a private io_context, for code that does no I/O of its own.
template <typename T>
T RunCoroutine(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  return RunCoroutine(io, std::move(task));
}

}  // namespace payvox::testing

#endif  // PAYVOX_COMMON_TESTING_RUN_COROUTINE_H_
