// gateway_peers_test.cc: the HTTP front door against software nobody here
// wrote: X-Retell-Signature made and checked by npm `retell-sdk`, and an MCP
// client built on npm `@modelcontextprotocol/sdk` (both pinned in
// tests/node).
#include <gmock/gmock.h>

#include "absl/strings/str_cat.h"
#include "common/hmac.h"
#include "common/testing/http_exchange.h"
#include "tests/json_at.h"
#include "tests/node_peer.h"
#include "tests/payvoxd_fixture.h"

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kRetellKey[] = "key_payvox_sandbox_retell";

std::string At(const std::string& json, const std::string& pointer) {
  return JsonAt(json, pointer);
}

class GatewayPeersTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "gateway": {"listen_address": "127.0.0.1:0"}})";
  }
};

TEST_F(GatewayPeersTest, RetellSdkSignaturesPassAndPayvoxsPassTheSdk) {
  const std::string body =
      R"({"name":"list_charges","call":{"call_id":"call_sdk","from_number":"+14155550101",)"
      R"("transcript":"User: ünïcödé ✓"},"args":{"customer_id":"cus_DemoJennyRosen"}})";
  const std::string header = RunNodePeer("retell_sign.js", {"sign", kRetellKey}, body);
  ASSERT_THAT(header, StartsWith("v="));
  const HttpResponse answered =
      HttpExchange(app_->gateway_port(), http::verb::post, "/retell/default/function", body,
                   {{"X-Retell-Signature", header}});
  EXPECT_EQ(answered.result_int(), 200) << answered.body();
  EXPECT_THAT(answered.body(), HasSubstr("ch_DemoJennyPlan"));
  // The SDK's signature over another body, or with another key, is refused.
  EXPECT_EQ(HttpExchange(app_->gateway_port(), http::verb::post, "/retell/default/function",
                         body + " ", {{"X-Retell-Signature", header}})
                .result_int(),
            401);
  const std::string other = RunNodePeer("retell_sign.js", {"sign", "key_someone_else"}, body);
  EXPECT_EQ(HttpExchange(app_->gateway_port(), http::verb::post, "/retell/default/function", body,
                         {{"X-Retell-Signature", other}})
                .result_int(),
            401);
  // And the SDK accepts the signature payvox's checker is written against.
  const std::string millis = absl::StrCat(absl::ToUnixMillis(absl::Now()));
  const std::string ours =
      absl::StrCat("v=", millis, ",d=", HmacSha256Hex(kRetellKey, body + millis));
  EXPECT_EQ(RunNodePeer("retell_sign.js", {"verify", kRetellKey, ours}, body), "ok");
}

TEST_F(GatewayPeersTest, TheMcpTypeScriptSdkConnectsListsAndCalls) {
  const std::string seen =
      RunNodePeer("mcp_client.js", {absl::StrCat("http://127.0.0.1:", app_->gateway_port(), "/mcp"),
                                    SandboxTenantToken("default"), "call-mcp-sdk"});
  ASSERT_THAT(seen, StartsWith("{")) << seen;
  EXPECT_EQ(At(seen, "/server/name"), "payvox");
  EXPECT_EQ(At(seen, "/protocolVersion"), "2025-11-25");
  EXPECT_EQ(At(seen, "/tools/0"), "find_customer");
  EXPECT_THAT(At(seen, "/readOnly"), HasSubstr("list_charges"));
  EXPECT_THAT(At(seen, "/readOnly"), Not(HasSubstr("create_refund")));
  EXPECT_EQ(At(seen, "/charges/isError"), "false");
  EXPECT_THAT(At(seen, "/charges/text"), HasSubstr("ch_DemoJennyPlan"));
  // A refusal is a tool result the agent can say, not a protocol error.
  EXPECT_EQ(At(seen, "/refused/isError"), "true");
  EXPECT_THAT(At(seen, "/refused/text"), HasSubstr("needs_verification"));
  EXPECT_EQ(At(seen, "/unknown/code"), "-32602");
}

}  // namespace
}  // namespace payvox::testing
