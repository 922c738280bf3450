#include "store/audit_chain.h"

#include "gtest/gtest.h"
#include "store/testing/store_backends.h"

namespace payvox {
namespace {

using testing::SampleAuditRecord;

TEST(AuditContentTest, EveryFieldButTheHashIsCovered) {
  v1::AuditRecord a = SampleAuditRecord("acme", "c1", "intent", true);
  v1::AuditRecord b = a;
  b.set_result("re_1");
  EXPECT_NE(AuditContentForHash(a), AuditContentForHash(b));
  b = a;
  b.set_hash("anything");
  EXPECT_EQ(AuditContentForHash(a), AuditContentForHash(b));
  // A newline inside a value cannot pose as a field boundary.
  b = a;
  b.set_call_id("c1\nallow");
  EXPECT_NE(AuditContentForHash(a), AuditContentForHash(b));
}

}  // namespace
}  // namespace payvox
