// Fuzzes the webhook event decoder: any body a webhook could carry.
#include <cstddef>
#include <cstdint>
#include <string>

#include "webhooks/event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)payvox::webhooks::DecodeEvent(body);
  return 0;
}
