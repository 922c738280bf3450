// action_test_env.h: the fixture of the action families' unit tests: one
// tenant ("acme") on a scripted Stripe (client/testing/fake_stripe_client.h),
// an in-memory SQLite store, a fake clock, call sessions and confirmation
// tokens; Jenny (cus_1)
// has a Visa ending 4242 on file and two charges.
#ifndef PAYVOX_ACTIONS_TESTING_ACTION_TEST_ENV_H_
#define PAYVOX_ACTIONS_TESTING_ACTION_TEST_ENV_H_

#include <memory>
#include <string>

#include "actions/tenant_actions.h"
#include "client/testing/fake_stripe_client.h"
#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox::testing {

constexpr char kJennyCards[] =
    R"({"object":"list","has_more":false,"data":[{"id":"pm_1","type":"card","customer":"cus_1","card":{"brand":"visa","last4":"4242"}}]})";
constexpr char kJennyCharges[] = R"({"object":"list","has_more":false,"data":[
  {"id":"ch_2","amount":4900,"currency":"usd","customer":"cus_1","status":"succeeded","created":1789900000,
   "payment_method_details":{"card":{"brand":"mastercard","last4":"5555"}}},
  {"id":"ch_1","amount":1250,"currency":"usd","customer":"cus_1","status":"failed","failure_code":"card_declined",
   "outcome":{"reason":"insufficient_funds"},"created":1789800000}]})";

class ActionTest : public ::testing::Test {
 protected:
  ActionTest()
      : store_(*SqliteStore::Open({}, clock_)),
        store_executor_(*store_, {.threads = 1}),
        confirmations_(*ConfirmationTokens::Create({.key = std::string(32, 'c')}, clock_)),
        actions_(stripe_, store_executor_, clock_, keyring_,
                 {.tenant_id = "acme", .sessions = &sessions_, .confirmations = &*confirmations_}) {
    stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, kJennyCards);
    stripe_.Answer("GET /v1/charges", 200, kJennyCharges);
    stripe_.Answer(
        "GET /v1/charges/ch_2", 200,
        R"({"id":"ch_2","amount":4900,"currency":"usd","customer":"cus_1","status":"succeeded",
                       "payment_method_details":{"card":{"brand":"mastercard","last4":"5555"}}})");
    stripe_.Answer(
        "POST /v1/refunds", 200,
        R"({"id":"re_1","amount":4900,"currency":"usd","charge":"ch_2","status":"succeeded"})");
  }

  static v1::CallContext Context(const char* request_id = "") {
    v1::CallContext context;
    context.set_call_id("call-1");
    context.set_request_id(request_id);
    return context;
  }

  absl::StatusOr<v1::VerifyIdentityResponse> Verify(const char* last4) {
    v1::VerifyIdentityRequest request;
    *request.mutable_context() = Context();
    request.set_customer_id("cus_1");
    request.set_last4(last4);
    return ::payvox::testing::RunCoroutine(
        actions_.customers.VerifyIdentity(request, absl::InfiniteFuture()));
  }

  absl::StatusOr<v1::CreateRefundResponse> Refund(const char* request_id = "r-1",
                                                  const char* charge = "ch_2") {
    v1::CreateRefundRequest request;
    *request.mutable_context() = Context(request_id);
    request.set_charge_id(charge);
    return ::payvox::testing::RunCoroutine(
        actions_.refunds.CreateRefund(request, absl::InfiniteFuture()));
  }

  FakeClock clock_;
  stripe::testing::FakeStripeClient stripe_;
  std::unique_ptr<SqliteStore> store_;
  StoreExecutor store_executor_;
  Keyring keyring_{*MasterKey::Parse(std::string(64, '7'))};
  // Calls have a session only after BeginCall.
  CallSessions sessions_{clock_, {}};
  std::unique_ptr<ConfirmationTokens> confirmations_;
  TenantActions actions_;
};

}  // namespace payvox::testing

#endif  // PAYVOX_ACTIONS_TESTING_ACTION_TEST_ENV_H_
