#include "store/store_executor.h"

#include <future>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

TEST(StoreExecutor, RunsCallsOnItsOwnThreadsAndResumesTheCaller) {
  testing::FakeClock clock;
  auto store = *SqliteStore::Open({}, clock);
  StoreExecutor executor(*store, {.threads = 1});
  boost::asio::io_context io;
  const std::thread::id io_thread = std::this_thread::get_id();
  std::thread::id store_thread;
  auto task = [&]() -> boost::asio::awaitable<absl::Status> {
    absl::Status set = co_await executor.Run([&](Store& s) {
      store_thread = std::this_thread::get_id();
      return s.SetPolicy("acme", v1::TenantPolicy());
    });
    EXPECT_EQ(std::this_thread::get_id(), io_thread);  // resumed on the caller's thread
    co_return set;
  };
  EXPECT_TRUE(testing::RunCoroutine(io, task()).ok());
  EXPECT_NE(store_thread, io_thread);
  EXPECT_TRUE(store->GetPolicy("acme")->has_value());
}

TEST(StoreExecutor, RefusesBeyondItsBound) {
  testing::FakeClock clock;
  auto store = *SqliteStore::Open({}, clock);
  StoreExecutor executor(*store, {.threads = 1, .max_pending = 0});
  absl::StatusOr<std::optional<v1::TenantPolicy>> policy =
      testing::RunCoroutine(executor.Run([](Store& s) { return s.GetPolicy("acme"); }));
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kUnavailable);
}

TEST(StoreExecutor, PostRunsTheCallOnItsThreadsAndHandsOverTheResult) {
  testing::FakeClock clock;
  auto store = *SqliteStore::Open({}, clock);
  StoreExecutor executor(*store, {.threads = 1});
  std::promise<std::pair<bool, std::thread::id>> done;
  executor.Post([](Store& s) { return s.SetPolicy("acme", v1::TenantPolicy()); },
                [&](absl::Status status) {
                  done.set_value({status.ok(), std::this_thread::get_id()});
                });
  const auto [ok, thread] = done.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_NE(thread, std::this_thread::get_id());
  EXPECT_TRUE(store->GetPolicy("acme")->has_value());

  StoreExecutor full(*store, {.threads = 1, .max_pending = 0});
  bool ran = false;
  absl::Status refused;
  full.Post(
      [&](Store& s) {
        ran = true;
        return s.SetPolicy("acme", v1::TenantPolicy());
      },
      [&](absl::Status status) { refused = status; });
  EXPECT_FALSE(ran);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace payvox
