// gateway_flow_test.cc: the HTTP front door of a running payvoxd --sandbox,
// face by face, with the platforms' documented bodies
// (tests/fuzz/corpus/*_envelope/), against the same core as gRPC.
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/hmac.h"
#include "common/testing/http_exchange.h"
#include "tests/json_at.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Fixture(const std::string& path) {
  std::ifstream in(absl::StrCat(PAYVOX_CORPUS_DIR, "/", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string At(const std::string& json, const std::string& pointer) {
  return JsonAt(json, pointer);
}

constexpr char kRetellKey[] = "key_payvox_sandbox_retell";

class GatewayTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "policy": {"confirmed_actions": ["create_refund"],
                          "enabled_actions": ["view_payments", "view_refunds", "full_refunds",
                                              "partial_refunds", "view_subscriptions",
                                              "cancel_subscriptions", "view_invoices"]},
               "gateway": {"listen_address": "127.0.0.1:0",
                           "tenants": [{"tenant_id": "default",
                                        "vapi_assistant_id": "asst_payvox"}]}})";
  }

  HttpResponse Send(http::verb method, const std::string& target, const std::string& body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    bool authorized = true) {
    if (authorized) {
      headers.emplace_back("Authorization", absl::StrCat("Bearer ", SandboxTenantToken("default")));
    }
    return HttpExchange(app_->gateway_port(), method, target, body, headers);
  }

  HttpResponse Tool(const std::string& name, const std::string& arguments,
                    const std::string& request_id = "", const std::string& call = "call-1") {
    std::vector<std::pair<std::string, std::string>> headers = {{"X-Call-Id", call}};
    if (!request_id.empty()) headers.emplace_back("X-Request-Id", request_id);
    return Send(http::verb::post, "/v1/actions/" + name, arguments, headers);
  }

  HttpResponse Retell(const std::string& target, const std::string& body,
                      absl::Time signed_at = absl::Now()) {
    const std::string millis = absl::StrCat(absl::ToUnixMillis(signed_at));
    const std::string signature =
        absl::StrCat("v=", millis, ",d=", HmacSha256Hex(kRetellKey, body + millis));
    return Send(http::verb::post, target, body, {{"X-Retell-Signature", signature}}, false);
  }

  HttpResponse Mcp(const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Accept", "application/json, text/event-stream");
    headers.emplace_back("Content-Type", "application/json");
    return Send(http::verb::post, "/mcp", body, headers);
  }

  int RefundsOf(const std::string& charge) {
    v1::ListRefundsRequest request;
    *request.mutable_context() = Context();
    request.set_charge_id(charge);
    v1::ListRefundsResponse response;
    EXPECT_TRUE(Invoke(&v1::ActionService::Stub::ListRefunds, request, &response).ok());
    return response.refunds_size();
  }
};

TEST_F(GatewayTest, RestListsTheCatalogInEachFormat) {
  EXPECT_EQ(Send(http::verb::get, "/v1/actions", "", {}, false).result_int(), 401);
  const HttpResponse native = Send(http::verb::get, "/v1/actions");
  ASSERT_EQ(native.result_int(), 200) << native.body();
  EXPECT_EQ(At(native.body(), "/tools/0/name"), "find_customer");
  EXPECT_THAT(native.body(), HasSubstr(R"("name":"create_refund")"));
  EXPECT_THAT(native.body(), Not(HasSubstr(R"("name":"create_price")")));  // not enabled
  const HttpResponse openai = Send(http::verb::get, "/v1/actions?format=openai");
  EXPECT_EQ(At(openai.body(), "/tools/0/type"), "function");
  EXPECT_EQ(At(openai.body(), "/tools/0/function/parameters/type"), "object");
  const HttpResponse anthropic = Send(http::verb::get, "/v1/actions?format=anthropic");
  EXPECT_EQ(At(anthropic.body(), "/tools/0/input_schema/type"), "object");
  // Lists are kept per tenant and format (ToolRunner::Tools): the one kept
  // is never served once the policy changed.
  EXPECT_EQ(Send(http::verb::get, "/v1/actions").body(), native.body());
  v1::SetPolicyRequest set;
  set.set_tenant_id("default");
  set.mutable_policy()->add_enabled_actions("view_payments");
  v1::SetPolicyResponse set_response;
  ASSERT_TRUE(Admin(&v1::AdminService::Stub::SetPolicy, set, &set_response).ok());
  const HttpResponse narrowed = Send(http::verb::get, "/v1/actions?format=openai");
  EXPECT_THAT(narrowed.body(), HasSubstr(R"("name":"list_charges")"));
  EXPECT_THAT(narrowed.body(), Not(HasSubstr(R"("name":"create_refund")")));
}

// Its own logger, read once payvoxd stopped; the other tests log to
// standard error, where the test command's secret scan reads them.
class GatewayLogTest : public GatewayTest {
 protected:
  Logger* TestLogger() override { return &logger_; }
  std::ostringstream log_;
  Logger logger_{log_, clock_, LogLevel::kInfo};
};

TEST_F(GatewayLogTest, EachRequestAndToolCallIsLogged) {
  ASSERT_EQ(Tool("list_charges", R"({"customer_id":"cus_DemoJennyRosen"})", "r-log").result_int(),
            200);
  EXPECT_EQ(Send(http::verb::get, "/v1/actions", "", {}, false).result_int(), 401);
  app_->Shutdown();
  const std::string lines = log_.str();
  EXPECT_THAT(lines, HasSubstr(R"("level":"info","msg":"tool call","face":"rest",)"
                               R"("action":"list_charges","tenant":"default","call_id":"call-1",)"
                               R"("request_id":"r-log","code":"OK")"));
  EXPECT_THAT(lines, HasSubstr(R"("level":"info","msg":"http","face":"rest","method":"POST",)"
                               R"("status":"200")"));
  EXPECT_THAT(lines, HasSubstr(R"("level":"warning","msg":"http","face":"rest","method":"GET",)"
                               R"("status":"401")"));
  EXPECT_THAT(lines, Not(HasSubstr("pvxt_default.")));
}

TEST_F(GatewayTest, RestRunsActionsAndNamesBadInput) {
  const HttpResponse charges =
      Tool("list_charges", R"({"customer_id":"cus_DemoJennyRosen","limit":5})");
  ASSERT_EQ(charges.result_int(), 200) << charges.body();
  EXPECT_THAT(At(charges.body(), "/charges"), HasSubstr("ch_DemoJennyPlan"));
  EXPECT_THAT(At(charges.body(), "/say"), Not(HasSubstr("<missing>")));

  EXPECT_EQ(Tool("refund_everything", "{}").result_int(), 404);
  const HttpResponse malformed = Tool("list_charges", R"({"customer_id":)");
  EXPECT_EQ(malformed.result_int(), 400);
  EXPECT_THAT(malformed.body(), HasSubstr("not valid JSON"));
  const HttpResponse no_call = Send(http::verb::post, "/v1/actions/list_charges", "{}");
  EXPECT_EQ(no_call.result_int(), 400);
  EXPECT_THAT(no_call.body(), HasSubstr("no call id"));
  const HttpResponse card = Tool("find_customer", R"({"email":"4242 4242 4242 4242@example.com"})");
  EXPECT_EQ(card.result_int(), 400);
  EXPECT_THAT(card.body(), HasSubstr("card number"));
  EXPECT_THAT(card.body(), Not(HasSubstr("4242 4242")));
  EXPECT_EQ(Send(http::verb::get, "/v1/actions/list_charges").result_int(), 405);
  EXPECT_EQ(Send(http::verb::get, "/elsewhere").result_int(), 404);
}

TEST_F(GatewayTest, OnlyTheTokenPayvoxGaveConfirmsAWrite) {
  ASSERT_EQ(Tool("verify_identity", R"({"customer_id":"cus_DemoJennyRosen","last4":"4242"})")
                .result_int(),
            200);
  const std::string refund = R"({"charge_id":"ch_DemoJennyDuplicate","amount_minor":4900,
                                 "reason":"duplicate"})";
  // The model saying it is confirmed proves nothing.
  const HttpResponse asked =
      Tool("create_refund", R"({"charge_id":"ch_DemoJennyDuplicate","amount_minor":4900,
                                "reason":"duplicate","confirmed":true})");
  EXPECT_EQ(asked.result_int(), 400) << asked.body();  // not in the schema
  const HttpResponse question = Tool("create_refund", refund, "r-ask");
  ASSERT_EQ(question.result_int(), 200) << question.body();
  EXPECT_EQ(At(question.body(), "/needs_confirmation"), "true");
  EXPECT_EQ(At(question.body(), "/say"),
            "Just to confirm: shall I refund $49.00 to your Visa ending in 4242?");
  const std::string token = At(question.body(), "/confirmation_token");
  ASSERT_THAT(token, ::testing::StartsWith("pvxc_"));
  EXPECT_EQ(RefundsOf("ch_DemoJennyDuplicate"), 0);

  auto with_token = [&](const std::string& arguments, const std::string& t) {
    std::string json = arguments;
    json.insert(json.find('{') + 1, absl::StrCat("\"confirmation_token\":\"", t, "\","));
    return json;
  };
  // Another amount, another call: refused.
  const HttpResponse other_amount =
      Tool("create_refund",
           with_token(R"({"charge_id":"ch_DemoJennyDuplicate","amount_minor":100,
                          "reason":"duplicate"})",
                      token),
           "r-1");
  EXPECT_EQ(At(other_amount.body(), "/reason"), "confirmation_token_invalid");
  EXPECT_EQ(At(Tool("create_refund", with_token(refund, token), "r-1", "call-2").body(), "/reason"),
            "confirmation_token_invalid");
  EXPECT_EQ(RefundsOf("ch_DemoJennyDuplicate"), 0);

  // The token with its own arguments (spelled in another key order) commits.
  const HttpResponse done = Tool("create_refund",
                                 with_token(R"({"reason":"duplicate","amount_minor":4900,
                          "charge_id":"ch_DemoJennyDuplicate"})",
                                            token),
                                 "r-1");
  ASSERT_EQ(done.result_int(), 200) << done.body();
  EXPECT_THAT(At(done.body(), "/refund/id"), ::testing::StartsWith("re_"));
  // The platform's retry of that request gets the same answer; another
  // request with the used token is refused.
  const HttpResponse retried = Tool("create_refund", with_token(refund, token), "r-1");
  EXPECT_EQ(At(retried.body(), "/refund/id"), At(done.body(), "/refund/id"));
  EXPECT_EQ(At(Tool("create_refund", with_token(refund, token), "r-2").body(), "/reason"),
            "confirmation_token_used");
  EXPECT_EQ(RefundsOf("ch_DemoJennyDuplicate"), 1);

  // The face is in the audit trail.
  v1::QueryAuditRequest query;
  query.set_tenant_id("default");
  query.set_action("create_refund");
  v1::QueryAuditResponse audit;
  ASSERT_TRUE(Admin(&v1::AdminService::Stub::QueryAudit, query, &audit).ok());
  ASSERT_GT(audit.records_size(), 0);
  EXPECT_EQ(audit.records(audit.records_size() - 1).agent_id(), "rest");
}

TEST_F(GatewayTest, VapiToolCallsInEveryShapeAnswerInOrder) {
  const std::string target = "/vapi/default";
  EXPECT_EQ(
      Send(http::verb::post, target, Fixture("vapi_envelope/tool_calls_arguments.json"), {}, false)
          .result_int(),
      401);
  EXPECT_EQ(
      Send(http::verb::post, "/vapi/nobody", Fixture("vapi_envelope/tool_calls_arguments.json"))
          .result_int(),
      404);
  const HttpResponse two = Send(
      http::verb::post, target,
      absl::StrReplaceAll(Fixture("vapi_envelope/tool_calls_arguments.json"),
                          {{"cus_1", "cus_DemoJennyRosen"}, {"+14155550123", "+14155550101"}}));
  ASSERT_EQ(two.result_int(), 200) << two.body();
  EXPECT_EQ(At(two.body(), "/results/0/toolCallId"), "toolu_02");
  EXPECT_THAT(At(two.body(), "/results/0/result"), HasSubstr("cus_DemoJennyRosen"));
  EXPECT_EQ(At(two.body(), "/results/1/toolCallId"), "toolu_03");
  EXPECT_THAT(At(two.body(), "/results/1/result"), HasSubstr("ch_DemoJennyPlan"));
  EXPECT_THAT(two.body(), Not(HasSubstr("\\n")));

  // The legacy X-Vapi-Secret, and Vapi's OpenAI-style shape: a refund the
  // policy wants confirmed is a result asking for it.
  const HttpResponse function =
      Send(http::verb::post, target,
           absl::StrReplaceAll(Fixture("vapi_envelope/tool_calls_function.json"),
                               {{"ch_1", "ch_DemoJennyPlan"}}),
           {{"X-Vapi-Secret", SandboxTenantToken("default")}}, false);
  ASSERT_EQ(function.result_int(), 200) << function.body();
  EXPECT_EQ(At(function.body(), "/results/0/toolCallId"), "call_Yk3z");
  EXPECT_THAT(At(function.body(), "/results/0/error"), HasSubstr("needs_verification"));

  // A call or tool call id with a card-number-like digit run (a UUID of
  // digits can be one) is still an id (hashed), not a refusal.
  const HttpResponse digits =
      Send(http::verb::post, target,
           R"({"message":{"type":"tool-calls","call":{"id":"4242-4242-4242-4242"},)"
           R"("toolCallList":[{"id":"call_4242424242424242",)"
           R"("name":"list_charges","parameters":{"customer_id":"cus_DemoJennyRosen"}}]}})");
  EXPECT_EQ(At(digits.body(), "/results/0/toolCallId"), "call_4242424242424242");
  EXPECT_THAT(At(digits.body(), "/results/0/result"), HasSubstr("ch_DemoJennyPlan"));

  const HttpResponse legacy =
      Send(http::verb::post, target,
           absl::StrReplaceAll(Fixture("vapi_envelope/function_call.json"),
                               {{"jenny@example.com", "jenny.rosen@example.com"}}));
  EXPECT_THAT(At(legacy.body(), "/result"), HasSubstr("cus_DemoJennyRosen"));
  const HttpResponse unknown = Send(
      http::verb::post, target,
      R"({"message":{"type":"tool-calls","call":{"id":"c"},"toolCallList":[{"id":"t1","name":"nope"}]}})");
  EXPECT_EQ(unknown.result_int(), 200);
  EXPECT_THAT(At(unknown.body(), "/results/0/error"), HasSubstr("no tool is named"));
  EXPECT_EQ(Send(http::verb::post, target, "{").result_int(), 400);
}

TEST_F(GatewayTest, VapiAssistantRequestStartsTheCallsSession) {
  const HttpResponse start =
      Send(http::verb::post, "/vapi/default",
           absl::StrReplaceAll(Fixture("vapi_envelope/assistant_request.json"),
                               {{"+14155550123", "+14155550101"}}));
  ASSERT_EQ(start.result_int(), 200) << start.body();
  EXPECT_EQ(At(start.body(), "/assistantId"), "asst_payvox");
  EXPECT_EQ(At(start.body(), "/assistantOverrides/variableValues/payvox_match_count"), "1");
  EXPECT_EQ(At(start.body(), "/assistantOverrides/variableValues/payvox_customer_name"),
            "Jenny Rosen");
  const HttpResponse ended =
      Send(http::verb::post, "/vapi/default", Fixture("vapi_envelope/end_of_call_report.json"));
  EXPECT_EQ(ended.result_int(), 200);
  EXPECT_EQ(ended.body(), "{}");
}

TEST_F(GatewayTest, RetellIsSignedAndItsRetriesAreOneWrite) {
  const std::string inbound = absl::StrReplaceAll(Fixture("retell_envelope/call_inbound.json"),
                                                  {{"+14155550123", "+14155550101"}});
  EXPECT_EQ(Send(http::verb::post, "/retell/default/webhook", inbound, {}, false).result_int(),
            401);
  EXPECT_EQ(Retell("/retell/default/webhook", inbound, absl::Now() - absl::Minutes(6)).result_int(),
            401);
  const HttpResponse started = Retell("/retell/default/webhook", inbound);
  ASSERT_EQ(started.result_int(), 200) << started.body();
  const std::string call = At(started.body(), "/call_inbound/dynamic_variables/payvox_call_id");
  ASSERT_THAT(call, ::testing::StartsWith("rtl_"));
  EXPECT_EQ(At(started.body(), "/call_inbound/dynamic_variables/payvox_customer_name"),
            "Jenny Rosen");

  auto function = [&](const std::string& name, const std::string& args) {
    return absl::StrCat(R"({"name":")", name, R"(","call":{"call_id":"retell_1",)",
                        R"("retell_llm_dynamic_variables":{"payvox_call_id":")", call,
                        R"("}},"args":)", args, "}");
  };
  const HttpResponse verified =
      Retell("/retell/default/function",
             function("verify_identity", R"({"customer_id":"cus_DemoJennyRosen","last4":"4242"})"));
  ASSERT_EQ(verified.result_int(), 200) << verified.body();
  EXPECT_EQ(At(verified.body(), "/verified"), "true");
  // Retell retries a function with the same body: both are one request.
  const std::string cancel = function(
      "cancel_subscription", R"({"subscription_id":"sub_DemoJennyPro","reason":"too expensive"})");
  const HttpResponse first = Retell("/retell/default/function", cancel);
  const HttpResponse retry = Retell("/retell/default/function", cancel);
  EXPECT_EQ(At(first.body(), "/needs_confirmation"), "true") << first.body();
  // A retry of the question asks again with a token of its own.
  EXPECT_EQ(At(retry.body(), "/needs_confirmation"), "true");
  const std::string token = At(retry.body(), "/confirmation_token");
  const std::string commit =
      function("cancel_subscription",
               absl::StrCat(R"({"subscription_id":"sub_DemoJennyPro","reason":"too expensive",)",
                            R"("confirmation_token":")", token, R"("})"));
  const HttpResponse done = Retell("/retell/default/function", commit);
  ASSERT_EQ(done.result_int(), 200) << done.body();
  const HttpResponse again = Retell("/retell/default/function", commit);
  EXPECT_EQ(again.body(), done.body());  // answered from the first

  // Args at the root, the name in the path.
  const HttpResponse root =
      Retell("/retell/default/function/list_charges", R"({"customer_id":"cus_DemoJennyRosen"})");
  EXPECT_EQ(root.result_int(), 400);  // no call: neither in the body nor X-Call-Id
  EXPECT_THAT(root.body(), HasSubstr("no call id"));
  EXPECT_EQ(Retell("/retell/nobody/function", cancel).result_int(), 404);
}

TEST_F(GatewayTest, McpSpeaksBothErasAndRefusesStrangers) {
  const HttpResponse init = Mcp(Fixture("mcp_envelope/initialize.json"));
  ASSERT_EQ(init.result_int(), 200) << init.body();
  EXPECT_EQ(At(init.body(), "/result/protocolVersion"), "2025-06-18");
  EXPECT_EQ(At(init.body(), "/result/serverInfo/name"), "payvox");
  EXPECT_EQ(Mcp(Fixture("mcp_envelope/initialized.json")).result_int(), 202);

  const HttpResponse list = Mcp(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})",
                                {{"MCP-Protocol-Version", "2025-06-18"}});
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_EQ(At(list.body(), "/result/tools/0/name"), "find_customer");
  EXPECT_EQ(At(list.body(), "/result/tools/0/annotations/readOnlyHint"), "true");
  EXPECT_THAT(list.body(), HasSubstr(R"("destructiveHint":true)"));  // cancel_subscription

  const HttpResponse call = Mcp(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_charges",
          "arguments":{"customer_id":"cus_DemoJennyRosen"}}})",
      {{"X-Call-Id", "call-mcp"}});
  ASSERT_EQ(call.result_int(), 200) << call.body();
  EXPECT_EQ(At(call.body(), "/result/isError"), "false");
  EXPECT_THAT(At(call.body(), "/result/content/0/text"), HasSubstr("ch_DemoJennyPlan"));
  EXPECT_THAT(At(call.body(), "/result/structuredContent/say"), Not(HasSubstr("<missing>")));
  // The call from the argument, when no header names it; without either
  // the call is unknown.
  const HttpResponse by_argument = Mcp(Fixture("mcp_envelope/tools_call.json"));
  EXPECT_EQ(At(by_argument.body(), "/result/isError"), "false") << by_argument.body();
  const HttpResponse no_call = Mcp(
      R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"list_charges",
          "arguments":{"customer_id":"cus_DemoJennyRosen"}}})");
  EXPECT_EQ(At(no_call.body(), "/error/code"), "-32602");
  EXPECT_THAT(At(no_call.body(), "/error/message"), HasSubstr("X-Call-Id"));
  EXPECT_EQ(At(Mcp(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope"}})",
                   {{"X-Call-Id", "c"}})
                   .body(),
               "/error/code"),
            "-32602");
  EXPECT_EQ(At(Mcp(R"({"jsonrpc":"2.0","id":5,"method":"resources/list"})").body(), "/error/code"),
            "-32601");

  // 2026-07-28: headers agree with the body; results say they are complete.
  const std::string stateless = Fixture("mcp_envelope/stateless_tools_list.json");
  const HttpResponse discovered =
      Mcp(R"({"jsonrpc":"2.0","id":6,"method":"server/discover","params":{"_meta":{
             "io.modelcontextprotocol/protocolVersion":"2026-07-28",
             "io.modelcontextprotocol/clientCapabilities":{}}}})",
          {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "server/discover"}});
  ASSERT_EQ(discovered.result_int(), 200) << discovered.body();
  EXPECT_EQ(At(discovered.body(), "/result/supportedVersions/0"), "2026-07-28");
  EXPECT_EQ(At(discovered.body(), "/result/resultType"), "complete");
  const HttpResponse listed =
      Mcp(stateless, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(At(listed.body(), "/result/resultType"), "complete");
  EXPECT_EQ(At(listed.body(), "/result/cacheScope"), "private");
  const HttpResponse mismatch =
      Mcp(stateless, {{"MCP-Protocol-Version", "2025-11-25"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(mismatch.result_int(), 400);
  EXPECT_EQ(At(mismatch.body(), "/error/code"), "-32020");
  EXPECT_EQ(Mcp(stateless, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}})
                .result_int(),
            400);

  EXPECT_EQ(Mcp(stateless, {{"Origin", "https://evil.example"}}).result_int(), 403);
  EXPECT_EQ(
      Mcp(stateless, {{"Origin", "http://localhost:3000"}, {"MCP-Protocol-Version", "2026-07-28"}})
          .result_int(),
      200);
  EXPECT_EQ(Mcp(stateless, {{"Host", "evil.example"}}).result_int(), 403);
  EXPECT_EQ(Send(http::verb::get, "/mcp").result_int(), 405);
  EXPECT_EQ(Send(http::verb::post, "/mcp", stateless, {}, false).result_int(), 401);
  EXPECT_EQ(At(Mcp("[]").body(), "/error/code"), "-32600");
  EXPECT_EQ(At(Mcp("{").body(), "/error/code"), "-32700");
}

TEST_F(GatewayTest, StopsWithConnectionsStillOpen) {
  // An idle keep-alive connection and one halfway through its headers are
  // still open when payvoxd stops: their coroutines are destroyed with the
  // listener, after nothing they touch is gone (ASan checks).
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket idle(io);
  boost::asio::ip::tcp::socket partial(io);
  const boost::asio::ip::tcp::endpoint gateway(boost::asio::ip::make_address("127.0.0.1"),
                                               static_cast<uint16_t>(app_->gateway_port()));
  idle.connect(gateway);
  partial.connect(gateway);
  boost::asio::write(partial, boost::asio::buffer(std::string("POST /mcp HTTP/1.1\r\nHost: x")));
  EXPECT_EQ(Send(http::verb::get, "/healthz", "", {}, false).result_int(), 200);
  app_->Shutdown();
  app_.reset();
  boost::system::error_code error;
  char byte;
  idle.read_some(boost::asio::buffer(&byte, 1), error);
  EXPECT_TRUE(error) << "the connection is closed";
}

}  // namespace
}  // namespace payvox::testing
