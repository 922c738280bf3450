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

TEST(StoreExecutor, CountsTheStoresOwnFailuresNotItsAnswers) {
  testing::FakeClock clock;
  auto store = *SqliteStore::Open({}, clock);
  metrics::Registry registry;
  auto& errors = registry.AddCounter("payvox_store_errors_total", "", {"reason"});
  StoreExecutor executor(*store, {.threads = 1, .errors = &errors});
  // An answer by design (no such approval) is not a store error.
  const absl::Status not_found = testing::RunCoroutine(executor.Run([&](Store& s) {
    return s.DecideApproval("acme", "ap_missing", true, "op", "", clock.Now()).status();
  }));
  EXPECT_EQ(not_found.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors.With({"error"}).value(), 0);
  // A fault of the store is, on both paths.
  const absl::Status fault = testing::RunCoroutine(
      executor.Run([](Store&) { return absl::DataLossError("disk I/O error"); }));
  EXPECT_EQ(fault.code(), absl::StatusCode::kDataLoss);
  std::promise<void> posted;
  executor.Post([](Store&) { return absl::InternalError("database is locked"); },
                [&](absl::Status) { posted.set_value(); });
  posted.get_future().get();
  EXPECT_EQ(errors.With({"error"}).value(), 2);

  StoreExecutor full(*store, {.threads = 1, .max_pending = 0, .errors = &errors});
  (void)testing::RunCoroutine(full.Run([](Store& s) { return s.GetPolicy("acme"); }));
  EXPECT_EQ(errors.With({"overloaded"}).value(), 1);
}

}  // namespace
}  // namespace payvox
