#include "actions/dispatcher.h"

#include "actions/testing/action_test_env.h"
#include "common/testing/run_coroutine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;

bool Enabled(const v1::ListActionsResponse& catalog, const std::string& name) {
  for (const v1::ActionDescriptor& action : catalog.actions()) {
    if (action.name() == name) return action.enabled();
  }
  return false;
}

TEST_F(ActionTest, ListActionsIsBuiltOncePerPolicyAndFollowsItsChanges) {
  ActionDispatcher dispatcher(actions_);
  v1::TenantPolicy policy;
  policy.add_enabled_actions("list_charges");
  std::shared_ptr<const DescribedActions> first = dispatcher.Described(policy);
  EXPECT_EQ(dispatcher.Described(policy), first);  // the same copy, not rebuilt
  EXPECT_TRUE(Enabled(first->response, "list_charges"));
  EXPECT_FALSE(Enabled(first->response, "create_refund"));
  EXPECT_EQ(first->serialized, first->response.SerializeAsString());

  policy.add_enabled_actions("create_refund");
  std::shared_ptr<const DescribedActions> changed = dispatcher.Described(policy);
  EXPECT_NE(changed, first);
  EXPECT_TRUE(Enabled(changed->response, "create_refund"));

  // Through the RPC, the tenant's current policy decides; once it is held
  // the answer needs no coroutine.
  EXPECT_EQ(dispatcher.Listed(), nullptr);  // nothing read from the store yet
  actions_.PolicyChanged(policy);
  ASSERT_NE(dispatcher.Listed(), nullptr);
  EXPECT_EQ(dispatcher.Listed(), changed);
  absl::StatusOr<v1::ListActionsResponse> listed =
      RunCoroutine(dispatcher.ListActions({}, absl::InfiniteFuture()));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->SerializeAsString(), changed->serialized);
}

}  // namespace
}  // namespace payvox
