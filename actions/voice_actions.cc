#include "actions/voice_actions.h"

#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/catalog.h"
#include "actions/stripe_to_proto.h"
#include "actions/typed_actions.h"
#include "common/constant_time.h"
#include "common/error_detail.h"
#include "common/idempotency_key.h"
#include "common/redact.h"
#include "common/speech.h"
#include "common/status_macros.h"
#include "store/store.h"

namespace payvox {
namespace {

stripe::CallOptions CallOptionsFor(CallBounds bounds) {
  return stripe::CallOptions{.bounds = std::move(bounds)};
}

std::string ModeNote(stripe::Mode mode) {
  return absl::StrCat(" (this business is connected in Stripe ", stripe::ModeName(mode), " mode; ",
                      stripe::ModeName(mode), " and ",
                      mode == stripe::Mode::kLive ? "test" : "live", " customers are separate)");
}

}  // namespace

const std::vector<std::string>& VoiceActionNames() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>;
    for (const ActionSpec& spec : Catalog()) names->emplace_back(spec.name);
    return names;
  }();
  return *kNames;
}

VoiceActions::VoiceActions(stripe::StripeClient& stripe, StoreExecutor& store, const Clock& clock,
                           const Keyring& keyring, VoiceActionsOptions options)
    : stripe_(stripe),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      guard_(store, clock, keyring,
             {.tenant_id = options_.tenant_id,
              .default_policy = options_.default_policy,
              .metrics = options_.metrics}) {}

boost::asio::awaitable<absl::StatusOr<v1::FindCustomerResponse>> VoiceActions::FindCustomer(
    v1::FindCustomerRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const stripe::CallOptions call{.bounds = bounds};
  std::vector<stripe::Customer> matches;
  std::string searched;
  std::string ask_next;
  switch (request.query_case()) {
    case v1::FindCustomerRequest::kEmail: {
      PAYVOX_CO_RETURN_IF_ERROR(ValidateEmail(request.email()));
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                                 co_await stripe_.ListCustomersByEmail(request.email(), 10, call));
      matches = std::move(list.data);
      searched = absl::StrCat("the email ", MaskEmail(request.email()));
      ask_next = "Ask the caller for another email or the phone number on the account.";
      break;
    }
    case v1::FindCustomerRequest::kPhone: {
      PAYVOX_CO_RETURN_IF_ERROR(ValidatePhone(request.phone()));
      stripe::SearchQuery query;
      query.Equals("phone", request.phone());
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                                 co_await stripe_.SearchCustomers(std::move(query), 10, call));
      matches = std::move(list.data);
      searched = "that phone number";
      ask_next = "Ask the caller for the email on the account.";
      break;
    }
    case v1::FindCustomerRequest::kCustomerId: {
      absl::StatusOr<stripe::Customer> customer =
          co_await stripe_.GetCustomer(request.customer_id(), call);
      if (customer.ok()) {
        matches.push_back(*std::move(customer));
      } else if (customer.status().code() != absl::StatusCode::kNotFound) {
        co_return customer.status();
      }
      searched = absl::StrCat("the id ", request.customer_id());
      ask_next = "Ask the caller for the email or phone number on the account.";
      break;
    }
    case v1::FindCustomerRequest::QUERY_NOT_SET:
      co_return absl::InvalidArgumentError("set one of email, phone or customer_id");
  }
  std::erase_if(matches, [](const stripe::Customer& c) { return c.deleted; });

  if (matches.empty()) {
    co_return FlowError(
        absl::StatusCode::kNotFound,
        absl::StrCat("No Stripe customer has ", searched, ModeNote(stripe_.mode()), ". ", ask_next),
        "customer_not_found",
        "I couldn't find an account with that. Could you give me another email "
        "or the phone number on the account?");
  }
  v1::FindCustomerResponse response;
  for (const stripe::Customer& customer : matches) *response.add_customers() = ToProto(customer);
  if (matches.size() == 1) {
    response.set_say("I found your account.");
  } else {
    response.set_say(absl::StrCat("I found ", matches.size(),
                                  " accounts that match. Can you tell me the name on the account "
                                  "you're calling about?"));
  }
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::VerifyIdentityResponse>> VoiceActions::VerifyIdentity(
    v1::VerifyIdentityRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  const std::string& last4 = request.last4();
  if (last4.size() != 4 || !absl::c_all_of(last4, [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    co_return absl::InvalidArgumentError("last4 must be exactly 4 digits");
  }
  const VerificationKey key{options_.tenant_id, request.context().call_id(), request.customer_id()};
  // The tenant's policy may narrow the server's verification defaults.
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await guard_.Policy());
  const int max_attempts = policy.max_verification_attempts() > 0
                               ? policy.max_verification_attempts()
                               : options_.max_verification_attempts;
  const absl::Duration verification_ttl = policy.verification_ttl_seconds() > 0
                                              ? absl::Seconds(policy.verification_ttl_seconds())
                                              : options_.verification_ttl;
  absl::StatusOr<VerificationState> reserved = co_await store_.Run(
      [&](Store& store) { return store.ReserveVerificationAttempt(key, max_attempts); });
  if (reserved.status().code() == absl::StatusCode::kResourceExhausted) {
    co_return FlowError(
        absl::StatusCode::kResourceExhausted,
        absl::StrCat("The caller used all ", max_attempts,
                     " verification attempts for this customer in this call. Do not ask again; "
                     "offer a secure link or a transfer to a person."),
        "verification_attempts_exhausted",
        "I'm sorry, I can't verify your identity on this call. I can send you a secure link "
        "instead, or transfer you to a colleague.");
  }
  if (!reserved.ok()) co_return reserved.status();

  // Cards on file and cards of recent charges both count: a caller may
  // remember the card they paid with after replacing it.
  const stripe::CallOptions call{.bounds = bounds};
  absl::StatusOr<stripe::List<stripe::PaymentMethod>> cards =
      co_await stripe_.ListCards(request.customer_id(), call);
  if (!cards.ok()) {
    const absl::Status released =
        co_await store_.Run([&](Store& store) { return store.ReleaseVerificationAttempt(key); });
    PAYVOX_CO_RETURN_IF_ERROR(released);
    co_return cards.status();
  }
  stripe::ChargeFilter recent{.customer = request.customer_id(), .limit = 20};
  absl::StatusOr<stripe::List<stripe::Charge>> charges =
      co_await stripe_.ListCharges(std::move(recent), call);
  if (!charges.ok()) {
    const absl::Status released =
        co_await store_.Run([&](Store& store) { return store.ReleaseVerificationAttempt(key); });
    PAYVOX_CO_RETURN_IF_ERROR(released);
    co_return charges.status();
  }
  // Compare against every candidate without stopping early.
  bool match = false;
  for (const stripe::PaymentMethod& method : cards->data) {
    match |= ConstantTimeEquals(method.card.last4, last4);
  }
  for (const stripe::Charge& charge : charges->data) {
    match |= ConstantTimeEquals(charge.card.last4, last4);
  }

  v1::VerifyIdentityResponse response;
  const int remaining = max_attempts - reserved->attempts_used;
  if (match) {
    const absl::Time until = clock_.Now() + verification_ttl;
    const absl::Status marked =
        co_await store_.Run([&](Store& store) { return store.MarkVerified(key, until); });
    PAYVOX_CO_RETURN_IF_ERROR(marked);
    response.set_verified(true);
    response.set_verified_until(absl::ToUnixSeconds(until));
    response.set_attempts_remaining(remaining);
    response.set_say("Thank you, that matches the card on file. You're verified.");
    co_return response;
  }
  response.set_verified(false);
  response.set_attempts_remaining(remaining);
  response.set_say(remaining > 0
                       ? absl::StrCat("That doesn't match the card on file. You can try ",
                                      Plural(remaining, "more time"), ".")
                       : std::string("That doesn't match the card on file, and I can't try again "
                                     "on this call."));
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::ListChargesResponse>> VoiceActions::ListCharges(
    v1::ListChargesRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("list_charges");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  const int limit = request.limit() == 0 ? 10 : request.limit();
  if (limit < 1 || limit > 100) co_return absl::InvalidArgumentError("limit must be 1 to 100");
  stripe::ChargeFilter filter{.customer = request.customer_id(),
                              .limit = limit,
                              .starting_after = request.starting_after()};
  const stripe::CallOptions call{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await stripe_.ListCharges(std::move(filter), call));
  v1::ListChargesResponse response;
  for (const stripe::Charge& charge : charges.data) *response.add_charges() = ToProto(charge);
  response.set_has_more(charges.has_more);
  if (charges.data.empty()) {
    response.set_say("I don't see any charges on this account.");
    co_return response;
  }
  const v1::Charge& latest = response.charges(0);
  std::string outcome = "and it went through";
  if (latest.status() == v1::CHARGE_STATUS_FAILED) {
    outcome = absl::StrCat("and it didn't go through: ", latest.failure_reason());
  } else if (latest.refunded()) {
    outcome = "and it was refunded";
  } else if (latest.status() == v1::CHARGE_STATUS_PENDING) {
    outcome = "and it is still processing";
  }
  const std::string card =
      latest.has_card()
          ? absl::StrCat(" on your ", CardPhrase(latest.card().brand(), latest.card().last4()))
          : "";
  response.set_say(absl::StrCat(
      "I see ", Plural(response.charges_size(), "recent charge"), ". The latest is ",
      latest.amount().display(), " on ",
      DatePhrase(absl::FromUnixSeconds(latest.created()), clock_.Now(), options_.time_zone), card,
      ", ", outcome, "."));
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<stripe::Charge>> VoiceActions::LoadCharge(
    std::string charge_id, stripe::CallOptions read) {
  if (!charge_id.starts_with("pi_")) co_return co_await stripe_.GetCharge(charge_id, read);
  stripe::ChargeFilter filter{.payment_intent = charge_id, .limit = 1};
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await stripe_.ListCharges(std::move(filter), read));
  if (charges.data.empty()) {
    co_return absl::NotFoundError(absl::StrCat("Payment ", charge_id, " has no charge to refund."));
  }
  co_return std::move(charges.data.front());
}

boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> VoiceActions::RunCreateRefund(
    v1::CreateRefundRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("charge_id", request.charge_id(), {"ch_", "py_", "pi_"}));
  if (request.amount_minor() < 0 || request.amount_minor() > kMaxAmountMinor) {
    co_return absl::InvalidArgumentError(
        "amount_minor must be 0 (everything refundable) or a positive amount up to 99999999");
  }
  const std::string& reason = request.reason();
  if (!reason.empty() && reason != "duplicate" && reason != "fraudulent" &&
      reason != "requested_by_customer") {
    co_return absl::InvalidArgumentError(
        "reason must be duplicate, fraudulent or requested_by_customer");
  }
  if (request.note().size() > 500)
    co_return absl::InvalidArgumentError("note must be at most 500 characters");
  PAYVOX_CO_RETURN_IF_ERROR(RejectCardNumbers("note", request.note()));
  // A retry of a refund that went through is answered as it was the first
  // time, without asking Stripe or the policy again.
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::optional<v1::CreateRefundResponse> saved,
      co_await guard_.Replay<v1::CreateRefundResponse>(RefundKey(request.context()), request));
  if (saved.has_value()) co_return *std::move(saved);

  // The charge tells whose identity this refund needs.
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Charge charge,
                             co_await LoadCharge(request.charge_id(), CallOptionsFor(bounds)));
  // The caller's verification and today's refunds, in one store call; the
  // policy comes from memory.
  const VerificationKey verification_key{options_.tenant_id, request.context().call_id(),
                                         charge.customer};
  const UsageKey usage_key{options_.tenant_id, "refund", charge.currency, guard_.Today()};
  using Facts = std::pair<VerificationState, Usage>;
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const Facts facts_read, co_await store_.Run([&](Store& store) -> absl::StatusOr<Facts> {
        PAYVOX_ASSIGN_OR_RETURN(VerificationState verification,
                                store.GetVerification(verification_key));
        PAYVOX_ASSIGN_OR_RETURN(Usage usage, store.GetUsage(usage_key, charge.customer));
        return Facts{verification, usage};
      }));
  const auto& [verification, usage] = facts_read;
  const bool verified = !charge.customer.empty() && verification.verified_until > clock_.Now();
  const int64_t refundable = charge.amount - charge.amount_refunded;
  // Zero asks Stripe for everything refundable; that amount is what counts
  // against limits. The request itself goes to Stripe unchanged, so a retry
  // (after which nothing is refundable any more) matches its first try.
  const int64_t amount = request.amount_minor() == 0 ? refundable : request.amount_minor();

  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await guard_.Policy());
  policy::ActionFacts facts{.action = "create_refund",
                            .capability = amount < refundable ? "partial_refunds" : "full_refunds",
                            .action_class = policy::ActionClass::kWrite,
                            .caller_verified = verified,
                            .confirmed = request.context().confirmed(),
                            .now = clock_.Now(),
                            .usage = {.tenant_refunded_today = usage.tenant_total,
                                      .customer_refunded_today = usage.customer_total}};
  facts.refund = policy::RefundFacts{.amount = amount,
                                     .currency = charge.currency,
                                     .partial = amount < refundable,
                                     .reason = reason,
                                     .charge_created = absl::FromUnixSeconds(charge.created),
                                     .disputed = charge.disputed,
                                     .risk_level = charge.risk_level,
                                     .fraudulent = charge.outcome_reason == "fraudulent"};
  const v1::AuditRecord who = guard_.Who(request.context(), "create_refund", charge.customer,
                                         charge.id, amount, charge.currency);
  const policy::Decision decision = policy::Decide(policy, facts);
  if (decision.verdict == policy::Verdict::kNeedsApproval) {
    co_return co_await FileForApproval(std::move(request), charge, amount, decision, who);
  }
  if (!decision.allowed()) co_return co_await guard_.Refuse(who, decision);

  const std::optional<int64_t> tenant_limit =
      policy::LimitFor(policy.refunds().daily_limit(), charge.currency);
  const std::optional<int64_t> customer_limit =
      policy::LimitFor(policy.refunds().daily_limit_per_customer(), charge.currency);
  co_return co_await RefundOnStripe(std::move(request), charge, amount, who, tenant_limit,
                                    customer_limit, bounds);
}

std::string VoiceActions::WriteKey(const v1::CallContext& context, absl::string_view action) const {
  return DeriveIdempotencyKey(
      {options_.tenant_id, context.call_id(), context.request_id(), action});
}

boost::asio::awaitable<absl::StatusOr<bool>> VoiceActions::Verified(
    const v1::CallContext& context, const std::string& customer_id) {
  const VerificationKey key{options_.tenant_id, context.call_id(), customer_id};
  PAYVOX_CO_ASSIGN_OR_RETURN(const VerificationState state, co_await store_.Run([&](Store& store) {
    return store.GetVerification(key);
  }));
  co_return state.verified_until > clock_.Now();
}

std::string VoiceActions::RefundKey(const v1::CallContext& context) const {
  return DeriveIdempotencyKey(
      {options_.tenant_id, context.call_id(), context.request_id(), "create_refund"});
}

boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> VoiceActions::FileForApproval(
    v1::CreateRefundRequest request, const stripe::Charge& charge, int64_t amount,
    const policy::Decision& decision, v1::AuditRecord who) {
  StoredApproval stored;
  v1::Approval& approval = stored.approval;
  approval.set_approval_id(absl::StrCat(
      "apv_", DeriveIdempotencyKey({options_.tenant_id, request.context().call_id(),
                                    request.context().request_id(), "approve_create_refund"})
                  .substr(4, 24)));
  approval.set_tenant_id(options_.tenant_id);
  approval.set_action("create_refund");
  *approval.mutable_amount() = ToMoney(amount, charge.currency);
  approval.set_customer_id(charge.customer);
  approval.set_target_id(request.charge_id());
  *approval.mutable_context() = request.context();
  approval.set_state("pending");
  approval.set_created(absl::ToUnixSeconds(clock_.Now()));
  approval.set_expires_at(absl::ToUnixSeconds(clock_.Now() + options_.approval_ttl));
  stored.payload = request.SerializeAsString();
  // A retried request files nothing new: the approval id is derived from it.
  const absl::Status created =
      co_await store_.Run([&](Store& store) { return store.CreateApproval(stored); });
  if (!created.ok() && created.code() != absl::StatusCode::kAlreadyExists) co_return created;
  const absl::Status audited =
      co_await guard_.Refuse(std::move(who), decision, approval.approval_id());
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  v1::CreateRefundResponse response;
  response.set_approval_id(approval.approval_id());
  response.set_say(decision.say);
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> VoiceActions::RefundOnStripe(
    v1::CreateRefundRequest request, const stripe::Charge& charge, int64_t amount,
    v1::AuditRecord who, std::optional<int64_t> tenant_limit, std::optional<int64_t> customer_limit,
    CallBounds bounds) {
  const std::string idempotency_key = RefundKey(request.context());
  const std::optional<ReservationRequest> reservation =
      ReservationRequest{.key = {options_.tenant_id, "refund", charge.currency, guard_.Today()},
                         .idempotency_key = idempotency_key,
                         .customer_id = charge.customer,
                         .amount = amount,
                         .tenant_limit = tenant_limit,
                         .customer_limit = customer_limit,
                         .expires_at = clock_.Now() + options_.reservation_ttl};
  // Reservation and intent are written together, before Stripe is called.
  absl::StatusOr<StartedAction> started = co_await guard_.Start(who, idempotency_key, reservation);
  if (started.status().code() == absl::StatusCode::kResourceExhausted) {
    // Concurrent refunds took the room the policy check saw.
    const policy::Decision over_limit{
        policy::Verdict::kDeny, "refunds.daily_limit", "refund_over_daily_limit",
        absl::StrCat("This refund would pass a daily refund limit (", started.status().message(),
                     "); a person on the team must handle it."),
        "I can't issue that refund today, but I'll pass it to the team."};
    co_return co_await guard_.Refuse(std::move(who), over_limit);
  }
  PAYVOX_CO_RETURN_IF_ERROR(started.status());

  const bool by_intent = request.charge_id().starts_with("pi_");
  stripe::RefundParams params{.amount = request.amount_minor(), .reason = request.reason()};
  (by_intent ? params.payment_intent : params.charge) = request.charge_id();
  params.metadata = {{"payvox_call_id", request.context().call_id()},
                     {"payvox_request_id", request.context().request_id()}};
  if (!request.context().agent_id().empty()) {
    params.metadata.emplace_back("payvox_agent_id", request.context().agent_id());
  }
  if (!request.note().empty()) params.metadata.emplace_back("payvox_note", request.note());
  stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
  const absl::StatusOr<stripe::Refund> refund =
      co_await stripe_.CreateRefund(std::move(params), std::move(write));
  if (!refund.ok()) {
    const absl::StatusOr<std::string> result = refund.status();
    const absl::Status finished =
        co_await guard_.Finish(std::move(who), *started, result, request, nullptr);
    PAYVOX_CO_RETURN_IF_ERROR(finished);
    co_return refund.status();
  }

  v1::CreateRefundResponse response;
  *response.mutable_refund() = ToProto(*refund);
  const std::string card =
      charge.card.last4.empty() ? "card" : CardPhrase(charge.card.brand, charge.card.last4);
  const std::string refunded = response.refund().amount().display();
  if (refund->status == "failed" || refund->status == "canceled") {
    response.set_say(absl::StrCat("I'm sorry, the refund of ", refunded, " did not go through."));
  } else {
    response.set_say(absl::StrCat("Your refund of ", refunded,
                                  " is on its way; it usually takes 5 to 10 business days to "
                                  "show up on your ",
                                  card, "."));
  }
  const absl::StatusOr<std::string> result = refund->id;
  const absl::Status finished =
      co_await guard_.Finish(std::move(who), *started, result, request, &response);
  PAYVOX_CO_RETURN_IF_ERROR(finished);
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::CreateRefundResponse>> VoiceActions::ExecuteApproved(
    StoredApproval approved, CallBounds bounds) {
  v1::CreateRefundRequest request;
  if (approved.approval.action() != "create_refund" || !request.ParseFromString(approved.payload)) {
    co_return absl::DataLossError(absl::StrCat("approval ", approved.approval.approval_id(),
                                               " holds no refund payvox can run"));
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(stripe::Charge charge,
                             co_await LoadCharge(request.charge_id(), CallOptionsFor(bounds)));
  const int64_t amount = approved.approval.amount().amount_minor();
  v1::AuditRecord who = guard_.Who(request.context(), "create_refund", charge.customer, charge.id,
                                   amount, charge.currency);
  who.set_agent_id(absl::StrCat("approved by ", approved.approval.decided_by()));
  // An operator approved it: no limit stops it, but it counts toward them.
  co_return co_await RefundOnStripe(std::move(request), charge, amount, std::move(who),
                                    std::nullopt, std::nullopt, bounds);
}

// The writes: each runs its body once for concurrent calls of one request
// (VoiceActions::Once).
#define PAYVOX_WRITE_ONCE(Rpc, action)                                                             \
  boost::asio::awaitable<absl::StatusOr<v1::Rpc##Response>> VoiceActions::Rpc(                     \
      v1::Rpc##Request request, CallBounds bounds) {                                               \
    std::string key = WriteKey(request.context(), action);                                         \
    auto run = [this, &request, &bounds] { return Run##Rpc(std::move(request), bounds); };         \
    co_return co_await Once<v1::Rpc##Response>(std::move(key), request, request.context(), bounds, \
                                               std::move(run));                                    \
  }

PAYVOX_TYPED_ACTIONS(PAYVOX_IGNORE_ACTION, PAYVOX_WRITE_ONCE)

#undef PAYVOX_WRITE_ONCE

boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> VoiceActions::RunStripeAction(
    const ActionSpec& spec, v1::ExecuteRequest request, CallBounds bounds) {
  if (spec.action_class == policy::ActionClass::kRead) {
    co_return co_await SendStripeAction(spec, std::move(request), std::move(bounds));
  }
  std::string key = WriteKey(request.context(), std::string(spec.name));
  auto run = [this, &spec, &request, &bounds] {
    return SendStripeAction(spec, std::move(request), bounds);
  };
  co_return co_await Once<v1::ExecuteResponse>(std::move(key), request, request.context(), bounds,
                                               std::move(run));
}

}  // namespace payvox
