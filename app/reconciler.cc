#include "app/reconciler.h"

#include "absl/algorithm/container.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

bool MetadataIs(const stripe::Metadata& metadata, absl::string_view key, absl::string_view value) {
  return absl::c_any_of(
      metadata, [&](const auto& entry) { return entry.first == key && entry.second == value; });
}

v1::AuditRecord CompletionOf(const v1::AuditRecord& intent, bool done, std::string result) {
  v1::AuditRecord completion = intent;
  completion.clear_sequence();
  completion.clear_hash();
  completion.clear_created_unix_micros();
  completion.set_kind("completion");
  completion.set_completes_sequence(intent.sequence());
  completion.set_ok(done);
  completion.set_result(std::move(result));
  completion.set_agent_id("payvox reconciler");
  return completion;
}

}  // namespace

boost::asio::awaitable<absl::StatusOr<ReconcileReport>> Reconciler::Run(absl::Time process_started,
                                                                        CallBounds bounds) {
  PAYVOX_CO_ASSIGN_OR_RETURN(const std::vector<v1::AuditRecord> open,
                             co_await store_.Run([](Store& store) { return store.OpenIntents(); }));
  ReconcileReport report;
  // Named, not braced inside co_await (docs/development.md: GCC 12).
  const stripe::CallOptions read{.bounds = bounds};
  for (const v1::AuditRecord& intent : open) {
    if (intent.action() != "create_refund") {
      ++report.left_open;
      continue;
    }
    stripe::StripeClient* client = client_for_(intent.tenant_id());
    if (client == nullptr) {
      ++report.left_open;
      continue;
    }
    stripe::StripeApi api(*client);
    absl::StatusOr<stripe::List<stripe::Refund>> refunds =
        co_await api.ListRefunds(intent.target_id(), 100, read);
    if (!refunds.ok()) {
      ++report.left_open;
      continue;
    }
    const auto made = absl::c_find_if(refunds->data, [&](const stripe::Refund& refund) {
      return MetadataIs(refund.metadata, "payvox_call_id", intent.call_id()) &&
             MetadataIs(refund.metadata, "payvox_request_id", intent.request_id());
    });
    const bool done = made != refunds->data.end();
    const v1::AuditRecord completion = CompletionOf(intent, done, done ? made->id : "not_sent");
    const absl::Status settled = co_await store_.Run([&](Store& store) {
      PAYVOX_RETURN_IF_ERROR(store.SettleReservation(intent.idempotency_key(), done));
      return store.AppendAudit(completion).status();
    });
    PAYVOX_CO_RETURN_IF_ERROR(settled);
    ++(done ? report.settled_done : report.settled_not_sent);
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(report.orphans_released, co_await store_.Run([&](Store& store) {
    return store.ReleaseOrphanReservations(process_started);
  }));
  co_return report;
}

}  // namespace payvox
