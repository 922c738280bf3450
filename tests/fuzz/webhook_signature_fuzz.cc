// Fuzzes the Stripe-Signature header parser and verifier: the first line is
// the header, the rest the payload. A header that verifies must parse, and
// a header payvox signs itself must always verify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "webhooks/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string header = input.substr(0, newline);
  const std::string payload = newline == std::string::npos ? "" : input.substr(newline + 1);
  const std::vector<std::string> secrets = {"whsec_fuzz", "whsec_rotated"};
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const absl::Status verified = payvox::webhooks::VerifySignature(header, payload, secrets, now);
  if (verified.ok() && !payvox::webhooks::ParseSignatureHeader(header).ok()) std::abort();
  const std::string signed_header = absl::StrCat(
      "t=1700000000,v0=x,v1=", payvox::webhooks::SignPayload("whsec_rotated", 1700000000, payload));
  if (!payvox::webhooks::VerifySignature(signed_header, payload, secrets, now).ok()) std::abort();
  return 0;
}
