#include "client/stripe_client.h"

#include "absl/strings/match.h"

namespace payvox::stripe {

Mode ModeOfKey(absl::string_view api_key) {
  return absl::StartsWith(api_key, "sk_live_") || absl::StartsWith(api_key, "rk_live_")
             ? Mode::kLive
             : Mode::kTest;
}

absl::string_view ModeName(Mode mode) { return mode == Mode::kLive ? "live" : "test"; }

absl::string_view MethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

}  // namespace payvox::stripe
