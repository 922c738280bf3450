// bench_support.h: what several payvox-bench modes share: the bench's key
// and customer in the sandbox, a charge room enough for every refund, and
// gRPC statuses as absl::Status.
#ifndef PAYVOX_TOOLS_BENCH_SUPPORT_H_
#define PAYVOX_TOOLS_BENCH_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "app/app.h"
#include "app/config.h"
#include "common/clock.h"
#include "sandbox/emulator.h"

namespace payvox::bench {

inline constexpr char kBenchKey[] = "sk_test_payvox_bench";
// Jenny of the sandbox's demo data: one Visa ending 4242 on file.
inline constexpr char kBenchCustomer[] = "cus_DemoJennyRosen";

// AddRoomyCharge gives Jenny the charge `id`, newest of hers, with room for
// millions of one-cent refunds.
inline void AddRoomyCharge(sandbox::StripeEmulator& emulator, const Clock& clock,
                           const std::string& id) {
  sandbox::ChargeRecord charge;
  charge.id = id;
  charge.customer = kBenchCustomer;
  charge.amount = 99'999'999;
  charge.currency = "usd";
  charge.description = "payvox-bench";
  charge.payment_method = "pm_DemoJennyVisa";
  charge.status = "succeeded";
  charge.created = absl::ToUnixSeconds(clock.Now());
  charge.card = {"pm_DemoJennyVisa", kBenchCustomer, "visa", "4242", 12, 2030, charge.created};
  emulator.AddCharge(std::move(charge));
}

// StartSandboxPayvoxd starts payvoxd --sandbox in-process on loopback with
// the Stripe client's rate limits out of the way, plus `more_config` (JSON
// fields, each followed by a comma: R"("gateway": {...},)").
inline absl::StatusOr<std::unique_ptr<PayvoxApp>> StartSandboxPayvoxd(
    const Clock& clock, absl::string_view more_config = "") {
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(absl::StrCat(
      R"({"grpc_listen_address": "127.0.0.1:0", "io_threads": 2, "log_level": "warning",)",
      more_config, R"("stripe": {"read_per_second": 10000, "write_per_second": 10000,)",
      R"("search_per_second": 10000, "endpoint_per_second": 10000}})"));
  if (!config.ok()) return config.status();
  return PayvoxApp::Start({.config = *config, .sandbox = true}, clock);
}

inline absl::Status FromGrpc(const grpc::Status& status) {
  return status.ok() ? absl::OkStatus()
                     : absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                    status.error_message());
}

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_BENCH_SUPPORT_H_
