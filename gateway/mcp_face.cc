// mcp_face.cc: POST /mcp, the Model Context Protocol over Streamable HTTP
// with JSON answers (payvox sends no progress, so never SSE).
//
// Two eras on one path. 2026-07-28 is stateless: each request carries its
// protocol version in params._meta, the MCP-Protocol-Version, Mcp-Method and
// Mcp-Name headers must agree with the body (else 400, -32020), results
// carry resultType, tools/list carries ttlMs and cacheScope, and an unknown
// method is 404. The earlier revisions (2025-11-25, 2025-06-18, 2025-03-26,
// 2024-11-05) start with initialize; payvox keeps no session for them
// either (no Mcp-Session-Id), so any replica answers any request.
//
// A tool's refusal or Stripe's error is a result with isError and the
// sentence the agent can say; an unknown tool or bad arguments are JSON-RPC
// errors (-32602). The call comes from the X-Call-Id header (Vapi sends it)
// or a call_id argument.
#include <array>

#include <boost/beast/http/verb.hpp>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/json_writer.h"
#include "gateway/envelopes.h"
#include "gateway/faces.h"
#include "gateway/gateway.h"
#include "gateway/tool_list.h"

namespace payvox::gateway {
namespace {

namespace asio = boost::asio;

constexpr absl::string_view kStateless = "2026-07-28";
// Newest first: an initialize asking for something else gets the first of
// the legacy ones.
constexpr std::array<absl::string_view, 4> kLegacy = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                      "2024-11-05"};
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kHeaderMismatch = -32020;
constexpr int kUnsupportedVersion = -32022;

constexpr absl::string_view kInstructions =
    "payvox acts on this business's Stripe account during a phone call: find the caller, verify "
    "them by the last 4 digits of a card on file, then look up or change payments, refunds, "
    "subscriptions and invoices. Say the `say` of each result to the caller. When a result asks "
    "for confirmation, ask the caller and call the same tool again with the same arguments and "
    "the confirmation_token.";

HttpAnswer RpcError(int status, absl::string_view id_json, int code, absl::string_view message) {
  JsonWriter json;
  json.BeginObject().Field("jsonrpc", "2.0").Key("id");
  if (id_json.empty()) {
    json.Null();
  } else {
    json.Raw(id_json);
  }
  json.Key("error").BeginObject().Field("code", code).Field("message", message).EndObject();
  return {status, json.EndObject().Take()};
}

HttpAnswer RpcResult(absl::string_view id_json, absl::string_view result_json) {
  return {200,
          absl::StrCat(R"({"jsonrpc":"2.0","id":)", id_json, R"(,"result":)", result_json, "}")};
}

// LocalHost: a Host (or Origin's host) naming this machine.
bool LocalHost(absl::string_view host) {
  if (absl::ConsumePrefix(&host, "[")) {
    return absl::StartsWith(host, "::1]");
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host == "127.0.0.1";
}

// OriginAllowed: no Origin (not a browser), a localhost one, or one listed.
bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  if (absl::c_linear_search(allowed, origin)) return true;
  absl::string_view host = origin;
  if (!absl::ConsumePrefix(&host, "http://") && !absl::ConsumePrefix(&host, "https://")) {
    return false;
  }
  return LocalHost(host);
}

// UnsupportedVersion is 400 with -32022 and, in its data, the versions
// payvox speaks and the one requested.
HttpAnswer UnsupportedVersion(absl::string_view id_json, absl::string_view requested) {
  JsonWriter json;
  json.BeginObject().Field("jsonrpc", "2.0").Key("id").Raw(id_json);
  json.Key("error").BeginObject().Field("code", kUnsupportedVersion);
  json.Field("message", absl::StrCat("payvox does not speak MCP ", requested.substr(0, 32)));
  json.Key("data").BeginObject().Key("supported").BeginArray().String(kStateless);
  for (absl::string_view version : kLegacy) json.String(version);
  json.EndArray().Field("requested", requested.substr(0, 32)).EndObject();
  json.EndObject();
  return {400, json.EndObject().Take()};
}

// ServerInfo is {"name":"payvox","version":...}.
std::string ServerInfo(absl::string_view version) {
  JsonWriter json;
  json.BeginObject().Field("name", "payvox").Field("title", "payvox").Field("version", version);
  return json.EndObject().Take();
}

}  // namespace

asio::awaitable<HttpAnswer> Gateway::Mcp(const HttpRequest& request) {
  if (request.method() != boost::beast::http::verb::post) {
    HttpAnswer answer = ErrorAnswer(405, "MCP messages are POSTed; payvox opens no SSE stream");
    answer.headers.emplace_back("Allow", "POST");
    co_return answer;
  }
  const std::string host = Header(request, "Host");
  const bool host_allowed = options_.allowed_hosts.empty()
                                ? (!options_.loopback_only || LocalHost(host))
                                : absl::c_linear_search(options_.allowed_hosts, host);
  if (!host_allowed || !OriginAllowed(Header(request, "Origin"), options_.allowed_origins)) {
    co_return RpcError(403, "", kInvalidRequest, "this Origin or Host may not call payvox");
  }
  absl::StatusOr<std::shared_ptr<TenantRuntime>> tenant = Bearer(request, false);
  if (!tenant.ok()) co_return AnswerFor(tenant.status());

  absl::StatusOr<McpMessage> message = ParseMcpMessage(request.body());
  if (!message.ok()) {
    const bool json = absl::StrContains(message.status().message(), "not valid JSON");
    co_return RpcError(400, "", json ? kParseError : kInvalidRequest, message.status().message());
  }
  // A notification or a response to the server: accepted, nothing to say.
  if (message->is_response || message->id_json.empty()) co_return HttpAnswer{202, ""};
  const std::string& id = message->id_json;

  // The era: 2026-07-28 (stateless) when the body's _meta names a version,
  // or the header one that is not of the initialize revisions (no header:
  // 2025-03-26).
  const std::string header_version = Header(request, "MCP-Protocol-Version");
  const bool stateless =
      !message->meta_protocol_version.empty() ||
      (!header_version.empty() && !absl::c_linear_search(kLegacy, header_version));
  if (stateless) {
    if (!message->has_meta || message->meta_protocol_version.empty() ||
        !message->meta_has_capabilities) {
      co_return RpcError(400, id, kInvalidParams,
                         "params._meta must hold io.modelcontextprotocol/protocolVersion and "
                         "io.modelcontextprotocol/clientCapabilities");
    }
    const std::string method_header = Header(request, "Mcp-Method");
    const std::string name_header = Header(request, "Mcp-Name");
    if (header_version != message->meta_protocol_version ||
        (!method_header.empty() && method_header != message->method) ||
        (!name_header.empty() && message->method == "tools/call" &&
         name_header != message->tool_name)) {
      co_return RpcError(400, id, kHeaderMismatch,
                         "the MCP-Protocol-Version, Mcp-Method or Mcp-Name header does not match "
                         "the body");
    }
    if (message->meta_protocol_version != kStateless) {
      co_return UnsupportedVersion(id, message->meta_protocol_version);
    }
  }
  // Every result of the stateless era says it is complete.
  auto result = [&](std::string body) {
    if (stateless) {
      body.pop_back();
      absl::StrAppend(&body, body.size() > 1 ? "," : "", R"("resultType":"complete"})");
    }
    return RpcResult(id, body);
  };

  const std::string& method = message->method;
  // The handshake is gone from the stateless revision.
  const bool removed = stateless && (method == "initialize" || method == "ping");
  if (method == "initialize" && !removed) {
    absl::string_view version = kLegacy.front();
    if (absl::c_linear_search(kLegacy, message->requested_version)) {
      version = message->requested_version;
    }
    JsonWriter json;
    json.BeginObject().Field("protocolVersion", version);
    json.Key("capabilities").BeginObject().Key("tools").BeginObject();
    json.Field("listChanged", false).EndObject().EndObject();
    json.Key("serverInfo").Raw(ServerInfo(options_.version));
    json.Field("instructions", kInstructions);
    co_return result(json.EndObject().Take());
  }
  if (method == "ping" && !removed) co_return result("{}");
  if (method == "server/discover") {
    JsonWriter json;
    json.BeginObject().Key("supportedVersions").BeginArray().String(kStateless);
    for (absl::string_view version : kLegacy) json.String(version);
    json.EndArray();
    json.Key("capabilities").BeginObject().Key("tools").BeginObject().EndObject().EndObject();
    json.Key("serverInfo").Raw(ServerInfo(options_.version));
    json.Field("instructions", kInstructions);
    json.Key("_meta").BeginObject();
    json.Key("io.modelcontextprotocol/serverInfo").Raw(ServerInfo(options_.version));
    json.EndObject();
    json.Field("ttlMs", int64_t{3600000}).Field("cacheScope", "public");
    co_return result(json.EndObject().Take());
  }
  if (method == "tools/list") {
    absl::StatusOr<std::shared_ptr<const std::string>> tools =
        co_await runner_.Tools(*tenant, ToolFormat::kMcp);
    if (!tools.ok()) co_return RpcError(200, id, -32603, "payvox cannot read its catalog now");
    // The tenant's policy decides the list, so it is cached per client.
    co_return result(
        absl::StrCat(R"({"tools":)", **tools, R"(,"ttlMs":60000,"cacheScope":"private"})"));
  }
  if (method == "tools/call") {
    if (message->tool_name.empty()) {
      co_return RpcError(200, id, kInvalidParams, "params.name is missing");
    }
    const std::string call_header = Header(request, "X-Call-Id");
    ToolRequest tool{.face = "mcp",
                     .agent = message->client_name,
                     .call_id = call_header,
                     .request_id = Header(request, "X-Request-Id"),
                     .action = message->tool_name,
                     .arguments_json = message->tool_arguments_json,
                     .call_id_from_arguments = call_header.empty()};
    const ToolOutcome outcome = co_await runner_.Run(*tenant, std::move(tool));
    if (outcome.unknown_tool || outcome.bad_arguments) {
      co_return RpcError(200, id, kInvalidParams, outcome.status.message());
    }
    const bool failed = !outcome.status.ok() && outcome.confirmation_token.empty();
    JsonWriter json;
    json.BeginObject().Key("content").BeginArray().BeginObject();
    json.Field("type", "text").Field("text", outcome.Text()).EndObject().EndArray();
    if (outcome.status.ok() && absl::StartsWith(outcome.result_json, "{")) {
      json.Key("structuredContent").Raw(outcome.result_json);
    }
    json.Field("isError", failed);
    co_return result(json.EndObject().Take());
  }
  co_return RpcError(
      stateless ? 404 : 200, id, kMethodNotFound,
      absl::StrCat("payvox has no method \"", method.substr(0, 64), "\"; it offers tools only"));
}

}  // namespace payvox::gateway
