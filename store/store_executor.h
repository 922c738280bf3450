// store_executor.h: Store calls off the I/O threads.
//
// SQLite commits wait for the disk (synchronous=FULL), so a coroutine on a
// Stripe I/O strand hands its Store call to the store's own threads and is
// resumed on its strand when the call returns:
//
//   StoreExecutor executor(store, {.threads = 2});
//   absl::StatusOr<Usage> usage =
//       co_await executor.Run([&](Store& store) { return store.GetUsage(key, customer); });
//
// Code that is not a coroutine (a gRPC reactor) posts the call and gets the
// result on one of the store's threads:
//
//   executor.Post([=](Store& store) { return store.ReadEvents(tenant, after, 200); },
//                 [stream](absl::StatusOr<std::vector<v1::PaymentEvent>> page) { ... });
//
// Bounded: at most `max_pending` calls wait or run; beyond that Run answers
// UNAVAILABLE at once instead of queueing without limit.
//
// With `errors`, calls that fail for the store's own reasons (INTERNAL,
// UNKNOWN, DATA_LOSS, UNAVAILABLE: a disk or database fault, or overload)
// are counted by `reason` ("error", "overloaded"), never the answers a
// store gives by design (NOT_FOUND, RESOURCE_EXHAUSTED for a limit, ...).
#ifndef PAYVOX_STORE_STORE_EXECUTOR_H_
#define PAYVOX_STORE_STORE_EXECUTOR_H_

#include <atomic>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/status/status.h"
#include "common/metrics.h"
#include "store/store.h"

namespace payvox {

struct StoreExecutorOptions {
  int threads = 2;
  int max_pending = 1024;
  // payvox_store_errors_total{reason}; null: not counted.
  metrics::Family<metrics::Counter>* errors = nullptr;
};

class StoreExecutor {
 public:
  // `store` must outlive the executor.
  StoreExecutor(Store& store, StoreExecutorOptions options)
      : store_(store),
        pool_(static_cast<size_t>(options.threads)),
        max_pending_(options.max_pending),
        errors_(options.errors) {}
  // Waits for the calls already running.
  ~StoreExecutor() { Join(); }

  // Join waits for the calls already posted and ends the threads; calls
  // after it are not run. Their completions go to the callers' executors,
  // so those must outlive Join. Idempotent.
  void Join() { pool_.join(); }

  // Run returns what `call(store)` returns (an absl::Status or StatusOr).
  template <typename Call>
  boost::asio::awaitable<std::invoke_result_t<Call&, Store&>> Run(Call call) {
    using Result = std::invoke_result_t<Call&, Store&>;
    if (pending_.fetch_add(1) >= max_pending_) {
      pending_.fetch_sub(1);
      Count("overloaded");
      co_return Result(absl::UnavailableError(
          "payvox's store is overloaded right now; retry with the same request_id"));
    }
    Pending done{pending_};
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(), Invoke<Result>(*this, std::move(call)), boost::asio::use_awaitable);
  }

  // Post runs `call(store)` on the store's threads and hands its result to
  // `done` there; `done` gets UNAVAILABLE without `call` running when the
  // executor is overloaded. `call` and `done` must own what they use.
  template <typename Call, typename Done>
  void Post(Call call, Done done) {
    using Result = std::invoke_result_t<Call&, Store&>;
    if (pending_.fetch_add(1) >= max_pending_) {
      pending_.fetch_sub(1);
      Count("overloaded");
      done(Result(absl::UnavailableError("payvox's store is overloaded right now; retry")));
      return;
    }
    boost::asio::post(pool_, [this, call = std::move(call), done = std::move(done)]() mutable {
      Pending finished{pending_};
      done(Counted(call(store_)));
    });
  }

  Store& store() { return store_; }

 private:
  struct Pending {
    std::atomic<int>& count;
    ~Pending() { count.fetch_sub(1); }
  };

  template <typename Result, typename Call>
  static boost::asio::awaitable<Result> Invoke(StoreExecutor& self, Call call) {
    co_return self.Counted(call(self.store_));
  }

  template <typename Result>
  Result Counted(Result result) {
    if (errors_ == nullptr) return result;
    absl::StatusCode code;
    if constexpr (std::is_same_v<Result, absl::Status>) {
      code = result.code();
    } else {
      code = result.status().code();
    }
    switch (code) {
      case absl::StatusCode::kInternal:
      case absl::StatusCode::kUnknown:
      case absl::StatusCode::kDataLoss:
      case absl::StatusCode::kUnavailable:
        Count("error");
        break;
      default:
        break;
    }
    return result;
  }

  void Count(const char* reason) {
    if (errors_ != nullptr) errors_->With({reason}).Increment();
  }

  Store& store_;
  boost::asio::thread_pool pool_;
  const int max_pending_;
  metrics::Family<metrics::Counter>* const errors_;
  std::atomic<int> pending_{0};
};

}  // namespace payvox

#endif  // PAYVOX_STORE_STORE_EXECUTOR_H_
