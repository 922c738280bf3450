#include "common/async_wait.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace payvox {
namespace asio = boost::asio;

std::chrono::steady_clock::duration ToSteadyDuration(absl::Duration d) {
  d = std::clamp(d, absl::ZeroDuration(), absl::Hours(24 * 365));
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

namespace {

// Expire wakes a timer's waiter on the waiter's own executor. Moving the
// expiry into the past (rather than cancel()) also wakes a waiter whose
// async_wait has not started yet.
void Expire(const asio::any_io_executor& executor, std::shared_ptr<asio::steady_timer> timer) {
  asio::post(executor, [timer = std::move(timer)] {
    timer->expires_at(asio::steady_timer::time_point::min());
  });
}

}  // namespace

void AsyncEvent::Set() {
  std::lock_guard<std::mutex> lock(mu_);
  if (set_) return;
  set_ = true;
  for (auto& [id, waiter] : waiters_) Expire(waiter.executor, waiter.timer);
  waiters_.clear();
}

bool AsyncEvent::is_set() const {
  std::lock_guard<std::mutex> lock(mu_);
  return set_;
}

asio::awaitable<WaitResult> AsyncEvent::Wait(absl::Duration timeout, const CancelSignal* cancel) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, ToSteadyDuration(timeout));
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (set_) co_return WaitResult::kSet;
    id = next_id_++;
    waiters_.emplace(id, Waiter{executor, timer});
  }
  CancelSignal::Registration hook;
  if (cancel != nullptr) hook = cancel->Subscribe([executor, timer] { Expire(executor, timer); });
  boost::system::error_code ignored;
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiters_.erase(id);
    if (set_) co_return WaitResult::kSet;
  }
  if (cancel != nullptr && cancel->cancelled()) co_return WaitResult::kCancelled;
  co_return WaitResult::kTimedOut;
}

asio::awaitable<bool> AsioSleeper::SleepUntil(absl::Time wake, const CancelSignal* cancel) {
  AsyncEvent never;
  co_return co_await never.Wait(wake - clock_.Now(), cancel) != WaitResult::kCancelled;
}

}  // namespace payvox
