// ValidatePolicy: every field of a TenantPolicy checked, the bad one named.
#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/money.h"
#include "policy/policy.h"

namespace payvox::policy {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("policy.", field, ": ", why));
}

absl::Status CheckAmounts(absl::string_view field,
                          const google::protobuf::RepeatedPtrField<v1::CurrencyAmount>& amounts) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < amounts.size(); ++i) {
    const v1::CurrencyAmount& amount = amounts[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    if (absl::Status currency = ValidateCurrency(amount.currency()); !currency.ok()) {
      return Bad(absl::StrCat(at, ".currency"), currency.message());
    }
    if (!seen.insert(amount.currency()).second) {
      return Bad(absl::StrCat(at, ".currency"),
                 absl::StrCat("\"", amount.currency(), "\" is listed twice"));
    }
    if (amount.amount_minor() <= 0) {
      return Bad(absl::StrCat(at, ".amount_minor"), "must be positive");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNames(absl::string_view field,
                        const google::protobuf::RepeatedPtrField<std::string>& names,
                        bool capabilities_allowed, const std::vector<std::string>& known_actions) {
  for (int i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const bool known = absl::c_linear_search(known_actions, name) ||
                       (capabilities_allowed && absl::c_linear_search(Capabilities(), name));
    if (!known) {
      return Bad(absl::StrCat(field, "[", i, "]"),
                 absl::StrCat("\"", name, "\" is not ",
                              capabilities_allowed ? "a capability or " : "", "an action name"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePolicy(const v1::TenantPolicy& policy,
                            const std::vector<std::string>& known_actions) {
  if (absl::Status s = CheckNames("enabled_actions", policy.enabled_actions(),
                                  /*capabilities_allowed=*/true, known_actions);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckNames("verified_actions", policy.verified_actions(),
                                  /*capabilities_allowed=*/false, known_actions);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckNames("confirmed_actions", policy.confirmed_actions(),
                                  /*capabilities_allowed=*/false, known_actions);
      !s.ok()) {
    return s;
  }
  if (policy.max_verification_attempts() < 0 || policy.max_verification_attempts() > 10) {
    return Bad("max_verification_attempts", "must be 0 (server default) to 10");
  }
  if (policy.verification_ttl_seconds() != 0 &&
      (policy.verification_ttl_seconds() < 60 || policy.verification_ttl_seconds() > 86400)) {
    return Bad("verification_ttl_seconds", "must be 0 (server default) or 60 to 86400");
  }
  const v1::RefundPolicy& refunds = policy.refunds();
  for (const auto& [field, amounts] :
       {std::pair{"refunds.max_auto_refund", &refunds.max_auto_refund()},
        std::pair{"refunds.daily_limit", &refunds.daily_limit()},
        std::pair{"refunds.daily_limit_per_customer", &refunds.daily_limit_per_customer()},
        std::pair{"coupons.max_amount_off", &policy.coupons().max_amount_off()}}) {
    if (absl::Status s = CheckAmounts(field, *amounts); !s.ok()) return s;
  }
  if (refunds.max_charge_age_days() < 0 || refunds.max_charge_age_days() > 3650) {
    return Bad("refunds.max_charge_age_days", "must be 0 (no limit) to 3650");
  }
  const double percent = policy.coupons().max_percent_off();
  if (!(percent >= 0 && percent <= 100)) {
    return Bad("coupons.max_percent_off", "must be 0 to 100");
  }
  if (policy.coupons().daily_count() < 0) {
    return Bad("coupons.daily_count", "must not be negative");
  }
  const std::string& proration = policy.subscriptions().proration_behavior();
  if (!proration.empty() && proration != "create_prorations" && proration != "none" &&
      proration != "always_invoice") {
    return Bad("subscriptions.proration_behavior",
               "must be create_prorations, none or always_invoice");
  }
  return absl::OkStatus();
}

}  // namespace payvox::policy
