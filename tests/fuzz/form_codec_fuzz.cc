// Fuzzes the form/query decoder and checks that what it reads encodes and
// decodes back to the same pairs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/form_codec.h"
#include "common/redact.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)payvox::ContainsCardNumber(text);
  (void)payvox::RedactText(text);
  absl::StatusOr<payvox::FormParams> parsed = payvox::ParseForm(text);
  if (!parsed.ok()) return 0;
  absl::StatusOr<payvox::FormParams> again = payvox::ParseForm(payvox::EncodeForm(*parsed));
  if (!again.ok() || again->entries() != parsed->entries()) std::abort();
  return 0;
}
