// Fuzzes the sandbox's request handling (target, query, form body, search
// queries, fault rules for /_sandbox/faults) as an HTTP client could send
// them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/form_codec.h"
#include "sandbox/emulator.h"
#include "sandbox/faults.h"
#include "sandbox/search.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static payvox::SystemClock clock;
  static payvox::sandbox::StripeEmulator* emulator = [] {
    auto* created = new payvox::sandbox::StripeEmulator(clock, {.id_seed = 1});
    payvox::sandbox::SeedDemoData(*created);
    return created;
  }();
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)payvox::sandbox::ParseCustomerSearch(input);
  if (absl::StatusOr<payvox::FormParams> form = payvox::ParseForm(input); form.ok()) {
    (void)payvox::sandbox::ParseFaultRule(*form);
  }
  // First line: method and target; the rest: the body.
  const size_t newline = input.find('\n');
  const std::string head = input.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  const size_t space = head.find(' ');
  const std::string method = head.substr(0, space);
  const std::string target = space == std::string::npos ? "/" : head.substr(space + 1);
  (void)emulator->Handle({method, target, "Bearer sk_test_fuzz", "", body});
  return 0;
}
