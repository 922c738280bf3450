// VoiceActions: payments beyond the refund flow (a payment's status,
// duplicates, refunds read back), links, and the secure card hand-off.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "actions/voice_actions.h"
#include "client/stripe_decoders.h"
#include "common/error_detail.h"
#include "common/idempotency_key.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

using stripe::HttpMethod;

boost::asio::awaitable<absl::StatusOr<v1::GetPaymentResponse>> VoiceActions::GetPayment(
    v1::GetPaymentRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("get_payment");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  const std::string& id = request.payment_id();
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("payment_id", id, {"ch_", "py_", "pi_", "in_"}));
  const stripe::CallOptions read{.bounds = bounds};
  const Speaking speaking{clock_.Now(), options_.time_zone};
  v1::GetPaymentResponse response;
  if (id.starts_with("in_")) {
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice invoice, co_await LoadInvoice(id, bounds));
    *response.mutable_invoice() = ToProto(invoice);
    response.set_subscription_id(invoice.subscription);
    response.set_say(InvoiceSay(invoice, speaking));
    co_return response;
  }
  std::string charge_id = id;
  if (id.starts_with("pi_")) {
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::PaymentIntent intent,
        co_await stripe_.Call(HttpMethod::kGet, absl::StrCat("/v1/payment_intents/", id), {}, read,
                              stripe::DecodePaymentIntent));
    *response.mutable_payment_intent() = ToProto(intent);
    response.set_say(IntentSay(intent, speaking));
    charge_id = intent.latest_charge;
    if (charge_id.empty()) co_return response;
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Charge charge,
                             co_await stripe_.GetCharge(charge_id, read));
  *response.mutable_charge() = ToProto(charge);
  if (!response.has_payment_intent()) response.set_say(PaymentSay(response.charge(), speaking));
  if (!charge.invoice.empty()) {
    // What the payment was for: the invoice's subscription.
    absl::StatusOr<stripe::Invoice> invoice = co_await LoadInvoice(charge.invoice, bounds);
    if (invoice.ok()) {
      response.set_subscription_id(invoice->subscription);
      *response.mutable_invoice() = ToProto(*invoice);
    }
  }
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::FindDuplicateChargesResponse>>
VoiceActions::FindDuplicateCharges(v1::FindDuplicateChargesRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("find_duplicate_charges");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  if (request.window_seconds() < 0 || request.window_seconds() > 31 * 86400) {
    co_return absl::InvalidArgumentError("window_seconds must be 0 (one day) to 2678400 (31 days)");
  }
  const int64_t window = request.window_seconds() == 0 ? 86400 : request.window_seconds();
  stripe::ChargeFilter filter{.customer = request.customer_id(), .limit = 100};
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await stripe_.ListCharges(std::move(filter), read));
  // Charges that went through and were not refunded, oldest first.
  std::vector<stripe::Charge> paid;
  for (stripe::Charge& charge : charges.data) {
    if (charge.status == "succeeded" && charge.amount_refunded < charge.amount) {
      paid.push_back(std::move(charge));
    }
  }
  std::stable_sort(paid.begin(), paid.end(), [](const stripe::Charge& a, const stripe::Charge& b) {
    return a.created < b.created;
  });
  std::vector<bool> grouped(paid.size(), false);
  v1::FindDuplicateChargesResponse response;
  for (size_t i = 0; i < paid.size(); ++i) {
    if (grouped[i]) continue;
    std::vector<size_t> members = {i};
    for (size_t j = i + 1; j < paid.size(); ++j) {
      const stripe::Charge& last = paid[members.back()];
      if (!grouped[j] && paid[j].amount == last.amount && paid[j].currency == last.currency &&
          paid[j].created - last.created <= window) {
        members.push_back(j);
      }
    }
    if (members.size() < 2) continue;
    v1::DuplicateGroup* group = response.add_groups();
    for (const size_t member : members) {
      grouped[member] = true;
      *group->add_charges() = ToProto(paid[member]);
    }
    group->set_refund_charge_id(paid[members.back()].id);
  }
  const Speaking speaking{clock_.Now(), options_.time_zone};
  if (response.groups().empty()) {
    response.set_say("I don't see any duplicate charges on this account.");
  } else if (response.groups_size() == 1) {
    const v1::DuplicateGroup& group = response.groups(0);
    response.set_say(absl::StrCat(
        "I see ", group.charges_size(), " charges of ", group.charges(0).amount().display(), " on ",
        DatePhrase(absl::FromUnixSeconds(group.charges(0).created()), speaking.now, speaking.zone),
        ". I can refund the extra one."));
  } else {
    response.set_say(absl::StrCat("I see ", response.groups_size(),
                                  " sets of duplicate charges. I can refund the extra ones."));
  }
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::GetRefundResponse>> VoiceActions::GetRefund(
    v1::GetRefundRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("get_refund");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("refund_id", request.refund_id(), {"re_", "pyr_"}));
  const stripe::CallOptions read{.bounds = bounds};
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const stripe::Refund refund,
      co_await stripe_.Call(HttpMethod::kGet, absl::StrCat("/v1/refunds/", request.refund_id()), {},
                            read, stripe::DecodeRefund));
  v1::GetRefundResponse response;
  *response.mutable_refund() = ToProto(refund);
  response.set_say(RefundSay(response.refund(), {clock_.Now(), options_.time_zone}));
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::ListRefundsResponse>> VoiceActions::ListRefunds(
    v1::ListRefundsRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await ReadAllowed("list_refunds");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(request.limit()));
  if (request.charge_id().empty() == request.customer_id().empty()) {
    co_return absl::InvalidArgumentError("set exactly one of charge_id and customer_id");
  }
  const int limit = request.limit() == 0 ? 10 : request.limit();
  const stripe::CallOptions read{.bounds = bounds};
  std::vector<stripe::Refund> refunds;
  if (!request.charge_id().empty()) {
    PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                               co_await stripe_.ListRefunds(request.charge_id(), limit, read));
    refunds = std::move(list.data);
  } else {
    // Stripe lists refunds by charge only: read the customer's refunded
    // charges, newest first, until `limit` refunds are found.
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
    stripe::ChargeFilter filter{.customer = request.customer_id(), .limit = 100};
    PAYVOX_CO_ASSIGN_OR_RETURN(auto charges, co_await stripe_.ListCharges(std::move(filter), read));
    for (const stripe::Charge& charge : charges.data) {
      if (charge.amount_refunded == 0 || static_cast<int>(refunds.size()) >= limit) continue;
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list, co_await stripe_.ListRefunds(charge.id, limit, read));
      for (stripe::Refund& refund : list.data) refunds.push_back(std::move(refund));
    }
    if (static_cast<int>(refunds.size()) > limit) refunds.resize(static_cast<size_t>(limit));
  }
  v1::ListRefundsResponse response;
  for (const stripe::Refund& refund : refunds) *response.add_refunds() = ToProto(refund);
  if (refunds.empty()) {
    response.set_say("I don't see any refunds.");
  } else {
    response.set_say(absl::StrCat(
        "I see ", Plural(response.refunds_size(), "refund"),
        ". The latest: ", RefundSay(response.refunds(0), {clock_.Now(), options_.time_zone})));
  }
  co_return response;
}

boost::asio::awaitable<absl::StatusOr<v1::CreatePaymentLinkResponse>>
VoiceActions::RunCreatePaymentLink(v1::CreatePaymentLinkRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(stripe::ValidateStripeId("price_id", request.price_id(), {"price_"}));
  if (request.quantity() < 0 || request.quantity() > 10'000) {
    co_return absl::InvalidArgumentError("quantity must be 1 to 10000 (0 means 1)");
  }
  const std::string key = WriteKey(request.context(), "create_payment_link");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::CreatePaymentLinkResponse> saved,
                             co_await guard_.Replay<v1::CreatePaymentLinkResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  WriteFacts facts{
      .action = "create_payment_link", .capability = "payment_links", .target = request.price_id()};
  WriteBody<v1::CreatePaymentLinkResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::CreatePaymentLinkResponse>> {
    FormParams params;
    params.Add("line_items[0][price]", request.price_id());
    params.Add("line_items[0][quantity]", absl::StrCat(std::max<int64_t>(1, request.quantity())));
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::PaymentLink link,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/payment_links", std::move(params), write,
                              stripe::DecodePaymentLink));
    v1::CreatePaymentLinkResponse response;
    response.set_payment_link_id(link.id);
    response.set_url(link.url);
    response.set_say(
        "I've made a secure payment link for you. I can send it by text message or email.");
    co_return response;
  };
  std::function<std::string(const v1::CreatePaymentLinkResponse&)> result_id =
      [](const v1::CreatePaymentLinkResponse& response) { return response.payment_link_id(); };
  co_return co_await Guarded<v1::CreatePaymentLinkResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::CreatePortalSessionResponse>>
VoiceActions::RunCreatePortalSession(v1::CreatePortalSessionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateUrl("return_url", request.return_url()));
  const std::string key = WriteKey(request.context(), "create_portal_session");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::CreatePortalSessionResponse> saved,
                             co_await guard_.Replay<v1::CreatePortalSessionResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  // The portal manages the customer's cards and plans: it needs the
  // customer's verified identity.
  WriteFacts facts{.action = "create_portal_session",
                   .capability = "portal_links",
                   .customer = request.customer_id(),
                   .target = request.customer_id()};
  WriteBody<v1::CreatePortalSessionResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::CreatePortalSessionResponse>> {
    FormParams params;
    params.Add("customer", request.customer_id());
    if (!request.return_url().empty()) params.Add("return_url", request.return_url());
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::BillingPortalSession session,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/billing_portal/sessions", std::move(params),
                              write, stripe::DecodeBillingPortalSession));
    v1::CreatePortalSessionResponse response;
    response.set_url(session.url);
    response.set_say(
        "I've made a secure link where you can update your card and manage your plan. I can "
        "send it by text message or email.");
    co_return response;
  };
  std::function<std::string(const v1::CreatePortalSessionResponse&)> result_id =
      [](const v1::CreatePortalSessionResponse& response) { return response.url(); };
  co_return co_await Guarded<v1::CreatePortalSessionResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

boost::asio::awaitable<absl::StatusOr<v1::StartSecurePaymentResponse>>
VoiceActions::RunStartSecurePayment(v1::StartSecurePaymentRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney("amount", request.amount()));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("description", request.description(), 500));
  const std::string key = WriteKey(request.context(), "start_secure_payment");
  PAYVOX_CO_ASSIGN_OR_RETURN(std::optional<v1::StartSecurePaymentResponse> saved,
                             co_await guard_.Replay<v1::StartSecurePaymentResponse>(key, request));
  if (saved.has_value()) co_return *std::move(saved);
  const std::string session_id = absl::StrCat("hos_", key.substr(4, 24));
  WriteFacts facts{.action = "start_secure_payment",
                   .capability = "secure_payments",
                   .customer = request.customer_id(),
                   .target = session_id,
                   .amount = request.amount().amount_minor(),
                   .currency = request.amount().currency()};
  WriteBody<v1::StartSecurePaymentResponse> body = [&](const std::string& idempotency_key)
      -> boost::asio::awaitable<absl::StatusOr<v1::StartSecurePaymentResponse>> {
    FormParams params;
    params.Add("amount", absl::StrCat(request.amount().amount_minor()));
    params.Add("currency", request.amount().currency());
    params.Add("customer", request.customer_id());
    if (!request.description().empty()) params.Add("description", request.description());
    params.Add("payment_method_types[]", "card");
    params.Add("metadata[payvox_call_id]", request.context().call_id());
    params.Add("metadata[payvox_handoff_session]", session_id);
    const stripe::CallOptions write{.bounds = bounds, .idempotency_key = idempotency_key};
    PAYVOX_CO_ASSIGN_OR_RETURN(
        const stripe::PaymentIntent intent,
        co_await stripe_.Call(HttpMethod::kPost, "/v1/payment_intents", std::move(params), write,
                              stripe::DecodePaymentIntent));
    const HandoffSession session{.tenant_id = options_.tenant_id,
                                 .session_id = session_id,
                                 .call_id = request.context().call_id(),
                                 .customer_id = request.customer_id(),
                                 .payment_intent_id = intent.id,
                                 .amount = intent.amount,
                                 .currency = intent.currency,
                                 .created = clock_.Now()};
    const absl::Status stored =
        co_await store_.Run([&](Store& store) { return store.CreateHandoffSession(session); });
    PAYVOX_CO_RETURN_IF_ERROR(stored);
    v1::StartSecurePaymentResponse response;
    response.set_payment_intent_id(intent.id);
    response.set_handoff_session_id(session_id);
    response.set_client_secret(intent.client_secret);
    response.set_say(absl::StrCat(
        "I'll connect you to our secure payment line for ",
        FormatMoney(intent.amount, intent.currency),
        ". Enter your card number on your phone's keypad; I won't hear or see the digits."));
    co_return response;
  };
  std::function<std::string(const v1::StartSecurePaymentResponse&)> result_id =
      [](const v1::StartSecurePaymentResponse& response) { return response.payment_intent_id(); };
  co_return co_await Guarded<v1::StartSecurePaymentResponse>(
      request.context(), std::move(facts), request, std::move(body), std::move(result_id));
}

}  // namespace payvox
