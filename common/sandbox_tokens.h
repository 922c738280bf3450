// sandbox_tokens.h: the bearer tokens payvoxd --sandbox accepts when none
// are configured, and that payvoxctl and the tests use against it. For the
// demo and tests on loopback only: a payvoxd without --sandbox accepts only
// configured or stored tokens.
#ifndef PAYVOX_COMMON_SANDBOX_TOKENS_H_
#define PAYVOX_COMMON_SANDBOX_TOKENS_H_

#include <string>

namespace payvox {

inline std::string SandboxTenantToken(const std::string& tenant_id) {
  return "pvxt_" + tenant_id + ".sandbox";
}
inline constexpr char kSandboxOperatorToken[] = "pvxo_sandbox";

}  // namespace payvox

#endif  // PAYVOX_COMMON_SANDBOX_TOKENS_H_
