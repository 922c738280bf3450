#include "app/reconciler.h"

#include <optional>
#include <string>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
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

// FindRefund is the id of the refund `intent` made, by the payvox metadata
// it wrote, through every page of the charge's refunds (newest first);
// nullopt when Stripe has none; an error when Stripe cannot tell now, or
// the charge has more refunds than payvox reads (kMaxPages pages of 100).
boost::asio::awaitable<absl::StatusOr<std::optional<std::string>>> FindRefund(
    stripe::StripeClient& client, const v1::AuditRecord& intent, const stripe::CallOptions& read) {
  constexpr int kMaxPages = 100;
  stripe::StripeApi api(client);
  std::string after;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string target = intent.target_id();
    std::string from = after;
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::List<stripe::Refund> refunds,
        co_await api.ListRefunds(std::move(target), 100, std::move(from), read));
    const auto made = absl::c_find_if(refunds.data, [&](const stripe::Refund& refund) {
      return MetadataIs(refund.metadata, "payvox_call_id", intent.call_id()) &&
             MetadataIs(refund.metadata, "payvox_request_id", intent.request_id());
    });
    if (made != refunds.data.end()) co_return std::optional<std::string>(made->id);
    if (!refunds.has_more || refunds.data.empty()) co_return std::optional<std::string>();
    after = refunds.data.back().id;
  }
  co_return absl::UnavailableError(
      absl::StrCat("charge ", intent.target_id(), " has more refunds than payvox reads"));
}

// UnsettledOf: the intents a run settles, oldest first, each once.
absl::StatusOr<std::vector<v1::AuditRecord>> UnsettledOf(Store& store, absl::Time before,
                                                         ReconcileScope scope) {
  PAYVOX_ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> unsettled, store.UnsettledIntents(before));
  if (scope == ReconcileScope::kWhileRunning) return unsettled;
  PAYVOX_ASSIGN_OR_RETURN(const std::vector<v1::AuditRecord> open, store.OpenIntents());
  absl::flat_hash_set<std::pair<std::string, int64_t>> seen;
  for (const v1::AuditRecord& intent : unsettled)
    seen.emplace(intent.tenant_id(), intent.sequence());
  for (const v1::AuditRecord& intent : open) {
    if (absl::FromUnixMicros(intent.created_unix_micros()) >= before) continue;
    if (seen.emplace(intent.tenant_id(), intent.sequence()).second) unsettled.push_back(intent);
  }
  absl::c_stable_sort(unsettled, [](const v1::AuditRecord& a, const v1::AuditRecord& b) {
    return a.created_unix_micros() < b.created_unix_micros();
  });
  return unsettled;
}

}  // namespace

boost::asio::awaitable<absl::StatusOr<ReconcileReport>> Reconciler::Run(absl::Time before,
                                                                        ReconcileScope scope,
                                                                        CallBounds bounds) {
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const std::vector<v1::AuditRecord> open,
      co_await store_.Run([&](Store& store) { return UnsettledOf(store, before, scope); }));
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
    absl::StatusOr<std::optional<std::string>> made = co_await FindRefund(*client, intent, read);
    if (!made.ok()) {
      ++report.left_open;
      continue;
    }
    const bool done = made->has_value();
    const v1::AuditRecord completion = CompletionOf(intent, done, done ? **made : "not_sent");
    const absl::Status settled = co_await store_.Run([&](Store& store) {
      PAYVOX_RETURN_IF_ERROR(store.SettleReservation(intent.idempotency_key(), done, before));
      return store.AppendAudit(completion).status();
    });
    PAYVOX_CO_RETURN_IF_ERROR(settled);
    ++(done ? report.settled_done : report.settled_not_sent);
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(report.orphans_released, co_await store_.Run([&](Store& store) {
    return store.ReleaseOrphanReservations(before);
  }));
  co_return report;
}

boost::asio::awaitable<void> Reconciler::RunAndReport(absl::Time before, ReconcileScope scope) {
  // Named, not a temporary inside co_await (docs/development.md: GCC 12).
  const CallBounds bounds(clock_.Now() + options_.run_timeout);
  absl::StatusOr<ReconcileReport> report = co_await Run(before, scope, bounds);
  if (options_.on_run) options_.on_run(report);
}

boost::asio::awaitable<bool> Reconciler::HoldLease() {
  if (options_.lease_holder.empty()) co_return true;
  const absl::Time now = clock_.Now();
  const absl::StatusOr<bool> held = co_await store_.Run([&](Store& store) {
    return store.HoldLease("reconciler", options_.lease_holder, now, now + 3 * options_.interval);
  });
  // A store that cannot be reached leads nobody: the next run asks again.
  co_return held.ok() && *held;
}

boost::asio::awaitable<void> Reconciler::Watch(absl::Time process_started,
                                               const CancelSignal& stop) {
  const bool shared = !options_.lease_holder.empty();
  // No co_await in a condition or on a temporary (docs/development.md: GCC 12).
  absl::Time before = shared ? clock_.Now() - options_.settle_after : process_started;
  bool led = false;
  int runs = 0;
  for (;;) {
    const bool leads = co_await HoldLease();
    if (leads) {
      const bool full = !led || (shared && runs % kFullScanRuns == 0);
      co_await RunAndReport(before,
                            full ? ReconcileScope::kAfterRestart : ReconcileScope::kWhileRunning);
      ++runs;
    }
    led = leads;
    const absl::Time wake = clock_.Now() + options_.interval;
    const bool awake = co_await sleeper_.SleepUntil(wake, &stop);
    if (!awake) co_return;
    before = clock_.Now() - options_.settle_after;
  }
}

}  // namespace payvox
