// ListActions and Execute end to end: the catalog through gRPC, running the
// same actions as the typed RPCs against the sandbox.
#include "actions/catalog.h"
#include "common/json_schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::ActionService::Stub;

class CatalogFlowTest : public PayvoxdTest {
 protected:
  grpc::Status Execute(const std::string& action, const std::string& arguments,
                       v1::ExecuteResponse* response, const std::string& request_id = "") {
    v1::ExecuteRequest request;
    *request.mutable_context() = Context(request_id);
    request.set_action(action);
    request.set_arguments_json(arguments);
    return Invoke(&Stub::Execute, request, response);
  }

  int64_t JennyPlanRefunded() {
    v1::ListChargesRequest request;
    *request.mutable_context() = Context();
    request.set_customer_id("cus_DemoJennyRosen");
    v1::ListChargesResponse response;
    EXPECT_TRUE(Invoke(&Stub::ListCharges, request, &response).ok());
    for (const v1::Charge& charge : response.charges()) {
      if (charge.id() == "ch_DemoJennyPlan") return charge.amount_refunded().amount_minor();
    }
    ADD_FAILURE() << "ch_DemoJennyPlan not listed";
    return -1;
  }
};

TEST_F(CatalogFlowTest, ListActionsGivesToolDefinitions) {
  v1::ListActionsResponse response;
  ASSERT_TRUE(Invoke(&Stub::ListActions, v1::ListActionsRequest(), &response).ok());
  std::vector<std::string> names;
  for (const v1::ActionDescriptor& action : response.actions()) {
    names.push_back(action.name());
    // A tool definition an LLM can use: a valid object schema.
    EXPECT_TRUE(CheckSchema(action.parameters_json_schema()).ok()) << action.name();
    // The default policy enables reading payments and refunds, not coupons.
    if (action.name() == "create_refund" || action.name() == "list_charges") {
      EXPECT_TRUE(action.enabled()) << action.name();
    }
    if (action.name() == "create_coupon") {
      EXPECT_FALSE(action.enabled());
    }
  }
  EXPECT_EQ(names.size(), Catalog().size());
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"find_customer", "verify_identity", "list_charges", "create_refund"}));
}

TEST_F(CatalogFlowTest, EveryListedActionRuns) {
  // With no arguments each action runs far enough to judge them: it is
  // never unknown to Execute.
  for (const ActionSpec& spec : Catalog()) {
    v1::ExecuteResponse response;
    const grpc::Status status = Execute(std::string(spec.name), "{}", &response, "r-any");
    EXPECT_THAT(status.error_message(), Not(HasSubstr("not in the catalog"))) << spec.name;
  }
}

TEST_F(CatalogFlowTest, ExecuteRunsTheTypedActions) {
  v1::ExecuteResponse found;
  ASSERT_TRUE(Execute("find_customer", R"({"email": "jenny.rosen@example.com"})", &found).ok());
  EXPECT_EQ(found.say(), "I found your account.");
  EXPECT_THAT(found.result_json(), HasSubstr("\"id\":\"cus_DemoJennyRosen\""));

  v1::ExecuteResponse charges;
  ASSERT_TRUE(
      Execute("list_charges", R"({"customer_id": "cus_DemoJennyRosen", "limit": 2})", &charges)
          .ok());
  EXPECT_THAT(charges.say(), HasSubstr("I see 2 recent charges"));
  EXPECT_THAT(charges.result_json(), HasSubstr("\"has_more\":true"));
}

TEST_F(CatalogFlowTest, ExecuteAndTheTypedRpcAreOneRefund) {
  v1::ExecuteResponse verified;
  ASSERT_TRUE(Execute("verify_identity",
                      R"({"customer_id": "cus_DemoJennyRosen", "last4": "4242"})", &verified)
                  .ok());
  EXPECT_THAT(verified.result_json(), HasSubstr("\"verified\":true"));

  // Without a verified caller the policy applies as to the typed RPC.
  v1::ExecuteResponse refused;
  v1::ExecuteRequest other_call;
  *other_call.mutable_context() = Context("r-x", "call-other");
  other_call.set_action("create_refund");
  other_call.set_arguments_json(R"({"charge_id": "ch_DemoJennyPlan"})");
  EXPECT_EQ(Invoke(&Stub::Execute, other_call, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::ExecuteResponse refunded;
  ASSERT_TRUE(Execute("create_refund",
                      R"({"charge_id": "ch_DemoJennyPlan", "amount_minor": 900,
                          "reason": "requested_by_customer"})",
                      &refunded, "r-1")
                  .ok());
  EXPECT_THAT(refunded.say(), HasSubstr("$9.00"));
  EXPECT_THAT(refunded.result_json(), HasSubstr("\"id\":\"re_"));

  // The typed RPC with the same request_id is a retry of the same refund.
  v1::CreateRefundRequest typed;
  *typed.mutable_context() = Context("r-1");
  typed.set_charge_id("ch_DemoJennyPlan");
  typed.set_amount_minor(900);
  typed.set_reason("requested_by_customer");
  v1::CreateRefundResponse retry;
  ASSERT_TRUE(Invoke(&Stub::CreateRefund, typed, &retry).ok());
  EXPECT_THAT(refunded.result_json(), HasSubstr(retry.refund().id()));
  EXPECT_EQ(JennyPlanRefunded(), 900);
}

TEST_F(CatalogFlowTest, BadExecuteRequestsNameWhatIsWrong) {
  struct Case {
    const char* action;
    const char* arguments;
    const char* message;
  };
  for (const Case& c : {
           Case{"drop_everything", "{}", "action must be a name from ListActions"},
           Case{"find_customer", "{", "not valid JSON"},
           Case{"find_customer", R"({"mail": "a@b.c"})", "mail is not a known argument"},
           Case{"list_charges", "{}", "customer_id is required"},
           Case{"list_charges", R"({"customer_id": "cus_DemoJennyRosen", "limit": "ten"})",
                "limit must be an integer"},
           Case{"create_refund", R"({"charge_id": "ch_DemoJennyPlan", "reason": "bored"})",
                "reason must be one of"},
           Case{"create_refund",
                R"({"charge_id": "ch_DemoJennyPlan", "note": "card 4242 4242 4242 4242"})",
                "card number"},
           Case{"list_charges", R"({"customer_id": "ch_DemoJennyPlan"})", "customer_id"},
       }) {
    v1::ExecuteResponse response;
    const grpc::Status status = Execute(c.action, c.arguments, &response, "r-bad");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.arguments;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.arguments;
    EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("4242 4242")));
  }
  EXPECT_EQ(JennyPlanRefunded(), 0);
}

}  // namespace
}  // namespace payvox::testing
