#include "common/idempotency_key.h"

#include "gtest/gtest.h"

namespace payvox {
namespace {

TEST(IdempotencyKeyTest, SameActionSameKey) {
  const ActionKey key{"acme", "call-1", "req-1", "create_refund"};
  EXPECT_EQ(DeriveIdempotencyKey(key), DeriveIdempotencyKey(key));
  EXPECT_EQ(DeriveIdempotencyKey(key).size(), 68u);
  EXPECT_EQ(DeriveIdempotencyKey(key).substr(0, 4), "pvx_");
}

TEST(IdempotencyKeyTest, EveryFieldChangesTheKey) {
  const std::string base = DeriveIdempotencyKey({"acme", "call-1", "req-1", "create_refund"});
  EXPECT_NE(base, DeriveIdempotencyKey({"other", "call-1", "req-1", "create_refund"}));
  EXPECT_NE(base, DeriveIdempotencyKey({"acme", "call-2", "req-1", "create_refund"}));
  EXPECT_NE(base, DeriveIdempotencyKey({"acme", "call-1", "req-2", "create_refund"}));
  EXPECT_NE(base, DeriveIdempotencyKey({"acme", "call-1", "req-1", "create_coupon"}));
}

TEST(IdempotencyKeyTest, FieldBoundariesCannotBeShifted) {
  EXPECT_NE(DeriveIdempotencyKey({"a", "b;c", "d", "e"}),
            DeriveIdempotencyKey({"a", "b", "c;d", "e"}));
  EXPECT_NE(DeriveIdempotencyKey({"a1:", "b", "c", "d"}),
            DeriveIdempotencyKey({"a", "1:b", "c", "d"}));
}

}  // namespace
}  // namespace payvox
