#include "store/sqlite.h"

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace payvox::sqlite {
namespace {

using ::payvox::testing::StatusIs;

sqlite3* OpenMemory() {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  return db;
}

class ConnectionTest : public ::testing::Test {
 protected:
  ConnectionTest() : db_(OpenMemory()) {
    EXPECT_TRUE(Exec(db_.get(), "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)").ok());
  }

  absl::StatusOr<int64_t> ValueOf(absl::string_view key) {
    Statement select(db_, "SELECT v FROM t WHERE k = ?1");
    select.Bind(1, key);
    absl::StatusOr<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError(key);
    return select.Int(0);
  }

  Connection db_;
};

TEST_F(ConnectionTest, ReusesAStatementWithFreshBindingsEachTime) {
  for (int i = 0; i < 3; ++i) {
    Statement insert(db_, "INSERT INTO t (k, v) VALUES (?1, ?2)");
    insert.Bind(1, absl::StrCat("k", i));
    insert.Bind(2, int64_t{i * 10});
    ASSERT_TRUE(insert.Run().ok());
  }
  EXPECT_EQ(db_.kept(), 1u);  // one prepared INSERT, used three times
  EXPECT_EQ(*ValueOf("k2"), 20);
  EXPECT_EQ(*ValueOf("k0"), 0);
  EXPECT_EQ(db_.kept(), 2u);
  // Bindings do not survive a reuse: an unbound parameter is NULL.
  Statement insert(db_, "INSERT INTO t (k, v) VALUES (?1, ?2)");
  insert.Bind(1, "k9");
  ASSERT_TRUE(insert.Run().ok());
  Statement null_value(db_, "SELECT v IS NULL FROM t WHERE k = 'k9'");
  ASSERT_TRUE(*null_value.Step());
  EXPECT_EQ(null_value.Int(0), 1);
}

TEST_F(ConnectionTest, TheSameSqlInUseTwiceGetsTwoStatements) {
  ASSERT_TRUE(Exec(db_.get(), "INSERT INTO t VALUES ('a', 1), ('b', 2)").ok());
  {
    Statement outer(db_, "SELECT v FROM t ORDER BY k");
    ASSERT_TRUE(*outer.Step());
    EXPECT_EQ(outer.Int(0), 1);
    Statement inner(db_, "SELECT v FROM t ORDER BY k");
    ASSERT_TRUE(*inner.Step());
    EXPECT_EQ(inner.Int(0), 1);  // its own cursor
    ASSERT_TRUE(*outer.Step());
    EXPECT_EQ(outer.Int(0), 2);
  }
  EXPECT_EQ(db_.kept(), 2u);
}

// A statement comes back reset: one left mid-way starts again from its
// first row when it is reused.
TEST_F(ConnectionTest, AStatementLeftMidwayIsResetWhenItComesBack) {
  ASSERT_TRUE(Exec(db_.get(), "INSERT INTO t VALUES ('a', 1), ('b', 2)").ok());
  {
    Statement select(db_, "SELECT v FROM t ORDER BY k");
    ASSERT_TRUE(*select.Step());
  }
  Statement again(db_, "SELECT v FROM t ORDER BY k");
  ASSERT_TRUE(*again.Step());
  EXPECT_EQ(again.Int(0), 1);  // from the first row, not the second
}

TEST_F(ConnectionTest, KeepsAtMostItsBound) {
  for (size_t i = 0; i < Connection::kMaxKept + 10; ++i) {
    Statement select(db_, absl::StrCat("SELECT ", i));
    ASSERT_TRUE(*select.Step());
  }
  EXPECT_EQ(db_.kept(), Connection::kMaxKept);
}

TEST_F(ConnectionTest, APrepareErrorNamesItselfAndIsNotKept) {
  {
    Statement broken(db_, "SELECT nope FROM nowhere");
    EXPECT_THAT(broken.status(), StatusIs(absl::StatusCode::kInternal));
    EXPECT_THAT(broken.Run(), StatusIs(absl::StatusCode::kInternal));
  }
  EXPECT_EQ(db_.kept(), 0u);
}

TEST_F(ConnectionTest, ATransactionRollsBackUnlessCommitted) {
  {
    Transaction transaction(db_);
    ASSERT_TRUE(transaction.status().ok());
    ASSERT_TRUE(Exec(db_.get(), "INSERT INTO t VALUES ('x', 1)").ok());
  }
  EXPECT_THAT(ValueOf("x"), StatusIs(absl::StatusCode::kNotFound));
  {
    Transaction transaction(db_);
    ASSERT_TRUE(Exec(db_.get(), "INSERT INTO t VALUES ('x', 2)").ok());
    ASSERT_TRUE(transaction.Commit().ok());
  }
  EXPECT_EQ(*ValueOf("x"), 2);
}

}  // namespace
}  // namespace payvox::sqlite
