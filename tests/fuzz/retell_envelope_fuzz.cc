// Fuzzes the Retell face: X-Retell-Signature (the first line of the input)
// checked over the rest, and the rest as a custom function call (with and
// without the name in the path) and as a webhook.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "gateway/envelopes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string header = input.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  (void)payvox::gateway::VerifyRetellSignature(header, body, "key_fuzz",
                                               absl::FromUnixSeconds(1764680000), absl::Minutes(5));
  (void)payvox::gateway::ParseRetellFunction(body, "");
  (void)payvox::gateway::ParseRetellFunction(body, "list_charges");
  (void)payvox::gateway::ParseRetellWebhook(body);
  return 0;
}
