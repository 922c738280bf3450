#include "app/operations_watch.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/container/btree_set.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

// One tenant's reading, taken in one store call.
struct TenantReading {
  std::string tenant_id;
  int pending_approvals = 0;
  absl::Duration oldest_pending = absl::ZeroDuration();
  // (currency, used / limit) for every currency with a daily limit.
  std::vector<std::pair<std::string, double>> limit_used;
  std::optional<bool> audit_intact;
};

absl::StatusOr<TenantReading> ReadTenant(Store& store, const std::string& tenant_id,
                                         const v1::TenantPolicy& default_policy, absl::Time now,
                                         bool check_audit) {
  TenantReading reading{.tenant_id = tenant_id};
  PAYVOX_ASSIGN_OR_RETURN(const std::vector<v1::Approval> pending,
                          store.ListApprovals(tenant_id, "", now));
  for (const v1::Approval& approval : pending) {
    if (approval.state() != "pending") continue;
    ++reading.pending_approvals;
    reading.oldest_pending =
        std::max(reading.oldest_pending, now - absl::FromUnixSeconds(approval.created()));
  }
  PAYVOX_ASSIGN_OR_RETURN(const std::optional<v1::TenantPolicy> stored, store.GetPolicy(tenant_id));
  const v1::TenantPolicy& policy = stored.has_value() ? *stored : default_policy;
  const std::string today = absl::FormatCivilTime(absl::ToCivilDay(now, absl::UTCTimeZone()));
  for (const v1::CurrencyAmount& limit : policy.refunds().daily_limit()) {
    if (limit.amount_minor() <= 0) continue;
    PAYVOX_ASSIGN_OR_RETURN(
        const Usage usage,
        store.GetUsage({tenant_id, kRefundUsage, limit.currency(), today}, "", ""));
    reading.limit_used.emplace_back(
        limit.currency(),
        static_cast<double>(usage.tenant_total) / static_cast<double>(limit.amount_minor()));
  }
  if (check_audit) {
    PAYVOX_ASSIGN_OR_RETURN(const v1::VerifyAuditChainResponse chain,
                            store.VerifyAuditChain(tenant_id));
    reading.audit_intact = chain.intact();
  }
  return reading;
}

}  // namespace

OperationsWatch::OperationsWatch(StoreExecutor& store, const Clock& clock, Sleeper& sleeper,
                                 metrics::Registry& registry, OperationsWatchOptions options)
    : store_(store),
      clock_(clock),
      sleeper_(sleeper),
      options_(std::move(options)),
      approvals_pending_(registry.AddGauge(
          "payvox_approvals_pending", "Approvals waiting for an operator, by tenant", {"tenant"})),
      oldest_approval_(registry.AddGauge(
          "payvox_approval_oldest_pending_seconds",
          "How long the oldest pending approval has waited, by tenant (0: none waits)",
          {"tenant"})),
      limit_used_(registry.AddGauge(
          "payvox_refund_daily_limit_used_ratio",
          "Refunded and held today (UTC) over the tenant's daily refund limit, by tenant and "
          "currency (only currencies with a limit)",
          {"tenant", "currency"})),
      audit_intact_(registry.AddGauge(
          "payvox_audit_chain_intact",
          "1 when the tenant's audit hash chain verified at the last check, 0 when it did not",
          {"tenant"})) {}

boost::asio::awaitable<absl::Status> OperationsWatch::SweepOnce(bool check_audit) {
  const absl::Time now = clock_.Now();
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const std::vector<TenantReading> readings,
      co_await store_.Run([&](Store& store) -> absl::StatusOr<std::vector<TenantReading>> {
        absl::btree_set<std::string> tenants;
        if (!options_.config_tenant.empty()) tenants.insert(options_.config_tenant);
        PAYVOX_ASSIGN_OR_RETURN(const std::vector<Tenant> stored, store.ListTenants());
        for (const Tenant& tenant : stored) tenants.insert(tenant.tenant_id);
        std::vector<TenantReading> out;
        for (const std::string& tenant_id : tenants) {
          PAYVOX_ASSIGN_OR_RETURN(
              TenantReading reading,
              ReadTenant(store, tenant_id, options_.default_policy, now, check_audit));
          out.push_back(std::move(reading));
        }
        return out;
      }));
  for (const TenantReading& reading : readings) {
    approvals_pending_.With({reading.tenant_id}).Set(reading.pending_approvals);
    oldest_approval_.With({reading.tenant_id}).Set(absl::ToDoubleSeconds(reading.oldest_pending));
    for (const auto& [currency, ratio] : reading.limit_used) {
      limit_used_.With({reading.tenant_id, currency}).Set(ratio);
    }
    if (reading.audit_intact.has_value()) {
      audit_intact_.With({reading.tenant_id}).Set(*reading.audit_intact ? 1 : 0);
    }
  }
  co_return absl::OkStatus();
}

boost::asio::awaitable<void> OperationsWatch::Run(const CancelSignal& stop) {
  absl::Time next_audit_check = clock_.Now();
  for (;;) {
    const bool check_audit = clock_.Now() >= next_audit_check;
    // A failed sweep is reported and tried at the next one.
    const absl::Status swept = co_await SweepOnce(check_audit);
    if (options_.on_sweep) options_.on_sweep(swept);
    if (check_audit && swept.ok()) next_audit_check = clock_.Now() + options_.audit_check_interval;
    const absl::Time wake = clock_.Now() + options_.interval;
    const bool slept = co_await sleeper_.SleepUntil(wake, &stop);
    if (!slept) co_return;
  }
}

}  // namespace payvox
