// policy.h: what a tenant lets the agent do, decided without I/O.
//
// The caller gathers the facts (the action, its capability and class from
// the catalog, the caller's verification, amounts, the charge's state, and
// what was already used today) and asks for a decision:
//
//   const policy::Decision decision = policy::Decide(tenant_policy, facts);
//   if (decision.verdict != policy::Verdict::kAllow) -> decision.ToStatus()
//
// Rules, in the order they are checked (the first that does not allow
// decides): the capability is enabled; a verified caller where required; a
// destructive action is confirmed; then the action's own rules (refunds,
// coupons, subscriptions), denials before approvals. Every decision names
// the rule that made it, for the audit trail.
#ifndef PAYVOX_POLICY_POLICY_H_
#define PAYVOX_POLICY_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "payvox/v1/config.pb.h"

namespace payvox::policy {

enum class ActionClass { kRead, kWrite, kDestructive };

enum class Verdict { kAllow, kDeny, kNeedsVerification, kNeedsConfirmation, kNeedsApproval };
// VerdictName: "allow", "deny", "needs_verification", "needs_confirmation",
// "needs_approval" (the audit trail's words).
absl::string_view VerdictName(Verdict verdict);

struct Decision {
  Verdict verdict = Verdict::kAllow;
  // The rule that decided, as its config path: "refunds.daily_limit".
  std::string rule;
  // snake_case reason for ErrorDetail.reason: "refund_over_daily_limit".
  std::string reason;
  // For the orchestrator: what happened and what it can do.
  std::string message;
  // For the caller: one sentence the agent may say.
  std::string say;

  bool allowed() const { return verdict == Verdict::kAllow; }
  // ToStatus: OK when allowed; PERMISSION_DENIED (deny), FAILED_PRECONDITION
  // (verification, confirmation) with the reason and say in an ErrorDetail.
  // kNeedsApproval is not an error: the caller files an approval.
  absl::Status ToStatus() const;
};

struct RefundFacts {
  int64_t amount = 0;  // minor units
  std::string currency;
  bool partial = false;
  std::string reason;
  absl::Time charge_created = absl::InfinitePast();
  bool disputed = false;
  // Stripe's outcome.risk_level ("normal", "elevated", "highest") and
  // whether Stripe or the issuer reported it fraudulent.
  std::string risk_level;
  bool fraudulent = false;
};

struct CouponFacts {
  double percent_off = 0;
  int64_t amount_off = 0;
  std::string currency;
};

struct SubscriptionFacts {
  // Cancel at once rather than at the end of the period.
  bool cancel_immediately = false;
  // The proration behaviour asked for a plan change; empty: the policy's.
  std::string proration_behavior;
};

// Usage is what was already used today, reservations in flight included.
struct Usage {
  int64_t tenant_refunded_today = 0;
  int64_t customer_refunded_today = 0;
  int64_t coupons_today = 0;
};

struct ActionFacts {
  // Catalog name ("create_refund") and capability ("full_refunds").
  std::string action;
  std::string capability;
  ActionClass action_class = ActionClass::kRead;
  bool caller_verified = false;
  // The caller said yes to this exact action: its confirmation token, or
  // CallContext.confirmed where the policy lets that count.
  bool confirmed = false;
  // What the action does, in the caller's words ("refund $49.00 to the Visa
  // ending in 4242"): the confirmation question asks it. Empty: "go ahead".
  std::string summary;
  absl::Time now = absl::InfinitePast();
  std::optional<RefundFacts> refund;
  std::optional<CouponFacts> coupon;
  std::optional<SubscriptionFacts> subscription;
  Usage usage;
};

// The capability names TenantPolicy.enabled_actions understands.
const std::vector<std::string>& Capabilities();
// The capabilities enabled when enabled_actions is empty.
const std::vector<std::string>& DefaultCapabilities();

Decision Decide(const v1::TenantPolicy& policy, const ActionFacts& facts);

// IsEnabled: the policy enables `action` (by name, by its capability, or
// with "all"); the default capabilities when enabled_actions is empty.
bool IsEnabled(const v1::TenantPolicy& policy, absl::string_view action,
               absl::string_view capability);

// ConservativePolicy is what a tenant gets when the config names no policy:
// the default capabilities; refunds above 100 (USD, EUR, GBP, CAD, AUD,
// CHF; JPY 15,000) wait for an operator's approval, and at most 500 (JPY
// 75,000) is refunded per tenant per UTC day. Other currencies: no bound,
// so a business refunding in them states its own.
v1::TenantPolicy ConservativePolicy();
// PolicySummary: one line on a policy's refund bounds for the startup log
// ("refunds above $100.00 wait for approval; at most $500.00 a day (in USD)").
std::string PolicySummary(const v1::TenantPolicy& policy);

// ValidatePolicy returns INVALID_ARGUMENT naming the first bad field
// ("policy.refunds.daily_limit[1].currency: ..."). `known_actions` are the
// catalog's action names, accepted in enabled_actions and verified_actions.
absl::Status ValidatePolicy(const v1::TenantPolicy& policy,
                            const std::vector<std::string>& known_actions);

// LimitFor returns the amount listed for `currency`, if any.
std::optional<int64_t> LimitFor(
    const google::protobuf::RepeatedPtrField<v1::CurrencyAmount>& limits,
    absl::string_view currency);

}  // namespace payvox::policy

#endif  // PAYVOX_POLICY_POLICY_H_
