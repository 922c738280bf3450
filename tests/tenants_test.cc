// Multi-tenancy end to end: bearer tokens (missing, wrong, another
// tenant's, the operator's), tenants created and connected by the operator
// (publishable keys refused, restricted-key permissions probed, nothing
// stored when the probe fails), token rotation with an overlap, every
// ActionService RPC walked with another tenant's token and ids (nothing
// crosses), and the Stripe keys absent from everything payvoxd wrote.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "app/app.h"
#include "app/config.h"
#include "common/sandbox_tokens.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tools/auth_channel.h"

namespace payvox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTenantToken[] = "pvxt_acme.tenants-test-token-0123456789abcdefghij";
constexpr char kOperatorToken[] = "pvxo_tenants-test-operator-0123456789abcdef";
// globex's keys reach an empty sandbox account of its own.
constexpr char kGlobexKey[] = "rk_test_tenant_globex_deny_coupons";

class TenantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::ServerConfig> config = ParseConfig(
        R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
            "tenant_id": "acme", "metrics_listen_address": "127.0.0.1:0"})");
    ASSERT_TRUE(config.ok()) << config.status();
    logger_ = std::make_unique<Logger>(log_, clock_, LogLevel::kDebug);
    absl::StatusOr<std::unique_ptr<PayvoxApp>> app =
        PayvoxApp::Start({.config = *config,
                          .sandbox = true,
                          .sandbox_seed = 5,
                          .tenant_token = kTenantToken,
                          .operator_token = kOperatorToken,
                          .logger = logger_.get()},
                         clock_);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    admin_ = v1::AdminService::NewStub(Channel("", kOperatorToken));
  }
  void TearDown() override {
    if (app_) app_->Shutdown();
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& tenant_token,
                                         const std::string& operator_token = "") {
    return CreateAuthChannel(absl::StrCat("127.0.0.1:", app_->grpc_port()),
                             grpc::InsecureChannelCredentials(),
                             {.tenant = tenant_token, .operator_token = operator_token});
  }

  static std::unique_ptr<grpc::ClientContext> Deadline() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  grpc::Status FindJenny(const std::string& token) {
    auto stub = v1::ActionService::NewStub(Channel(token));
    v1::FindCustomerRequest request;
    request.mutable_context()->set_call_id("call-t");
    request.set_email("jenny.rosen@example.com");
    v1::FindCustomerResponse response;
    return stub->FindCustomer(Deadline().get(), request, &response);
  }

  // CreateGlobex creates and connects tenant globex; returns its token.
  std::string CreateGlobex() {
    v1::CreateTenantRequest create;
    create.set_tenant_id("globex");
    create.set_display_name("Globex");
    v1::CreateTenantResponse created;
    grpc::Status status = admin_->CreateTenant(Deadline().get(), create, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::ConnectStripeRequest connect;
    connect.set_tenant_id("globex");
    connect.set_api_key(kGlobexKey);
    v1::ConnectStripeResponse connected;
    status = admin_->ConnectStripe(Deadline().get(), connect, &connected);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(connected.mode(), "test");
    return created.token();
  }

  SystemClock clock_;
  std::ostringstream log_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<PayvoxApp> app_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(TenantsTest, CallsNeedTheRightToken) {
  EXPECT_TRUE(FindJenny(kTenantToken).ok());
  for (const std::string& token :
       {std::string(""), std::string("pvxt_acme.wrong-token-0123456789abcdefghijklmn"),
        std::string("pvxt_nobody.x"), std::string(kOperatorToken), std::string("garbage")}) {
    const grpc::Status status = FindJenny(token);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    EXPECT_FALSE(absl::StrContains(status.error_message(), "acme")) << status.error_message();
  }
  // AdminService takes the operator token only.
  auto as_tenant = v1::AdminService::NewStub(Channel("", kTenantToken));
  v1::GetPolicyRequest policy;
  policy.set_tenant_id("acme");
  v1::GetPolicyResponse got;
  EXPECT_EQ(as_tenant->GetPolicy(Deadline().get(), policy, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(admin_->GetPolicy(Deadline().get(), policy, &got).ok());
  // EventService too.
  auto events = v1::EventService::NewStub(Channel("pvxt_acme.nope"));
  grpc::ClientContext stream;
  auto reader = events->Subscribe(&stream, v1::SubscribeRequest());
  v1::PaymentEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TenantsTest, ConnectStripeRefusesPublishableKeysAndStoresNothingWhenTheProbeFails) {
  v1::CreateTenantRequest create;
  create.set_tenant_id("globex");
  v1::CreateTenantResponse created;
  ASSERT_TRUE(admin_->CreateTenant(Deadline().get(), create, &created).ok());
  EXPECT_THAT(created.token(), ::testing::StartsWith("pvxt_globex."));
  EXPECT_EQ(admin_->CreateTenant(Deadline().get(), create, &created).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  create.set_tenant_id("Bad Id");
  EXPECT_EQ(admin_->CreateTenant(Deadline().get(), create, &created).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Not connected yet: the tenant authenticates, but has nothing to act on.
  EXPECT_EQ(FindJenny(created.token()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::ConnectStripeRequest connect;
  connect.set_tenant_id("globex");
  v1::ConnectStripeResponse connected;
  connect.set_api_key("pk_test_tenant_globex_publishable");
  grpc::Status status = admin_->ConnectStripe(Deadline().get(), connect, &connected);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("publishable"));
  EXPECT_THAT(status.error_message(), HasSubstr("secret key"));
  EXPECT_FALSE(absl::StrContains(status.error_message(), "pk_test_tenant"));
  // A restricted key that cannot read refunds, which every tenant needs.
  connect.set_api_key("rk_test_tenant_globex_deny_refunds.charges");
  status = admin_->ConnectStripe(Deadline().get(), connect, &connected);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("charges, refunds"));
  EXPECT_THAT(status.error_message(), HasSubstr("nothing was stored"));
  EXPECT_EQ(FindJenny(created.token()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // One that cannot read coupons, which globex's actions do not use: stored,
  // and reported.
  connect.set_api_key(kGlobexKey);
  status = admin_->ConnectStripe(Deadline().get(), connect, &connected);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(connected.mode(), "test");
  EXPECT_THAT(connected.missing_permissions(), ::testing::ElementsAre("coupons"));
  // Connected to its own (empty) account: no Jenny there, and the mode is
  // named.
  status = FindJenny(created.token());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("test mode"));
}

TEST_F(TenantsTest, RotatedTokensOverlapThenTheOldOneStops) {
  const std::string first = CreateGlobex();
  v1::RotateTenantTokenRequest rotate;
  rotate.set_tenant_id("globex");
  rotate.set_overlap_seconds(1);
  v1::RotateTenantTokenResponse rotated;
  ASSERT_TRUE(admin_->RotateTenantToken(Deadline().get(), rotate, &rotated).ok());
  EXPECT_NE(rotated.token(), first);
  EXPECT_EQ(FindJenny(first).error_code(), grpc::StatusCode::NOT_FOUND);  // still accepted
  EXPECT_EQ(FindJenny(rotated.token()).error_code(), grpc::StatusCode::NOT_FOUND);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(FindJenny(first).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(FindJenny(rotated.token()).error_code(), grpc::StatusCode::NOT_FOUND);
  rotate.set_tenant_id("acme");  // its token comes from the config
  EXPECT_EQ(admin_->RotateTenantToken(Deadline().get(), rotate, &rotated).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// Fill sets every id-like field of a request to one of acme's objects.
void Fill(google::protobuf::Message& message) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  static const std::map<std::string, std::string> kAcme = {
      {"customer_id", "cus_DemoJennyRosen"},
      {"charge_id", "ch_DemoJennyDuplicate"},
      {"payment_id", "ch_DemoJennyDuplicate"},
      {"refund_charge_id", "ch_DemoJennyDuplicate"},
      {"subscription_id", "sub_DemoJennyPro"},
      {"invoice_id", "in_DemoJennyNovember"},
      {"email", "jenny.rosen@example.com"},
      {"last4", "4242"},
      {"payment_intent_id", "pi_DemoSamHold"},
      {"refund_id", "re_DemoNone"},
      {"new_price_id", "price_DemoTeamMonthly"},
      {"price_id", "price_DemoProMonthly"},
      {"currency", "usd"},
      {"description", "cross-tenant walk"},
      {"action", "get_customer"},
      {"arguments_json", R"({"customer_id":"cus_DemoJennyRosen"})"}};
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) continue;
    if (field->name() == "context") {
      auto* context = reflection->MutableMessage(&message, field);
      context->GetReflection()->SetString(
          context, context->GetDescriptor()->FindFieldByName("call_id"), "call-walk");
      context->GetReflection()->SetString(context,
                                          context->GetDescriptor()->FindFieldByName("request_id"),
                                          absl::StrCat("walk-", descriptor->name()));
      context->GetReflection()->SetBool(
          context, context->GetDescriptor()->FindFieldByName("confirmed"), true);
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (auto it = kAcme.find(field->name()); it != kAcme.end()) {
        reflection->SetString(&message, field, it->second);
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_INT64 &&
               absl::StrContains(field->name(), "amount")) {
      reflection->SetInt64(&message, field, 500);
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
               field->message_type()->name() == "Money") {
      auto* money = reflection->MutableMessage(&message, field);
      money->GetReflection()->SetInt64(
          money, money->GetDescriptor()->FindFieldByName("amount_minor"), 500);
      money->GetReflection()->SetString(money, money->GetDescriptor()->FindFieldByName("currency"),
                                        "usd");
    }
  }
}

TEST_F(TenantsTest, EveryActionWithAnotherTenantsTokenSeesNothingOfTheFirst) {
  const std::string globex = CreateGlobex();
  auto stub = v1::ActionService::NewStub(Channel(globex));
  using Call = std::function<std::pair<grpc::Status, std::string>()>;
#define PAYVOX_WALK(Rpc)                                                  \
  {                                                                       \
#Rpc, [&] {                                                             \
     v1::Rpc##Request request;                                             \
     Fill(request);                                                        \
     v1::Rpc##Response response;                                           \
     grpc::Status status = stub->Rpc(Deadline().get(), request, &response); \
     return std::make_pair(status, response.DebugString());                \
   } \
  }
  const std::vector<std::pair<std::string, Call>> calls = {
      PAYVOX_WALK(FindCustomer),
      PAYVOX_WALK(VerifyIdentity),
      PAYVOX_WALK(ListCharges),
      PAYVOX_WALK(GetPayment),
      PAYVOX_WALK(FindDuplicateCharges),
      PAYVOX_WALK(CreateRefund),
      PAYVOX_WALK(GetRefund),
      PAYVOX_WALK(ListRefunds),
      PAYVOX_WALK(CreateCoupon),
      PAYVOX_WALK(ListSubscriptions),
      PAYVOX_WALK(GetSubscription),
      PAYVOX_WALK(CancelSubscription),
      PAYVOX_WALK(PauseSubscription),
      PAYVOX_WALK(ResumeSubscription),
      PAYVOX_WALK(ChangeSubscriptionPlan),
      PAYVOX_WALK(ListInvoices),
      PAYVOX_WALK(GetInvoice),
      PAYVOX_WALK(GetUpcomingInvoice),
      PAYVOX_WALK(SendInvoice),
      PAYVOX_WALK(VoidInvoice),
      PAYVOX_WALK(CreateInvoice),
      PAYVOX_WALK(FinalizeInvoice),
      PAYVOX_WALK(CreatePaymentLink),
      PAYVOX_WALK(CreatePortalSession),
      PAYVOX_WALK(StartSecurePayment),
      PAYVOX_WALK(Execute),
  };
#undef PAYVOX_WALK
  ASSERT_EQ(calls.size(), 26u);
  int not_found = 0;
  for (const auto& [name, call] : calls) {
    const auto [status, response] = call();
    // What acme's account holds that the request did not name: her name,
    // her card, her plan, her other objects.
    for (const char* acme : {"Jenny Rosen", "Visa", "4242", "Pro plan", "DemoSam", "$49.00",
                             "ch_DemoJennyPlan", "ch_DemoSamLunch"}) {
      EXPECT_FALSE(absl::StrContains(response, acme)) << name << ": " << response;
      EXPECT_FALSE(absl::StrContains(status.error_message(), acme))
          << name << ": " << status.error_message();
    }
    // Answered from globex's own account: never an acme object, and never
    // a write to one (checked below).
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) ++not_found;
  }
  // The lookups of acme's customer, charges, subscriptions and invoices
  // find nothing.
  EXPECT_GE(not_found, 12);
  // acme's objects are untouched: its subscription is still active and its
  // duplicate charge unrefunded.
  auto acme = v1::ActionService::NewStub(Channel(kTenantToken));
  v1::GetSubscriptionRequest get;
  get.mutable_context()->set_call_id("call-acme");
  get.set_subscription_id("sub_DemoJennyPro");
  v1::GetSubscriptionResponse subscription;
  ASSERT_TRUE(acme->GetSubscription(Deadline().get(), get, &subscription).ok());
  EXPECT_EQ(subscription.subscription().status(), v1::SUBSCRIPTION_STATUS_ACTIVE);
  EXPECT_FALSE(subscription.subscription().cancel_at_period_end());
  // Admin reads are per tenant too: globex's audit trail holds only its
  // own operator records.
  v1::QueryAuditRequest audit;
  audit.set_tenant_id("globex");
  v1::QueryAuditResponse records;
  ASSERT_TRUE(admin_->QueryAudit(Deadline().get(), audit, &records).ok());
  for (const v1::AuditRecord& record : records.records()) {
    EXPECT_EQ(record.tenant_id(), "globex");
    EXPECT_FALSE(record.ok() && record.kind() == "completion") << record.DebugString();
  }
}

TEST_F(TenantsTest, StripeKeysAppearNowhereInWhatPayvoxdWrote) {
  CreateGlobex();
  v1::QueryAuditRequest audit;
  audit.set_tenant_id("globex");
  v1::QueryAuditResponse records;
  ASSERT_TRUE(admin_->QueryAudit(Deadline().get(), audit, &records).ok());
  EXPECT_THAT(records.DebugString(), HasSubstr("connect_stripe"));
  const std::string metrics =
      HttpExchange(app_->metrics_port(), boost::beast::http::verb::get, "/metrics").body();
  for (const std::string& written : {log_.str(), records.DebugString(), metrics}) {
    for (const char* secret : {kGlobexKey, "tenant_globex_deny", "sk_test_payvox_sandbox",
                               kTenantToken, kOperatorToken}) {
      EXPECT_FALSE(absl::StrContains(written, secret)) << secret;
    }
  }
  EXPECT_THAT(log_.str(), HasSubstr("payvoxd started"));
}

TEST_F(TenantsTest, EveryCallAndStripeRequestIsLoggedWithoutItsSecrets) {
  ASSERT_TRUE(FindJenny(kTenantToken).ok());
  EXPECT_EQ(FindJenny("pvxt_acme.wrong-token-0123456789abcdefghijklmn").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  CreateGlobex();  // admin changes
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr(R"("level":"info","msg":"rpc","method":"/payvox.v1.ActionService/)"
                             R"(FindCustomer","code":"OK","outcome":"ok")"));
  EXPECT_THAT(log, HasSubstr(R"("tenant":"acme","call_id":"call-t")"));
  EXPECT_THAT(log, HasSubstr(R"("level":"warning","msg":"rpc","method":"/payvox.v1.ActionService/)"
                             R"(FindCustomer","code":"UNAUTHENTICATED")"));
  EXPECT_THAT(log, HasSubstr(R"("method":"/payvox.v1.AdminService/CreateTenant","code":"OK")"));
  EXPECT_THAT(log, HasSubstr(R"("method":"/payvox.v1.AdminService/ConnectStripe","code":"OK")"));
  EXPECT_THAT(log, HasSubstr(R"("tenant":"globex")"));
  // Stripe's requests, at debug, by path template.
  EXPECT_THAT(log, HasSubstr(R"("msg":"stripe request","method":"GET","path":"/v1/customers")"));
  EXPECT_THAT(log, Not(HasSubstr("jenny.rosen@example.com")));
  EXPECT_THAT(log, Not(HasSubstr("wrong-token")));
}

}  // namespace
}  // namespace payvox::testing
