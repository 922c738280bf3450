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
// Thread-safe: it holds no mutable state of its own. `stripe`, `store`,
// `clock` and `keyring` must outlive it, and every coroutine it returned.
#ifndef PAYVOX_ACTIONS_VOICE_ACTIONS_H_
#define PAYVOX_ACTIONS_VOICE_ACTIONS_H_

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "actions/action_guard.h"
#include "actions/single_flight.h"
#include "actions/typed_actions.h"
#include "client/stripe_api.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "payvox/v1/actions.pb.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_executor.h"

namespace payvox {

struct ActionSpec;

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
  // Where action metrics go (actions/action_guard.h); null: nowhere.
  metrics::Registry* metrics = nullptr;
};

// VoiceActionNames: the actions payvoxd implements, by catalog name (for
// policy validation).
const std::vector<std::string>& VoiceActionNames();

class VoiceActions {
 public:
  // `keyring` seals the answers kept for retries (actions/action_guard.h).
  VoiceActions(stripe::StripeClient& stripe, StoreExecutor& store, const Clock& clock,
               const Keyring& keyring, VoiceActionsOptions options);

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

  // GetPayment: a charge (ch_, py_), payment intent (pi_) or invoice (in_)
  // and whether it went through, with the failure reason in plain words.
  boost::asio::awaitable<absl::StatusOr<v1::GetPaymentResponse>> GetPayment(
      v1::GetPaymentRequest request, CallBounds bounds);
  // FindDuplicateCharges groups the customer's succeeded charges of the same
  // amount and currency created within the window of each other.
  boost::asio::awaitable<absl::StatusOr<v1::FindDuplicateChargesResponse>> FindDuplicateCharges(
      v1::FindDuplicateChargesRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::GetRefundResponse>> GetRefund(
      v1::GetRefundRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::ListRefundsResponse>> ListRefunds(
      v1::ListRefundsRequest request, CallBounds bounds);
  // CreateCoupon passes the coupon rules (percent and amount caps, daily
  // count) and, with a customer, adds a one-time promotion code made of
  // characters that cannot be misheard.
  boost::asio::awaitable<absl::StatusOr<v1::CreateCouponResponse>> CreateCoupon(
      v1::CreateCouponRequest request, CallBounds bounds);

  // billing_actions.cc: subscriptions and invoices.
  boost::asio::awaitable<absl::StatusOr<v1::ListSubscriptionsResponse>> ListSubscriptions(
      v1::ListSubscriptionsRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::GetSubscriptionResponse>> GetSubscription(
      v1::GetSubscriptionRequest request, CallBounds bounds);
  // CancelSubscription cancels at the period's end unless `immediately`
  // (DELETE), which the policy may forbid. Destructive: needs confirmed.
  boost::asio::awaitable<absl::StatusOr<v1::CancelSubscriptionResponse>> CancelSubscription(
      v1::CancelSubscriptionRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::PauseSubscriptionResponse>> PauseSubscription(
      v1::PauseSubscriptionRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::ResumeSubscriptionResponse>> ResumeSubscription(
      v1::ResumeSubscriptionRequest request, CallBounds bounds);
  // ChangeSubscriptionPlan previews the proration (GET /v1/invoices/upcoming)
  // unless context.confirmed, then applies it with the same proration date
  // the caller heard.
  boost::asio::awaitable<absl::StatusOr<v1::ChangeSubscriptionPlanResponse>> ChangeSubscriptionPlan(
      v1::ChangeSubscriptionPlanRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::ListInvoicesResponse>> ListInvoices(
      v1::ListInvoicesRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::GetInvoiceResponse>> GetInvoice(
      v1::GetInvoiceRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::GetUpcomingInvoiceResponse>> GetUpcomingInvoice(
      v1::GetUpcomingInvoiceRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::SendInvoiceResponse>> SendInvoice(
      v1::SendInvoiceRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::VoidInvoiceResponse>> VoidInvoice(
      v1::VoidInvoiceRequest request, CallBounds bounds);
  // CreateInvoice makes a draft and adds its lines as invoice items.
  boost::asio::awaitable<absl::StatusOr<v1::CreateInvoiceResponse>> CreateInvoice(
      v1::CreateInvoiceRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::FinalizeInvoiceResponse>> FinalizeInvoice(
      v1::FinalizeInvoiceRequest request, CallBounds bounds);

  // payment_actions.cc: links and the secure card hand-off.
  boost::asio::awaitable<absl::StatusOr<v1::CreatePaymentLinkResponse>> CreatePaymentLink(
      v1::CreatePaymentLinkRequest request, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<v1::CreatePortalSessionResponse>> CreatePortalSession(
      v1::CreatePortalSessionRequest request, CallBounds bounds);
  // StartSecurePayment creates the PaymentIntent (metadata links it to the
  // call) and stores a hand-off session; the DTMF provider confirms the
  // intent, and webhooks report the outcome.
  boost::asio::awaitable<absl::StatusOr<v1::StartSecurePaymentResponse>> StartSecurePayment(
      v1::StartSecurePaymentRequest request, CallBounds bounds);

  // RunStripeAction runs a kStripe catalog entry (actions/catalog_runner.cc)
  // with Execute's arguments, already checked against its schema.
  //
  // Every write above (and RunStripeAction's writes) runs once for
  // concurrent calls of the same request (same call, request_id and
  // action): the first runs, the others wait for it and return its answer
  // (actions/single_flight.h).
  boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> RunStripeAction(
      const ActionSpec& spec, v1::ExecuteRequest request, CallBounds bounds);

  // Policy is the tenant's current policy (stored, else the default).
  boost::asio::awaitable<absl::StatusOr<v1::TenantPolicy>> Policy() { return guard_.Policy(); }
  // PolicyChanged: AdminService.SetPolicy stored `policy` for this tenant.
  void PolicyChanged(v1::TenantPolicy policy) { guard_.PolicyChanged(std::move(policy)); }

  // ExecuteApproved runs an approved refund once, with its original
  // Idempotency-Key (AdminService.DecideApproval).
  boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> ExecuteApproved(
      StoredApproval approved, CallBounds bounds);

 private:
  // WriteFacts: what the policy and the audit trail need to know about a
  // write before it runs.
  struct WriteFacts {
    std::string action;
    std::string capability;
    policy::ActionClass action_class = policy::ActionClass::kWrite;
    // The customer whose verified identity the write needs; empty for
    // writes that belong to no customer (a payment link for a price).
    std::string customer;
    std::string target;
    int64_t amount = 0;
    std::string currency;
    std::optional<policy::CouponFacts> coupon;
    std::optional<policy::SubscriptionFacts> subscription;
  };
  template <typename Response>
  using WriteBody =
      std::function<boost::asio::awaitable<absl::StatusOr<Response>>(const std::string& key)>;

  // WriteKey is the Idempotency-Key of a write: (tenant, call, request_id,
  // action), so a retry of the same request reaches Stripe with the same key.
  std::string WriteKey(const v1::CallContext& context, absl::string_view action) const;
  // Once runs `run` (the write's body) for the first of the concurrent calls
  // of one request and gives the others its answer. The flight is the
  // write's key and whether it is confirmed (a preview and its confirmed
  // change are two requests); a request without request_id is refused by
  // the body, so it runs as it is.
  template <typename Response, typename Run>
  boost::asio::awaitable<absl::StatusOr<Response>> Once(std::string key,
                                                        const google::protobuf::Message& request,
                                                        const v1::CallContext& context,
                                                        const CallBounds& bounds, Run run);
  // The bodies of the writes, run by Once (actions/typed_actions.h).
#define PAYVOX_WRITE_BODY(Rpc, name)                                                           \
  boost::asio::awaitable<absl::StatusOr<v1::Rpc##Response>> Run##Rpc(v1::Rpc##Request request, \
                                                                     CallBounds bounds);
  PAYVOX_TYPED_ACTIONS(PAYVOX_IGNORE_ACTION, PAYVOX_WRITE_BODY)
#undef PAYVOX_WRITE_BODY
  boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> SendStripeAction(
      const ActionSpec& spec, v1::ExecuteRequest request, CallBounds bounds);
  // Guarded runs `body` under the policy and the audit trail: verification
  // of `facts.customer` in this call, the decision (audited when it stops
  // the write), the audit intent, Stripe, then the outcome and the answer
  // saved for retries. `result_id` names Stripe's object for the audit.
  // Callers answer retries first with guard_.Replay(WriteKey(...)).
  template <typename Response>
  boost::asio::awaitable<absl::StatusOr<Response>> Guarded(
      const v1::CallContext& context, WriteFacts facts, const google::protobuf::Message& request,
      WriteBody<Response> body, std::function<std::string(const Response&)> result_id);
  // ReadAllowed: PERMISSION_DENIED unless the policy enables the catalog
  // action `action` (reads have no other rule).
  boost::asio::awaitable<absl::Status> ReadAllowed(std::string_view action);
  // InvoiceChange: one of an invoice's state transitions (send, void,
  // finalize), allowed `from` some states only.
  struct InvoiceChange {
    std::string action;
    std::string verb;  // the Stripe path's last segment
    std::string done;  // "sent"
    policy::ActionClass action_class = policy::ActionClass::kWrite;
    std::vector<std::string> from;
    std::string refused_reason;
  };
  template <typename Request, typename Response>
  boost::asio::awaitable<absl::StatusOr<Response>> ChangeInvoice(
      Request request, CallBounds bounds, InvoiceChange change,
      std::function<std::string(const stripe::Invoice&)> say);
  // Verified: the caller verified `customer_id` in this call.
  boost::asio::awaitable<absl::StatusOr<bool>> Verified(const v1::CallContext& context,
                                                        const std::string& customer_id);
  boost::asio::awaitable<absl::StatusOr<stripe::Subscription>> LoadSubscription(
      const std::string& subscription_id, CallBounds bounds);
  boost::asio::awaitable<absl::StatusOr<stripe::Invoice>> LoadInvoice(const std::string& invoice_id,
                                                                      CallBounds bounds);

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
  SingleFlight flights_;
};

template <typename Response, typename Run>
boost::asio::awaitable<absl::StatusOr<Response>> VoiceActions::Once(
    std::string key, const google::protobuf::Message& request, const v1::CallContext& context,
    const CallBounds& bounds, Run run) {
  if (context.request_id().empty()) co_return co_await run();
  if (context.confirmed()) key += ":confirmed";
  SingleFlight::Ticket ticket = flights_.Join(key, RequestFingerprint(request));
  if (!ticket.leader()) {
    PAYVOX_CO_ASSIGN_OR_RETURN(const std::string answer, co_await ticket.Wait(bounds, clock_));
    Response response;
    if (!response.ParseFromString(answer)) {
      co_return absl::InternalError("payvox could not read the answer of this request's first run");
    }
    co_return response;
  }
  absl::StatusOr<Response> result = co_await run();
  if (result.ok()) {
    ticket.Publish(result->SerializeAsString());
  } else {
    ticket.Publish(result.status());
  }
  co_return result;
}

template <typename Response>
boost::asio::awaitable<absl::StatusOr<Response>> VoiceActions::Guarded(
    const v1::CallContext& context, WriteFacts facts, const google::protobuf::Message& request,
    WriteBody<Response> body, std::function<std::string(const Response&)> result_id) {
  bool verified = false;
  if (!facts.customer.empty()) {
    PAYVOX_CO_ASSIGN_OR_RETURN(verified, co_await Verified(context, facts.customer));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await guard_.Policy());
  // Coupons count against a daily number, reserved with the audit intent.
  std::optional<ReservationRequest> reservation;
  policy::Usage usage;
  const std::string key = WriteKey(context, facts.action);
  if (facts.coupon.has_value()) {
    const UsageKey usage_key{options_.tenant_id, "coupon", "*", guard_.Today()};
    PAYVOX_CO_ASSIGN_OR_RETURN(const Usage used, co_await store_.Run([&](Store& store) {
      return store.GetUsage(usage_key, "");
    }));
    usage.coupons_today = used.tenant_total;
    reservation = ReservationRequest{
        .key = usage_key,
        .idempotency_key = key,
        .amount = 1,
        .tenant_limit = policy.coupons().daily_count() > 0
                            ? std::optional<int64_t>(policy.coupons().daily_count())
                            : std::nullopt,
        .expires_at = clock_.Now() + options_.reservation_ttl};
  }
  policy::ActionFacts action_facts{.action = facts.action,
                                   .capability = facts.capability,
                                   .action_class = facts.action_class,
                                   // Writes that belong to no customer need
                                   // no caller identity; the capability and
                                   // the action's own rules still apply.
                                   .caller_verified = verified || facts.customer.empty(),
                                   .confirmed = context.confirmed(),
                                   .now = clock_.Now(),
                                   .coupon = facts.coupon,
                                   .subscription = facts.subscription,
                                   .usage = usage};
  v1::AuditRecord who =
      guard_.Who(context, facts.action, facts.customer, facts.target, facts.amount, facts.currency);
  const policy::Decision decision = policy::Decide(policy, action_facts);
  if (!decision.allowed()) {
    absl::Status refused = co_await guard_.Refuse(std::move(who), decision);
    if (refused.ok()) {  // kNeedsApproval: operators approve refunds only.
      refused = absl::PermissionDeniedError(absl::StrCat(
          facts.action, " needs an operator; payvox files approvals for refunds only"));
    }
    co_return refused;
  }
  absl::StatusOr<StartedAction> started = co_await guard_.Start(who, key, reservation);
  if (started.status().code() == absl::StatusCode::kResourceExhausted) {
    const policy::Decision over{policy::Verdict::kDeny, "coupons.daily_count",
                                "coupon_daily_count_reached",
                                "This business's coupons for today are used up.",
                                "I can't create a discount today, but I'll pass it to the team."};
    co_return co_await guard_.Refuse(std::move(who), over);
  }
  PAYVOX_CO_RETURN_IF_ERROR(started.status());
  absl::StatusOr<Response> response = co_await body(key);
  const absl::StatusOr<std::string> result = response.ok()
                                                 ? absl::StatusOr<std::string>(result_id(*response))
                                                 : absl::StatusOr<std::string>(response.status());
  const absl::Status finished = co_await guard_.Finish(std::move(who), *started, result, request,
                                                       response.ok() ? &*response : nullptr);
  PAYVOX_CO_RETURN_IF_ERROR(finished);
  co_return response;
}

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_VOICE_ACTIONS_H_
