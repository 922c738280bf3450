// Policy, approvals and the audit trail through payvoxd: ActionService and
// AdminService together against the sandbox, on a policy set in the config.
#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using AdminStub = v1::AdminService::Stub;

class PolicyAuditTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({
      "grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2, "tenant_id": "acme",
      "stripe": {"read_per_second": 5000, "write_per_second": 5000, "endpoint_per_second": 5000},
      "policy": {"refunds": {
        "max_auto_refund": [{"currency": "usd", "amount_minor": 2500}],
        "daily_limit": [{"currency": "usd", "amount_minor": 2000}]}}
    })";
  }

  std::vector<v1::AuditRecord> Audit(const std::string& call_id = "") {
    v1::QueryAuditRequest query;
    query.set_tenant_id("acme");
    query.set_call_id(call_id);
    query.set_limit(1000);
    v1::QueryAuditResponse response;
    const grpc::Status status = Admin(&AdminStub::QueryAudit, query, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.records().begin(), response.records().end()};
  }

  bool ChainIntact() {
    v1::VerifyAuditChainRequest request;
    request.set_tenant_id("acme");
    v1::VerifyAuditChainResponse response;
    EXPECT_TRUE(Admin(&AdminStub::VerifyAuditChain, request, &response).ok());
    return response.intact();
  }
};

TEST_F(PolicyAuditTest, ARefundAboveTheThresholdWaitsForApprovalThenRunsOnce) {
  // The daily limit is raised so that only the approval threshold applies.
  v1::SetPolicyRequest set;
  set.set_tenant_id("acme");
  auto* automatic = set.mutable_policy()->mutable_refunds()->add_max_auto_refund();
  automatic->set_currency("usd");
  automatic->set_amount_minor(2500);
  v1::SetPolicyResponse set_response;
  ASSERT_TRUE(Admin(&AdminStub::SetPolicy, set, &set_response).ok());

  VerifyJenny();
  v1::CreateRefundResponse pending;
  ASSERT_TRUE(Refund("r-big", "ch_DemoJennyPlan", 0, &pending).ok());
  EXPECT_THAT(pending.approval_id(), ::testing::StartsWith("apv_"));
  EXPECT_FALSE(pending.has_refund());
  EXPECT_THAT(pending.say(), HasSubstr("approval"));
  // A retry of the same request files nothing new.
  v1::CreateRefundResponse again;
  ASSERT_TRUE(Refund("r-big", "ch_DemoJennyPlan", 0, &again).ok());
  EXPECT_EQ(again.approval_id(), pending.approval_id());

  v1::ListApprovalsRequest list;
  list.set_tenant_id("acme");
  v1::ListApprovalsResponse approvals;
  ASSERT_TRUE(Admin(&AdminStub::ListApprovals, list, &approvals).ok());
  ASSERT_EQ(approvals.approvals_size(), 1);
  EXPECT_EQ(approvals.approvals(0).amount().amount_minor(), 4900);
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 0);

  v1::DecideApprovalRequest decide;
  decide.set_tenant_id("acme");
  decide.set_approval_id(pending.approval_id());
  decide.set_approve(true);
  decide.set_decided_by("ops@acme.example");
  v1::DecideApprovalResponse decided;
  const grpc::Status approved = Admin(&AdminStub::DecideApproval, decide, &decided);
  ASSERT_TRUE(approved.ok()) << approved.error_message();
  EXPECT_THAT(decided.result_object_id(), ::testing::StartsWith("re_"));
  EXPECT_EQ(decided.approval().state(), "approved");
  // Deciding again does nothing.
  EXPECT_EQ(Admin(&AdminStub::DecideApproval, decide, &decided).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 4900);

  // The trail: two needs_approval decisions (the request and its retry),
  // then the approved refund's intent and completion.
  std::vector<v1::AuditRecord> trail = Audit("call-1");
  std::vector<std::string> kinds;
  for (const v1::AuditRecord& record : trail) {
    if (record.action() == "create_refund")
      kinds.push_back(record.kind() + ":" + record.decision());
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre("decision:needs_approval", "decision:needs_approval",
                                            "intent:allow", "completion:allow"));
  EXPECT_EQ(trail.back().result(), decided.result_object_id());
  EXPECT_TRUE(trail.back().ok());
  EXPECT_THAT(trail.back().agent_id(), HasSubstr("ops@acme.example"));
  EXPECT_TRUE(ChainIntact());
}

TEST_F(PolicyAuditTest, ConcurrentRefundsNeverPassTheDailyLimit) {
  VerifyJenny();
  // 200 refunds of $0.50 race for a $20.00 daily limit.
  std::atomic<int> refunded{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        v1::CreateRefundResponse response;
        const grpc::Status status =
            Refund(absl::StrCat("r-", t, "-", i), "ch_DemoJennyPlan", 50, &response);
        if (status.ok()) {
          ++refunded;
        } else if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
                   DetailOf(status).reason() == "refund_over_daily_limit") {
          ++refused;
        } else {
          ++other;
          ADD_FAILURE() << status.error_code() << " " << status.error_message();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(refunded.load(), 40);
  EXPECT_EQ(refused.load(), 160);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Charges("cus_DemoJennyRosen").charges(1).amount_refunded().amount_minor(), 2000);
  int completions = 0;
  for (const v1::AuditRecord& record : Audit()) {
    if (record.kind() == "completion" && record.ok()) ++completions;
  }
  EXPECT_EQ(completions, 40);
  EXPECT_TRUE(ChainIntact());
}

TEST_F(PolicyAuditTest, RefusalsAreAuditedAndSayWhy) {
  v1::SetPolicyRequest set;
  set.set_tenant_id("acme");
  set.mutable_policy()->add_enabled_actions("view_payments");
  v1::SetPolicyResponse set_response;
  ASSERT_TRUE(Admin(&AdminStub::SetPolicy, set, &set_response).ok());
  VerifyJenny();
  v1::CreateRefundResponse response;
  const grpc::Status status = Refund("r-1", "ch_DemoJennyPlan", 100, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailOf(status).reason(), "action_not_enabled");
  EXPECT_FALSE(DetailOf(status).say().empty());
  const std::vector<v1::AuditRecord> trail = Audit("call-1");
  ASSERT_FALSE(trail.empty());
  EXPECT_EQ(trail.back().decision(), "deny");
  EXPECT_EQ(trail.back().rule(), "enabled_actions");
  EXPECT_EQ(trail.back().customer_id(), "cus_DemoJennyRosen");
  EXPECT_EQ(trail.back().amount().amount_minor(), 100);
}

TEST_F(PolicyAuditTest, APolicyCanRequireTheConfirmationTokenOverGrpc) {
  v1::SetPolicyRequest set;
  set.set_tenant_id("acme");
  set.mutable_policy()->add_confirmed_actions("create_refund");
  set.mutable_policy()->set_confirmation_token_required(true);
  v1::SetPolicyResponse set_response;
  ASSERT_TRUE(Admin(&AdminStub::SetPolicy, set, &set_response).ok());
  VerifyJenny();
  v1::CreateRefundRequest refund;
  *refund.mutable_context() = Context("r-flag");
  refund.mutable_context()->set_confirmed(true);
  refund.set_charge_id("ch_DemoJennyPlan");
  refund.set_amount_minor(100);
  v1::CreateRefundResponse response;
  const grpc::Status asked = Invoke(&v1::ActionService::Stub::CreateRefund, refund, &response);
  ASSERT_EQ(asked.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << asked.error_message();
  const v1::ErrorDetail question = DetailOf(asked);
  EXPECT_EQ(question.reason(), "needs_confirmation");
  EXPECT_EQ(question.say(), "Just to confirm: shall I refund $1.00 to your Visa ending in 4242?");
  ASSERT_THAT(question.confirmation_token(), ::testing::StartsWith("pvxc_"));

  refund.mutable_context()->set_confirmation_token(question.confirmation_token());
  const grpc::Status done = Invoke(&v1::ActionService::Stub::CreateRefund, refund, &response);
  ASSERT_TRUE(done.ok()) << done.error_message();
  EXPECT_THAT(response.refund().id(), ::testing::StartsWith("re_"));
  // The trail holds the refusal and the confirmed refund under the
  // caller's request id.
  const std::vector<v1::AuditRecord> trail = Audit("call-1");
  ASSERT_GE(trail.size(), 2u);
  EXPECT_EQ(trail.back().request_id(), "r-flag");
  EXPECT_TRUE(ChainIntact());
}

TEST_F(PolicyAuditTest, PoliciesAreValidatedAndTenantsChecked) {
  v1::GetPolicyRequest get;
  get.set_tenant_id("acme");
  v1::GetPolicyResponse current;
  ASSERT_TRUE(Admin(&AdminStub::GetPolicy, get, &current).ok());
  EXPECT_EQ(current.policy().refunds().daily_limit(0).amount_minor(), 2000);

  v1::SetPolicyRequest set;
  set.set_tenant_id("acme");
  set.mutable_policy()->mutable_coupons()->set_max_percent_off(150);
  v1::SetPolicyResponse response;
  const grpc::Status bad = Admin(&AdminStub::SetPolicy, set, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("policy.coupons.max_percent_off"));

  get.set_tenant_id("someone-else");
  EXPECT_EQ(Admin(&AdminStub::GetPolicy, get, &current).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::DecideApprovalRequest decide;
  decide.set_tenant_id("acme");
  decide.set_approval_id("apv_nothing");
  decide.set_decided_by("ops");
  v1::DecideApprovalResponse decided;
  EXPECT_EQ(Admin(&AdminStub::DecideApproval, decide, &decided).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// One card-number guard covers every entry point: a typed RPC's fields and
// its CallContext, Execute, and the admin calls. Nothing reaches Stripe or
// the store.
TEST_F(PolicyAuditTest, CardNumbersAreRefusedInEveryFieldBeforeStripeOrTheStore) {
  constexpr char kCard[] = "4242424242424242";
  const int64_t stripe_before = app_->sandbox_emulator()->RequestsHandled();
  const size_t audit_before = Audit().size();

  v1::FindCustomerRequest find;
  *find.mutable_context() = Context();
  find.set_email(absl::StrCat(kCard, "@example.com"));
  v1::FindCustomerResponse found;
  grpc::Status status = Invoke(&v1::ActionService::Stub::FindCustomer, find, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("email looks like it contains a card number"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kCard)));

  v1::CreateRefundResponse refunded;
  status = Refund("r-card", "ch_DemoJennyPlan", 100, &refunded, kCard);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("context.call_id"));

  v1::ExecuteRequest execute;
  *execute.mutable_context() = Context("x-1");
  execute.set_action("find_customer");
  execute.set_arguments_json(absl::StrCat(R"({"email": ")", kCard, R"(@example.com"})"));
  v1::ExecuteResponse executed;
  EXPECT_EQ(Invoke(&v1::ActionService::Stub::Execute, execute, &executed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::CreateTenantRequest tenant;
  tenant.set_tenant_id("card-shop");
  tenant.set_display_name(absl::StrCat("Shop ", kCard));
  v1::CreateTenantResponse created;
  status = Admin(&AdminStub::CreateTenant, tenant, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("display_name"));
  v1::GetPolicyRequest get;
  get.set_tenant_id("card-shop");
  v1::GetPolicyResponse policy;
  EXPECT_EQ(Admin(&AdminStub::GetPolicy, get, &policy).error_code(), grpc::StatusCode::NOT_FOUND)
      << "the tenant was not stored";

  v1::SetPolicyRequest set;
  set.set_tenant_id("acme");
  set.mutable_policy()->add_enabled_actions(kCard);
  v1::SetPolicyResponse set_response;
  status = Admin(&AdminStub::SetPolicy, set, &set_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("policy.enabled_actions[0] looks like it contains a card number"));

  EXPECT_EQ(app_->sandbox_emulator()->RequestsHandled(), stripe_before);
  EXPECT_EQ(Audit().size(), audit_before);
}

}  // namespace
}  // namespace payvox::testing
