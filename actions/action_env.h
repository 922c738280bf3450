// action_env.h: what every action family of one tenant works with: Stripe,
// the store, the clock, the tenant's options and its policy/audit guard.
//
//   ActionEnv env(stripe_client, store_executor, clock, keyring, {.tenant_id = "acme"});
//   RefundActions refunds(env, writes);
//
// Families hold a reference; the env outlives them (TenantActions owns
// both). Thread-safe: the members are.
#ifndef PAYVOX_ACTIONS_ACTION_ENV_H_
#define PAYVOX_ACTIONS_ACTION_ENV_H_

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actions/action_guard.h"
#include "actions/call_facts.h"
#include "actions/call_sessions.h"
#include "actions/sentences.h"
#include "client/stripe_api.h"
#include "common/clock.h"
#include "common/confirmation_tokens.h"
#include "payvox/v1/types.pb.h"
#include "store/store_executor.h"

namespace payvox {

// Action is what every action returns: a coroutine with the reply or the
// status that explains why there is none.
template <typename T>
using Action = boost::asio::awaitable<absl::StatusOr<T>>;

struct ActionOptions {
  std::string tenant_id = "default";
  int max_verification_attempts = 3;
  absl::Duration verification_ttl = absl::Minutes(30);
  // Zone in which dates are spoken.
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // The tenant's policy while none is stored (AdminService.SetPolicy).
  v1::TenantPolicy default_policy;
  // How long an approval waits for an operator.
  absl::Duration approval_ttl = absl::Hours(24);
  // How long a write's limit reservation holds when Stripe's answer was
  // lost (a retry with the same request_id reuses it).
  absl::Duration reservation_ttl = absl::Hours(24);
  // Where action metrics go (actions/action_guard.h); null: nowhere.
  metrics::Registry* metrics = nullptr;
  // The live calls' sessions (shared by every tenant; each session is one
  // tenant's); null: no sessions, every read goes to Stripe.
  CallSessions* sessions = nullptr;
  // How long BeginCall waits for its fetches before answering with what
  // arrived (the rest goes on in the background), within its deadline.
  absl::Duration begin_call_wait = absl::Seconds(2);
  // How long BeginCall's background fetches may take in all.
  absl::Duration prefetch_timeout = absl::Seconds(10);
  // The confirmation tokens (shared by every tenant; bound to each); null:
  // none are given, and only CallContext.confirmed confirms.
  ConfirmationTokens* confirmations = nullptr;
};

// Confirmation: how a write's request is confirmed, known before it runs.
struct Confirmation {
  // CallContext.confirmation_token was redeemed for this request.
  bool by_token = false;
  // The write's Idempotency-Key: the token's when one confirmed it (so the
  // write is one however many requests present the token).
  std::string key;
};

struct ActionEnv {
  // `stripe`, `store`, `clock` and `keyring` must outlive the env; `keyring`
  // seals the answers kept for retries (actions/action_guard.h).
  ActionEnv(stripe::StripeClient& stripe_client, StoreExecutor& store_executor,
            const Clock& clock_source, const Keyring& keyring, ActionOptions action_options);

  // WriteKey is the Idempotency-Key of a write: (tenant, call, request_id,
  // action), so a retry of the same request reaches Stripe with the same key.
  std::string WriteKey(const v1::CallContext& context, std::string_view action) const;
  // Enabled: PERMISSION_DENIED unless the tenant's policy enables one of the
  // capabilities the catalog entry `action` declares (reads have no other
  // rule; writes are decided by the write pipeline).
  boost::asio::awaitable<absl::Status> Enabled(std::string_view action);
  // Facts: the reads of `action` in the call of `context`, from its
  // session when it has one (actions/call_facts.h).
  CallFacts Facts(const v1::CallContext& context, std::string_view action);
  // Speaking: how dates are said right now.
  Speaking speaking() const { return {clock.Now(), options.time_zone}; }

  // Confirm redeems the request's confirmation token, if it carries one
  // (FAILED_PRECONDITION confirmation_token_* when it is not good for
  // `request` of `action` in this call), and names the write's key.
  absl::StatusOr<Confirmation> Confirm(const google::protobuf::Message& request,
                                       const v1::CallContext& context,
                                       std::string_view action) const;
  // Confirmed: the policy counts the request as confirmed (its token, or
  // context.confirmed unless the policy requires the token).
  static bool Confirmed(const v1::TenantPolicy& policy, const v1::CallContext& context,
                        const Confirmation& confirmation);
  // ConfirmationTokenFor: a token that confirms `request` of `action` in
  // this call; empty when payvox gives none.
  absl::StatusOr<std::string> ConfirmationTokenFor(const google::protobuf::Message& request,
                                                   const v1::CallContext& context,
                                                   std::string_view action) const;
  // AskConfirmation is `refused` (a needs_confirmation decision's status)
  // with the token for `request` in its ErrorDetail.
  absl::Status AskConfirmation(absl::Status refused, const google::protobuf::Message& request,
                               const v1::CallContext& context, std::string_view action) const;

  stripe::StripeApi stripe;
  StoreExecutor& store;
  const Clock& clock;
  const ActionOptions options;
  ActionGuard guard;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_ACTION_ENV_H_
