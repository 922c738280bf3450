// SIGKILL payvoxd in the middle of a refund load, restart it on the same
// store, and check the audit trail against the sandbox's ledger: every
// refund the sandbox made has a successful completion, no intent stays open,
// the chain is intact, and the daily limit's remaining room is exact (no
// reservation leaked). payvoxd and payvox-sandbox run as real processes;
// their paths come from the environment (set by CTest).
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "tests/ledger.h"
#include "tests/processes.h"
#include "tools/auth_channel.h"

namespace payvox {
namespace {

constexpr char kCall[] = "crash-call";
constexpr int64_t kDailyLimit = 3000;

using testing::FreePort;
using testing::Process;
using testing::WaitForPortFile;

constexpr char kTenantToken[] = "pvxt_acme.crash-test-token-0123456789abcdefghij";
constexpr char kOperatorToken[] = "pvxo_crash-test-operator-0123456789abcdef";

class CrashRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* payvoxd = std::getenv("PAYVOXD");
    const char* sandbox = std::getenv("PAYVOX_SANDBOX");
    ASSERT_TRUE(payvoxd != nullptr && sandbox != nullptr)
        << "PAYVOXD and PAYVOX_SANDBOX must name the binaries (CTest sets them)";
    payvoxd_ = payvoxd;
    dir_ = ::testing::TempDir() + "/payvox_crash";
    ASSERT_EQ(std::system(("rm -rf " + dir_ + " && mkdir -p " + dir_).c_str()), 0);
    sandbox_port_ = FreePort();
    sandbox_ = std::make_unique<Process>(
        std::vector<std::string>{sandbox, absl::StrCat("--port=", sandbox_port_), "--seed=7"});
    setenv("PAYVOX_CRASH_KEY", "sk_test_crash", 1);
    setenv("PAYVOX_TENANT_TOKEN", kTenantToken, 1);
    setenv("PAYVOX_OPERATOR_TOKEN", kOperatorToken, 1);
    setenv("PAYVOX_MASTER_KEY", std::string(64, 'c').c_str(), 1);
    std::ofstream(dir_ + "/payvoxd.json") << absl::StrCat(
        R"({"grpc_listen_address": "127.0.0.1:0", "tenant_id": "acme", "shutdown_grace_seconds": 1,)",
        R"("store_path": ")", dir_, R"(/payvox.db",)",
        R"("stripe": {"api_base_url": "http://127.0.0.1:)", sandbox_port_,
        R"(", "api_key_env": "PAYVOX_CRASH_KEY", "read_per_second": 5000,)",
        R"("write_per_second": 5000, "endpoint_per_second": 5000, "warm_connections": 0},)",
        R"("policy": {"refunds": {"daily_limit": [{"currency": "usd", "amount_minor": )",
        kDailyLimit, "}]}}}");
  }

  void StartPayvoxd() {
    const std::string port_file = absl::StrCat(dir_, "/port-", ++starts_);
    payvoxd_process_ = std::make_unique<Process>(std::vector<std::string>{
        payvoxd_, "--config=" + dir_ + "/payvoxd.json", "--port_file=" + port_file});
    int port = 0;
    ASSERT_TRUE(WaitForPortFile(port_file, &port)) << "payvoxd did not start";
    auto channel =
        CreateAuthChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
                          {.tenant = kTenantToken, .operator_token = kOperatorToken});
    actions_ = v1::ActionService::NewStub(channel);
    admin_ = v1::AdminService::NewStub(channel);
  }

  grpc::Status Refund(const std::string& request_id, int64_t amount) {
    v1::CreateRefundRequest request;
    request.mutable_context()->set_call_id(kCall);
    request.mutable_context()->set_request_id(request_id);
    request.set_charge_id("ch_DemoJennyPlan");
    request.set_amount_minor(amount);
    v1::CreateRefundResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return actions_->CreateRefund(&context, request, &response);
  }

  std::string payvoxd_;
  std::string dir_;
  int sandbox_port_ = 0;
  int starts_ = 0;
  std::unique_ptr<Process> sandbox_;
  std::unique_ptr<Process> payvoxd_process_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(CrashRecoveryTest, AKilledPayvoxdLosesNoRefundFromTheTrail) {
  StartPayvoxd();
  {
    v1::VerifyIdentityRequest verify;
    verify.mutable_context()->set_call_id(kCall);
    verify.set_customer_id("cus_DemoJennyRosen");
    verify.set_last4("4242");
    v1::VerifyIdentityResponse verified;
    grpc::ClientContext context;
    ASSERT_TRUE(actions_->VerifyIdentity(&context, verify, &verified).ok());
    ASSERT_TRUE(verified.verified());
  }
  // Four senders refund 7 cents at a time until payvoxd dies under them.
  std::atomic<int> done{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (!Refund(absl::StrCat("load-", t, "-", i), 7).ok()) return;
        ++done;
      }
    });
  }
  while (done.load() < 30) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  payvoxd_process_->Kill(SIGKILL);
  for (std::thread& sender : senders) sender.join();

  StartPayvoxd();
  // Reconciliation runs in the background at startup: wait for it.
  std::vector<v1::AuditRecord> trail;
  for (int i = 0; i < 100; ++i) {
    trail = testing::ReadTrail(*admin_, "acme");
    std::set<int64_t> open;
    for (const v1::AuditRecord& record : trail) {
      if (record.kind() == "intent") open.insert(record.sequence());
      if (record.kind() == "completion") open.erase(record.completes_sequence());
    }
    if (open.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::set<int64_t> intents;
  std::map<std::string, int64_t> audited;  // refund id -> completion count
  int reconciled = 0;
  for (const v1::AuditRecord& record : trail) {
    if (record.kind() == "intent") intents.insert(record.sequence());
    if (record.kind() != "completion") continue;
    if (record.agent_id() == "payvox reconciler") ++reconciled;
    EXPECT_EQ(intents.erase(record.completes_sequence()), 1u) << record.ShortDebugString();
    if (record.ok()) ++audited[record.result()];
  }
  EXPECT_TRUE(intents.empty()) << intents.size() << " intents left open";
  // How many refunds the kill caught in flight (timing decides; usually some).
  RecordProperty("reconciled_after_kill", reconciled);

  const std::map<std::string, int64_t> ledger =
      testing::SandboxRefunds(sandbox_port_, "sk_test_crash", "ch_DemoJennyPlan");
  int64_t refunded = 0;
  for (const auto& [id, amount] : ledger) {
    EXPECT_EQ(audited[id], 1) << id << " is in Stripe's ledger but not once in the trail";
    refunded += amount;
  }
  EXPECT_EQ(audited.size(), ledger.size());
  EXPECT_GE(ledger.size(), 30u);

  v1::VerifyAuditChainRequest verify;
  verify.set_tenant_id("acme");
  v1::VerifyAuditChainResponse chain;
  grpc::ClientContext context;
  ASSERT_TRUE(admin_->VerifyAuditChain(&context, verify, &chain).ok());
  EXPECT_TRUE(chain.intact());

  // No reservation leaked: exactly the rest of the daily limit can still be refunded.
  const int64_t room = kDailyLimit - refunded;
  ASSERT_GT(room, 1);
  EXPECT_EQ(Refund("after-crash-over", room + 1).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status rest = Refund("after-crash-rest", room);
  EXPECT_TRUE(rest.ok()) << rest.error_message();
}

}  // namespace
}  // namespace payvox
