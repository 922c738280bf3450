// Call sessions end to end: payvoxd over gRPC against the sandbox, counting
// the requests the sandbox answered. After BeginCall the caller's reads need
// no Stripe request and the refund one; a webhook about a held charge is
// seen by the next read; EndCall ends the call's verification.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/emulator.h"
#include "tests/payvoxd_fixture.h"
#include "webhooks/signature.h"

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

class CallSessionTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "tenant_id": "acme", "policy": {"enabled_actions": ["all"]},
               "webhooks": {"listen_address": "127.0.0.1:0"}})";
  }

  int64_t SandboxRequests() const { return app_->sandbox_emulator()->RequestsHandled(); }

  v1::BeginCallResponse Begin(const std::string& call = "call-1") {
    v1::BeginCallRequest request;
    *request.mutable_context() = Context("", call);
    request.set_email("jenny.rosen@example.com");
    request.set_caller_phone("+14155550101");
    v1::BeginCallResponse response;
    const grpc::Status status = Invoke(&v1::ActionService::Stub::BeginCall, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Stripe's side, as a dashboard user would: straight to the sandbox.
  http::response<http::string_body> AtStripe(http::verb method, const std::string& target,
                                             const std::string& body = "") {
    const std::string url = app_->sandbox_url();
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(url.substr(url.rfind(':') + 1), &port));
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer sk_test_dashboard"}};
    if (method == http::verb::post) {
      headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return HttpExchange(port, method, target, body, headers);
  }

  // Deliver the sandbox's newest event of `type` to payvoxd, signed.
  void DeliverLatest(const std::string& type) {
    const std::string list =
        AtStripe(http::verb::get, absl::StrCat("/v1/events?limit=1&type=", type)).body();
    const size_t at = list.find("\"id\":\"evt_");
    ASSERT_NE(at, std::string::npos) << list;
    const std::string id = list.substr(at + 6, list.find('"', at + 6) - at - 6);
    const std::string event = AtStripe(http::verb::get, absl::StrCat("/v1/events/", id)).body();
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    const auto delivered = HttpExchange(
        app_->webhook_port(), http::verb::post, "/v1/webhooks/stripe/acme", event,
        {{"Stripe-Signature",
          absl::StrCat("t=", now,
                       ",v1=", webhooks::SignPayload("whsec_payvox_sandbox", now, event))},
         {"Content-Type", "application/json"}});
    ASSERT_EQ(delivered.result(), http::status::ok) << delivered.body();
  }
};

TEST_F(CallSessionTest, AfterBeginCallVerifyAndListChargesSendNothingAndTheRefundOneRequest) {
  const v1::BeginCallResponse begun = Begin();
  EXPECT_EQ(begun.match_count(), 1);
  EXPECT_EQ(begun.customer().id(), "cus_DemoJennyRosen");
  EXPECT_TRUE(begun.card_on_file());
  EXPECT_GE(begun.recent_charges(), 3);
  EXPECT_TRUE(begun.prefetch_complete());

  const int64_t before = SandboxRequests();
  VerifyJenny();
  const v1::ListChargesResponse charges = Charges("cus_DemoJennyRosen");
  ASSERT_GT(charges.charges_size(), 0);
  v1::FindCustomerRequest find;
  *find.mutable_context() = Context();
  find.set_email("jenny.rosen@example.com");
  v1::FindCustomerResponse found;
  ASSERT_TRUE(Invoke(&v1::ActionService::Stub::FindCustomer, find, &found).ok());
  EXPECT_EQ(SandboxRequests(), before);

  v1::CreateRefundResponse refund;
  const grpc::Status refunded = Refund("r-1", "ch_DemoJennyDuplicate", 0, &refund);
  ASSERT_TRUE(refunded.ok()) << refunded.error_message();
  EXPECT_EQ(SandboxRequests(), before + 1);
  // The session holds the refund on its charge: the next read says so and
  // asks nothing.
  bool seen = false;
  const v1::ListChargesResponse after = Charges("cus_DemoJennyRosen");
  for (const v1::Charge& charge : after.charges()) {
    if (charge.id() == "ch_DemoJennyDuplicate") seen = charge.refunded();
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(SandboxRequests(), before + 1);
}

TEST_F(CallSessionTest, AWebhookAboutAHeldChargeIsSeenByTheNextRead) {
  Begin();
  ASSERT_FALSE(Charges("cus_DemoJennyRosen").charges().empty());
  // Refunded in Stripe's dashboard, not through payvox.
  ASSERT_EQ(AtStripe(http::verb::post, "/v1/refunds", "charge=ch_DemoJennyPlan").result(),
            http::status::ok);
  auto refunded_in = [&](const v1::ListChargesResponse& list) {
    for (const v1::Charge& charge : list.charges()) {
      if (charge.id() == "ch_DemoJennyPlan") return charge.refunded();
    }
    return false;
  };
  // Until its webhook arrives the session does not know (the documented
  // window, bounded by the freshness limit).
  EXPECT_FALSE(refunded_in(Charges("cus_DemoJennyRosen")));
  DeliverLatest("charge.refunded");
  const int64_t before = SandboxRequests();
  EXPECT_TRUE(refunded_in(Charges("cus_DemoJennyRosen")));
  EXPECT_EQ(SandboxRequests(), before + 1);  // fetched again, once
}

TEST_F(CallSessionTest, EndCallEndsTheCallsVerification) {
  Begin();
  VerifyJenny();
  v1::EndCallRequest end;
  *end.mutable_context() = Context();
  v1::EndCallResponse ended;
  ASSERT_TRUE(Invoke(&v1::ActionService::Stub::EndCall, end, &ended).ok());
  v1::CreateRefundResponse refund;
  const grpc::Status refused = Refund("r-1", "ch_DemoJennyDuplicate", 0, &refund);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailOf(refused).reason(), "needs_verification");
}

TEST_F(CallSessionTest, ACallOnAnotherReplicaOrWithoutBeginCallIsAnsweredFromStripe) {
  const int64_t before = SandboxRequests();
  VerifyJenny("call-elsewhere");
  EXPECT_EQ(SandboxRequests(), before + 2);  // the cards and the charges
}

}  // namespace
}  // namespace payvox::testing
