#include "gateway/envelopes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/hmac.h"
#include "common/testing/status_matchers.h"

namespace payvox::gateway {
namespace {

using ::payvox::testing::IsOkAndHolds;
using ::payvox::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

// Fixture reads a platform's documented body, kept as a fuzz seed.
std::string Fixture(const std::string& path) {
  std::ifstream in(absl::StrCat(PAYVOX_CORPUS_DIR, "/", path));
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << path;
  return text.str();
}

TEST(CanonicalJsonTest, SortsKeysAndRefusesDuplicates) {
  EXPECT_THAT(CanonicalJson(R"( {"b": [1, {"d":true,"c":null}], "a": "x\u00e9"} )"),
              IsOkAndHolds(std::string(R"({"a":"xé","b":[1,{"c":null,"d":true}]})")));
  EXPECT_THAT(CanonicalJson(R"({"a":1,"a":2})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"a\" appears twice")));
  EXPECT_THAT(CanonicalJson("{"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CanonicalJson(std::string(200, '[') + std::string(200, ']')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested too deeply")));
}

TEST(SplitArgumentsTest, TakesOutWhatPayvoxReadsItself) {
  ASSERT_OK_AND_ASSIGN(
      Arguments split,
      SplitArguments(R"({"amount_minor":100,"confirmation_token":"pvxc_1","charge_id":"ch_1",
                         "call_id":"c1"})",
                     "the arguments"));
  EXPECT_EQ(split.canonical, R"({"amount_minor":100,"charge_id":"ch_1"})");
  EXPECT_EQ(split.confirmation_token, "pvxc_1");
  EXPECT_EQ(split.call_id, "c1");
  EXPECT_THAT(SplitArguments("", "x"), IsOkAndHolds(Field(&Arguments::canonical, "{}")));
  EXPECT_THAT(SplitArguments("[1]", "the arguments"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(SplitArguments(R"({"confirmation_token":5})", "the arguments"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the arguments.confirmation_token is not a string")));
}

TEST(WithGatewayPropertiesTest, AddsTheTokenToWritesAndTheCallToMcp) {
  const std::string schema = R"({"type":"object","properties":{"charge_id":{"type":"string"}}})";
  ASSERT_OK_AND_ASSIGN(std::string read, WithGatewayProperties(schema, true, false));
  EXPECT_EQ(read, R"({"type":"object","properties":{"charge_id":{"type":"string"}}})");
  ASSERT_OK_AND_ASSIGN(std::string write, WithGatewayProperties(schema, false, true));
  EXPECT_THAT(write, HasSubstr(R"("charge_id":{"type":"string"},"confirmation_token":{)"));
  EXPECT_THAT(write, HasSubstr(R"("call_id":{"type":"string")"));
  ASSERT_OK(CanonicalJson(write).status());
  ASSERT_OK_AND_ASSIGN(std::string bare,
                       WithGatewayProperties(R"({"type":"object"})", false, false));
  EXPECT_THAT(bare, HasSubstr(R"("properties":{"confirmation_token":)"));
}

TEST(VapiMessageTest, ReadsEachShapeOfVapisDocs) {
  ASSERT_OK_AND_ASSIGN(VapiMessage parameters,
                       ParseVapiMessage(Fixture("vapi_envelope/tool_calls_parameters.json")));
  EXPECT_EQ(parameters.type, "tool-calls");
  EXPECT_EQ(parameters.call_id, "call_0b3f6d2e");
  EXPECT_EQ(parameters.caller_number, "+14155550123");
  EXPECT_EQ(parameters.assistant_id, "asst_42");
  EXPECT_THAT(
      parameters.tool_calls,
      ElementsAre(AllOf(Field(&ToolCall::id, "toolu_01"), Field(&ToolCall::name, "list_charges"),
                        Field(&ToolCall::arguments_json, R"({"customer_id":"cus_1","limit":3})"))));

  ASSERT_OK_AND_ASSIGN(VapiMessage arguments,
                       ParseVapiMessage(Fixture("vapi_envelope/tool_calls_arguments.json")));
  EXPECT_THAT(arguments.tool_calls,
              ElementsAre(Field(&ToolCall::name, "find_customer"),
                          Field(&ToolCall::arguments_json, R"({"customer_id":"cus_1"})")));

  // OpenAI's shape, arguments as a JSON string.
  ASSERT_OK_AND_ASSIGN(VapiMessage function,
                       ParseVapiMessage(Fixture("vapi_envelope/tool_calls_function.json")));
  EXPECT_THAT(
      function.tool_calls,
      ElementsAre(
          AllOf(Field(&ToolCall::id, "call_Yk3z"), Field(&ToolCall::name, "create_refund"),
                Field(&ToolCall::arguments_json, R"({"amount_minor":1500,"charge_id":"ch_1"})"))));

  ASSERT_OK_AND_ASSIGN(VapiMessage legacy,
                       ParseVapiMessage(Fixture("vapi_envelope/function_call.json")));
  EXPECT_THAT(
      legacy.tool_calls,
      ElementsAre(AllOf(Field(&ToolCall::name, "find_customer"),
                        Field(&ToolCall::arguments_json, R"({"email":"jenny@example.com"})"))));

  ASSERT_OK_AND_ASSIGN(VapiMessage start,
                       ParseVapiMessage(Fixture("vapi_envelope/assistant_request.json")));
  EXPECT_EQ(start.type, "assistant-request");
  EXPECT_EQ(start.caller_number, "+14155550123");
  EXPECT_EQ(start.call_id, "call_start_1");
}

TEST(VapiMessageTest, NamesWhatIsWrong) {
  EXPECT_THAT(ParseVapiMessage("{}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no message object")));
  EXPECT_THAT(ParseVapiMessage(R"({"message":{"type":"tool-calls"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("toolCallList is missing")));
  EXPECT_THAT(ParseVapiMessage(
                  R"({"message":{"type":"tool-calls","toolCallList":[{"id":"1","type":"function",
                      "function":{"name":"x","arguments":"not json"}}]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("toolCallList[0].function.arguments is not a JSON object")));
  EXPECT_THAT(ParseVapiMessage(R"({"message":{"type":"tool-calls","toolCallList":[{"id":"1"}]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names no tool")));
  EXPECT_THAT(ParseVapiMessage(R"({"message":{"type":7}})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message.type")));
}

TEST(RetellTest, ReadsFunctionsWithTheCallPayvoxNamed) {
  ASSERT_OK_AND_ASSIGN(RetellFunctionCall call,
                       ParseRetellFunction(Fixture("retell_envelope/function.json"), ""));
  EXPECT_EQ(call.name, "list_charges");
  EXPECT_EQ(call.call_id, "rtl_00ff");  // the dynamic variable, not Retell's call_id
  EXPECT_EQ(call.from_number, "+14155550123");
  EXPECT_EQ(call.arguments_json, R"({"customer_id":"cus_1"})");

  ASSERT_OK_AND_ASSIGN(
      RetellFunctionCall root,
      ParseRetellFunction(Fixture("retell_envelope/args_at_root.json"), "list_charges"));
  EXPECT_EQ(root.name, "list_charges");
  EXPECT_EQ(root.arguments_json, R"({"customer_id":"cus_1","limit":2})");
  EXPECT_THAT(ParseRetellFunction(R"({"args":{}})", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name is missing")));

  ASSERT_OK_AND_ASSIGN(RetellWebhook inbound,
                       ParseRetellWebhook(Fixture("retell_envelope/call_inbound.json")));
  EXPECT_EQ(inbound.event, "call_inbound");
  EXPECT_EQ(inbound.from_number, "+14155550123");
  ASSERT_OK_AND_ASSIGN(RetellWebhook ended,
                       ParseRetellWebhook(Fixture("retell_envelope/call_ended.json")));
  EXPECT_EQ(ended.call_id, "rtl_00ff");
}

TEST(RetellTest, SignaturesAreCheckedOnTheRawBytesWithinFiveMinutes) {
  const std::string body = R"({"name":"x","args":{}})";
  const absl::Time now = absl::FromUnixMillis(1764680000123);
  const std::string digest = HmacSha256Hex("key_retell", absl::StrCat(body, "1764680000123"));
  const std::string header = absl::StrCat("v=1764680000123,d=", digest);
  const absl::Duration five = absl::Minutes(5);
  EXPECT_OK(VerifyRetellSignature(header, body, "key_retell", now, five));
  EXPECT_OK(VerifyRetellSignature(header, body, "key_retell", now + absl::Minutes(4), five));
  EXPECT_THAT(VerifyRetellSignature(header, body, "key_retell", now + absl::Minutes(6), five),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("too old")));
  EXPECT_THAT(VerifyRetellSignature(header, body + " ", "key_retell", now, five),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("does not match")));
  EXPECT_THAT(VerifyRetellSignature(header, body, "another_key", now, five),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("does not match")));
  EXPECT_THAT(VerifyRetellSignature("", body, "key_retell", now, five),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
  EXPECT_THAT(VerifyRetellSignature("v=abc,d=12", body, "key_retell", now, five),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not v=<ms>")));
}

TEST(McpMessageTest, ReadsBothEras) {
  ASSERT_OK_AND_ASSIGN(McpMessage initialize,
                       ParseMcpMessage(Fixture("mcp_envelope/initialize.json")));
  EXPECT_EQ(initialize.id_json, "1");
  EXPECT_EQ(initialize.method, "initialize");
  EXPECT_EQ(initialize.requested_version, "2025-06-18");
  EXPECT_EQ(initialize.client_name, "livekit-agents");
  EXPECT_TRUE(initialize.meta_protocol_version.empty());

  ASSERT_OK_AND_ASSIGN(McpMessage list,
                       ParseMcpMessage(Fixture("mcp_envelope/stateless_tools_list.json")));
  EXPECT_EQ(list.meta_protocol_version, "2026-07-28");
  EXPECT_EQ(list.client_name, "vapi");

  ASSERT_OK_AND_ASSIGN(McpMessage call, ParseMcpMessage(Fixture("mcp_envelope/tools_call.json")));
  EXPECT_EQ(call.id_json, "\"7\"");
  EXPECT_EQ(call.tool_name, "list_charges");
  EXPECT_EQ(call.tool_arguments_json, R"({"call_id":"call_9","customer_id":"cus_1"})");

  ASSERT_OK_AND_ASSIGN(McpMessage note, ParseMcpMessage(Fixture("mcp_envelope/initialized.json")));
  EXPECT_TRUE(note.id_json.empty());
  ASSERT_OK_AND_ASSIGN(McpMessage response,
                       ParseMcpMessage(R"({"jsonrpc":"2.0","id":3,"result":{}})"));
  EXPECT_TRUE(response.is_response);
}

TEST(McpMessageTest, RefusesWhatIsNotOneJsonRpcMessage) {
  EXPECT_THAT(ParseMcpMessage(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batches")));
  EXPECT_THAT(ParseMcpMessage(R"({"id":1,"method":"ping"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("jsonrpc")));
  EXPECT_THAT(ParseMcpMessage(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id must be")));
  EXPECT_THAT(ParseMcpMessage(R"({"jsonrpc":"2.0","id":1,"method":"tools/call",
                                  "params":{"name":"x","arguments":[1]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("params.arguments is not a JSON object")));
  EXPECT_THAT(ParseMcpMessage("not json"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
}

}  // namespace
}  // namespace payvox::gateway
