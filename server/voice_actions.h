// voice_actions.h: the first voice flow (find the caller, verify them, read
// their charges, refund) as plain coroutines, free of gRPC.
//
// Each method validates its request, talks to Stripe through StripeApi,
// keeps verification state in the Store, and returns a reply whose `say` the
// agent can speak. Errors are absl::Status with a payvox.v1.ErrorDetail
// (reason and `say` where payvox decided, Stripe's fields where Stripe did).
//
//   VoiceActions actions(stripe_client, store, clock, {.tenant_id = "acme"});
//   co_await actions.FindCustomer(request, CallBounds(deadline, cancel_signal));
//
// Thread-safe: it holds no mutable state of its own. `stripe`, `store` and
// `clock` must outlive it, and every coroutine it returned.
#ifndef PAYVOX_SERVER_VOICE_ACTIONS_H_
#define PAYVOX_SERVER_VOICE_ACTIONS_H_

#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/stripe_api.h"
#include "common/clock.h"
#include "payvox/v1/actions.pb.h"
#include "policy/policy.h"
#include "server/action_guard.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

struct VoiceActionsOptions {
  std::string tenant_id = "default";
  int max_verification_attempts = 3;
  absl::Duration verification_ttl = absl::Minutes(30);
  // Zone in which dates are spoken.
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // The tenant's policy while none is stored (AdminService.SetPolicy).
  v1::TenantPolicy default_policy;
  // How long an approval waits for an operator.
  absl::Duration approval_ttl = absl::Hours(24);
  // How long a refund's limit reservation holds when Stripe's answer was
  // lost (a retry with the same request_id reuses it).
  absl::Duration reservation_ttl = absl::Hours(24);
};

// VoiceActionNames: the actions payvoxd implements, by catalog name (for
// policy validation).
const std::vector<std::string>& VoiceActionNames();

class VoiceActions {
 public:
  VoiceActions(stripe::StripeClient& stripe, StoreExecutor& store, const Clock& clock,
               VoiceActionsOptions options);

  // FindCustomer: by email (exact), phone (E.164, Stripe Search) or id. No
  // match is NOT_FOUND saying what was searched (email masked) and what to
  // ask next; several matches are all returned.
  boost::asio::awaitable<absl::StatusOr<v1::FindCustomerResponse>> FindCustomer(
      v1::FindCustomerRequest request, CallBounds bounds);

  // VerifyIdentity: a wrong answer is an OK reply with verified=false;
  // RESOURCE_EXHAUSTED once the attempts of this call and customer are used.
  boost::asio::awaitable<absl::StatusOr<v1::VerifyIdentityResponse>> VerifyIdentity(
      v1::VerifyIdentityRequest request, CallBounds bounds);

  boost::asio::awaitable<absl::StatusOr<v1::ListChargesResponse>> ListCharges(
      v1::ListChargesRequest request, CallBounds bounds);

  // CreateRefund passes the tenant's policy (policy/policy.h): by default
  // FAILED_PRECONDITION (reason needs_verification) unless the charge's
  // customer was verified in this call; PERMISSION_DENIED for what the
  // policy forbids; an answer with approval_id when it needs an operator.
  // Daily limits are reserved atomically before Stripe is called. The
  // Idempotency-Key comes from (tenant, call_id, request_id,
  // "create_refund"), so a retry returns the same refund (from payvox's
  // idempotency record once it went through, without calling Stripe again)
  // and a reused request_id with other parameters is ABORTED. Every outcome
  // is audited.
  boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> CreateRefund(
      v1::CreateRefundRequest request, CallBounds bounds);

  // Policy is the tenant's current policy (stored, else the default).
  boost::asio::awaitable<absl::StatusOr<v1::TenantPolicy>> Policy() { return guard_.Policy(); }

  // ExecuteApproved runs an approved refund once, with its original
  // Idempotency-Key (AdminService.DecideApproval).
  boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> ExecuteApproved(
      StoredApproval approved, CallBounds bounds);

 private:
  // RefundKey is the refund's Idempotency-Key, also its idempotency record's.
  std::string RefundKey(const v1::CallContext& context) const;
  boost::asio::awaitable<absl::StatusOr<stripe::Charge>> LoadCharge(std::string charge_id,
                                                                    stripe::CallOptions read);
  boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> FileForApproval(
      v1::CreateRefundRequest request, const stripe::Charge& charge, int64_t amount,
      const policy::Decision& decision, v1::AuditRecord who);
  boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> RefundOnStripe(
      v1::CreateRefundRequest request, const stripe::Charge& charge, int64_t amount,
      v1::AuditRecord who, std::optional<int64_t> tenant_limit,
      std::optional<int64_t> customer_limit, CallBounds bounds);

  stripe::StripeApi stripe_;
  StoreExecutor& store_;
  const Clock& clock_;
  const VoiceActionsOptions options_;
  ActionGuard guard_;
};

}  // namespace payvox

#endif  // PAYVOX_SERVER_VOICE_ACTIONS_H_
