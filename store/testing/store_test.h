// store_test.h: the fixture of the Store conformance suite
// (store/*_conformance_test.cc): each test gets an empty store of its
// backend, SQLite in memory or PostgreSQL on a database of its own.
//
//   using AuditTest = testing::StoreTest;
//   TEST_P(AuditTest, ...) { store_->AppendAudit(...); }
//   PAYVOX_ON_EVERY_STORE(AuditTest);
#ifndef PAYVOX_STORE_TESTING_STORE_TEST_H_
#define PAYVOX_STORE_TESTING_STORE_TEST_H_

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"
#include "store/testing/store_backends.h"

namespace payvox::testing {

// StoreTest opens an empty store of the test's backend.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = Open(clock_);
    ASSERT_NE(store_, nullptr);
  }
  // Open: a new, empty store of this backend on `clock`.
  std::unique_ptr<Store> Open(const Clock& clock) {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenEmptyStore(GetParam(), clock);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  // Raw SQL on the store's database, behind its back (tamper tests).
  absl::Status Exec(const std::string& sql) { return ExecForTesting(*store_, sql); }
  // Bytes spelled as an SQL literal of this backend.
  std::string BlobLiteral(const std::string& bytes) const {
    const std::string hex = absl::BytesToHexString(bytes);
    return GetParam() == Backend::kSqlite ? "x'" + hex + "'" : "'\\x" + hex + "'::bytea";
  }

  FakeClock clock_;
  std::unique_ptr<Store> store_;
};

}  // namespace payvox::testing

// PAYVOX_ON_EVERY_STORE(Suite) runs the suite's tests on both stores.
#define PAYVOX_ON_EVERY_STORE(Suite)                                                              \
  INSTANTIATE_TEST_SUITE_P(Stores, Suite,                                                         \
                           ::testing::Values(::payvox::testing::Backend::kSqlite,                 \
                                             ::payvox::testing::Backend::kPostgres),              \
                           [](const ::testing::TestParamInfo<::payvox::testing::Backend>& info) { \
                             return std::string(::payvox::testing::BackendName(info.param));      \
                           })

#endif  // PAYVOX_STORE_TESTING_STORE_TEST_H_
