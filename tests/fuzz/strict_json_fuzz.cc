// Fuzzes the strict JSON check every operator document passes (the config,
// a policy set through payvoxctl) before protobuf reads it.
#include <cstddef>
#include <cstdint>

#include "common/strict_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)payvox::CheckStrictJson(absl::string_view(reinterpret_cast<const char*>(data), size),
                                "the input");
  return 0;
}
