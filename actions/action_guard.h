// action_guard.h: the policy, limit and audit steps every action passes
// through, in one place so each action states only its facts.
//
//   ActionGuard guard(store_executor, clock, keyring, {.tenant_id = "acme", .default_policy = p});
//   v1::AuditRecord who = guard.Who(context, "create_refund", customer, charge, amount, "usd");
//   policy::Decision decision = policy::Decide(*co_await guard.Policy(), facts);
//   if (!decision.allowed()) co_return co_await guard.Refuse(who, decision);  // audited
//   auto started = co_await guard.Start(who, key, reservation);  // before Stripe
//   co_await guard.Finish(who, *started, result, request, &response);  // after
//
// Write actions answer their retries from the answers Finish saved:
//   auto saved = co_await guard.Replay<v1::CreateRefundResponse>(key, request);
//   if (saved.ok() && saved->has_value()) co_return **saved;  // ran before
//
// Store calls run on the StoreExecutor's threads.
//
// Audit records hold ids, amounts and decisions; never a secret, card data
// or an email. Saved answers can hold both (a customer's email, a
// PaymentIntent's client_secret), so they are sealed under the master key
// (common/secret_box.h) before they are stored.
#ifndef PAYVOX_ACTIONS_ACTION_GUARD_H_
#define PAYVOX_ACTIONS_ACTION_GUARD_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/secret_box.h"
#include "common/status_macros.h"
#include "payvox/v1/admin.pb.h"
#include "payvox/v1/types.pb.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

struct ActionGuardOptions {
  std::string tenant_id = "default";
  // The policy used while none was stored through AdminService.SetPolicy.
  v1::TenantPolicy default_policy;
  // How long a write's answer is kept for its retries (Stripe keeps
  // idempotency keys 24 hours).
  absl::Duration idempotency_ttl = absl::Hours(24);
  // How long the tenant's policy is served from memory before it is read
  // again (a change by SetPolicy here is seen at once, PolicyChanged; one
  // made elsewhere, by another payvoxd on the same store, within this).
  absl::Duration policy_cache_ttl = absl::Seconds(5);
  // Policy decisions, refunds and refunded amounts and audit latency
  // (payvox_policy_*, payvox_refund*, payvox_audit_*); null: not counted.
  metrics::Registry* metrics = nullptr;
};

// RequestFingerprint is the hex SHA-256 of a request's deterministic
// encoding without its `context` (the call, request id and confirmation,
// which the idempotency key already names or a retry may add).
std::string RequestFingerprint(const google::protobuf::Message& request);

// StripeAnswered: `status` came from an answer of Stripe's, so the request's
// outcome is known (it did not happen), not from a missing or unreadable one.
bool StripeAnswered(const absl::Status& status);

class ActionGuard {
 public:
  // `keyring` seals the answers saved for retries; `store`, `clock` and
  // `keyring` must outlive the guard.
  ActionGuard(StoreExecutor& store, const Clock& clock, const Keyring& keyring,
              ActionGuardOptions options);

  const std::string& tenant_id() const { return options_.tenant_id; }

  // Policy is the tenant's stored policy, else the default one, from memory
  // while it is fresh (policy_cache_ttl).
  boost::asio::awaitable<absl::StatusOr<v1::TenantPolicy>> Policy();
  // PolicyChanged serves `policy` from now on (AdminService.SetPolicy stored
  // it).
  void PolicyChanged(v1::TenantPolicy policy);
  // HeldPolicy is the policy when it is held and fresh, without waiting
  // (nullopt: Policy() must read the store).
  std::optional<v1::TenantPolicy> HeldPolicy() const;

  // Who starts an audit record: the call, the action and its target.
  v1::AuditRecord Who(const v1::CallContext& context, absl::string_view action,
                      absl::string_view customer_id, absl::string_view target_id, int64_t amount,
                      absl::string_view currency) const;

  // Refuse audits a decision that stops the action and returns its status
  // (OK for kNeedsApproval, which the caller answers with an approval).
  boost::asio::awaitable<absl::Status> Refuse(v1::AuditRecord who, policy::Decision decision,
                                              std::string result = "");
  // Start audits an allowed action before Stripe is called, together with
  // its limit reservation when it has one, in one commit. RESOURCE_EXHAUSTED
  // (nothing written) when the reservation would pass a limit.
  boost::asio::awaitable<absl::StatusOr<StartedAction>> Start(
      v1::AuditRecord who, std::string idempotency_key,
      std::optional<ReservationRequest> reservation);
  // Finish audits the outcome (`result`: Stripe's object id on success) and
  // settles the reservation: committed when Stripe acted, released when it
  // refused, kept while its answer is unknown. On success `response` is
  // saved as the answer to retries of `request`.
  boost::asio::awaitable<absl::Status> Finish(v1::AuditRecord who, const StartedAction& started,
                                              absl::StatusOr<std::string> result,
                                              const google::protobuf::Message& request,
                                              const google::protobuf::Message* response);

  // Replay returns the answer saved when this request ran before under
  // `idempotency_key`, nullopt when it did not; ABORTED when the key's
  // request_id was used for a different request; FAILED_PRECONDITION when
  // the answer was sealed under a master key payvoxd does not hold.
  template <typename Response>
  boost::asio::awaitable<absl::StatusOr<std::optional<Response>>> Replay(
      const std::string& idempotency_key, const google::protobuf::Message& request) {
    PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<std::string> saved,
                               co_await SavedAnswer(idempotency_key, request));
    if (!saved.has_value()) co_return std::nullopt;
    Response response;
    if (!response.ParseFromString(*saved)) {
      co_return absl::DataLossError("payvox's saved answer to this request is unreadable");
    }
    co_return response;
  }

  // Today is the UTC day for daily limits, "2026-11-23".
  std::string Today() const;

 private:
  boost::asio::awaitable<absl::StatusOr<std::optional<std::string>>> SavedAnswer(
      const std::string& idempotency_key, const google::protobuf::Message& request);

  // Decided counts a policy decision; Appended times an audit write.
  void Decided(const std::string& action, absl::string_view verdict);
  void Appended(const char* kind, absl::Time started);

  // AnswerContext binds a sealed answer to its tenant and key.
  std::string AnswerContext(const std::string& idempotency_key) const;

  StoreExecutor& store_;
  const Clock& clock_;
  const Keyring& keyring_;
  const ActionGuardOptions options_;
  // Names this guard's in-flight claims (ActionStart::in_flight_holder):
  // its single flight runs a key once at a time, so a claim of its own
  // found by a start is one whose finish could not be written.
  const std::string in_flight_holder_;
  mutable std::mutex policy_mu_;
  std::optional<v1::TenantPolicy> policy_ ABSL_GUARDED_BY(policy_mu_);
  absl::Time policy_fresh_until_ ABSL_GUARDED_BY(policy_mu_);
  // Bumped by PolicyChanged, so a read that started before a change does
  // not put the older policy back.
  uint64_t policy_generation_ ABSL_GUARDED_BY(policy_mu_) = 0;
  metrics::Family<metrics::Counter>* decisions_ = nullptr;
  metrics::Family<metrics::Counter>* refunded_ = nullptr;
  metrics::Family<metrics::Counter>* refunds_ = nullptr;
  metrics::Family<metrics::Histogram>* audit_latency_ = nullptr;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_ACTION_GUARD_H_
