// ledger.h: what cross-process tests compare: the audit trail payvox kept
// and the refunds the sandbox made.
#ifndef PAYVOX_TESTS_LEDGER_H_
#define PAYVOX_TESTS_LEDGER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "common/clock.h"
#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"
#include "payvox/v1/admin.grpc.pb.h"

namespace payvox::testing {

// ReadTrail: the tenant's whole audit trail, through AdminService.
inline std::vector<v1::AuditRecord> ReadTrail(v1::AdminService::Stub& admin,
                                              const std::string& tenant) {
  std::vector<v1::AuditRecord> out;
  for (int64_t after = 0;;) {
    v1::QueryAuditRequest query;
    query.set_tenant_id(tenant);
    query.set_limit(1000);
    query.set_after_sequence(after);
    v1::QueryAuditResponse response;
    grpc::ClientContext context;
    const grpc::Status status = admin.QueryAudit(&context, query, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok() || response.records().empty()) return out;
    out.insert(out.end(), response.records().begin(), response.records().end());
    after = out.back().sequence();
  }
}

// SandboxRefunds: every refund the payvox-sandbox on `port` made of
// `charge`, amount by refund id.
inline std::map<std::string, int64_t> SandboxRefunds(int port, const std::string& api_key,
                                                     const std::string& charge) {
  boost::asio::io_context io;
  SystemClock clock;
  stripe::StripeClientOptions options;
  options.pool = {.base_url = absl::StrCat("http://127.0.0.1:", port), .api_key = api_key};
  auto client = stripe::ResilientStripeClient::Create(io.get_executor(), clock, options);
  EXPECT_TRUE(client.ok()) << client.status();
  if (!client.ok()) return {};
  stripe::StripeApi api(**client);
  std::map<std::string, int64_t> out;
  std::string after;
  for (;;) {
    absl::StatusOr<stripe::List<stripe::Refund>> page =
        RunCoroutine(io, api.ListRefunds(charge, 100, after, {}));
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const stripe::Refund& refund : page->data) out[refund.id] = refund.amount;
    if (!page->has_more || page->data.empty()) return out;
    after = page->data.back().id;
  }
}

}  // namespace payvox::testing

#endif  // PAYVOX_TESTS_LEDGER_H_
