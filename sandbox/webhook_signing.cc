#include "sandbox/webhook_signing.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/hmac.h"

namespace payvox::sandbox {

std::string StripeSignatureHeader(absl::string_view secret, int64_t timestamp,
                                  absl::string_view payload) {
  return absl::StrCat("t=", timestamp,
                      ",v1=", HmacSha256Hex(secret, absl::StrCat(timestamp, ".", payload)));
}

absl::StatusOr<EndpointUrl> ParseEndpointUrl(absl::string_view url) {
  EndpointUrl parsed;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    parsed.tls = true;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    parsed.tls = false;
  } else {
    return absl::InvalidArgumentError("a webhook URL starts with http:// or https://");
  }
  const size_t slash = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, slash);
  parsed.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (parsed.target.front() == '?') parsed.target.insert(0, "/");
  if (absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError("a webhook URL carries no user name or password");
  }
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']') == absl::string_view::npos) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port == 0 || port > 65535) {
      return absl::InvalidArgumentError("a webhook URL's port is a number from 1 to 65535");
    }
    parsed.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  } else {
    parsed.port = parsed.tls ? "443" : "80";
  }
  if (authority.empty()) return absl::InvalidArgumentError("a webhook URL names a host");
  for (const char c : authority) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '[' &&
        c != ']' && c != ':') {
      return absl::InvalidArgumentError("a webhook URL's host holds letters, digits, . and -");
    }
  }
  parsed.host = std::string(authority);
  return parsed;
}

}  // namespace payvox::sandbox
