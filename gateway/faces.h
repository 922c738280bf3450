// faces.h: what the gateway's faces (gateway.cc, mcp_face.cc,
// vapi_face.cc, retell_face.cc) share.
#ifndef PAYVOX_GATEWAY_FACES_H_
#define PAYVOX_GATEWAY_FACES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/http_listener.h"
#include "gateway/tool_runner.h"

namespace payvox::gateway {

// ErrorAnswer is {"error": message} with `status`.
HttpAnswer ErrorAnswer(int status, absl::string_view message);

// Header is the request's header `name`; empty when absent.
std::string Header(const HttpRequest& request, absl::string_view name);

// RestAnswer is a tool outcome over plain REST: 200 with the result, the
// refusal or the confirmation question; 404 for an unknown action, 400 for
// bad arguments, 503 when the same request may be sent again.
HttpAnswer RestAnswer(const ToolOutcome& outcome);

}  // namespace payvox::gateway

#endif  // PAYVOX_GATEWAY_FACES_H_
