// Unit tests of the charges family against a scripted Stripe (no network); the
// same flows run end to end against the sandbox in tests/.
#include "actions/charges.h"

#include <future>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "actions/testing/action_test_env.h"
#include "client/testing/fake_stripe_client.h"
#include "common/error_detail.h"
#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(ActionTest, ListChargesSpeaksTheLatestCharge) {
  v1::ListChargesRequest request;
  *request.mutable_context() = Context();
  request.set_customer_id("cus_1");
  auto response = RunCoroutine(actions_.charges.ListCharges(request, absl::InfiniteFuture()));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->charges_size(), 2);
  EXPECT_EQ(response->charges(0).refundable().display(), "$49.00");
  EXPECT_EQ(response->charges(1).refundable().amount_minor(), 0);
  EXPECT_EQ(response->charges(1).failure_reason(), "the bank declined it for insufficient funds");
  EXPECT_EQ(response->say(),
            "I see 2 recent charges. The latest is $49.00 on September 20th on your Mastercard "
            "ending in 5555, and it went through.");
  request.set_customer_id("");
  EXPECT_THAT(RunCoroutine(actions_.charges.ListCharges(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace payvox
