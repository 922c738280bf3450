#include "actions/handoff.h"

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

Action<v1::StartSecurePaymentResponse> HandoffActions::StartSecurePayment(
    v1::StartSecurePaymentRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney("amount", request.amount()));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("description", request.description(), 500));
  // The hand-off session's id is derived from the request, like its key.
  const std::string session_id =
      absl::StrCat("hos_", env_.WriteKey(request.context(), "start_secure_payment").substr(4, 24));
  auto plan = [&](const v1::TenantPolicy&)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::StartSecurePaymentResponse>>> {
    WritePlan<v1::StartSecurePaymentResponse> write;
    write.customer = request.customer_id();
    write.target = session_id;
    write.amount = request.amount().amount_minor();
    write.currency = request.amount().currency();
    write.send = [&](const std::string& key) -> Action<v1::StartSecurePaymentResponse> {
      stripe::PaymentIntentParams params{
          .amount = request.amount().amount_minor(),
          .currency = request.amount().currency(),
          .customer = request.customer_id(),
          .description = request.description(),
          .metadata = {{"payvox_call_id", request.context().call_id()},
                       {"payvox_handoff_session", session_id}}};
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::PaymentIntent intent,
          co_await env_.stripe.CreatePaymentIntent(std::move(params), options));
      const HandoffSession session{.tenant_id = env_.options.tenant_id,
                                   .session_id = session_id,
                                   .call_id = request.context().call_id(),
                                   .customer_id = request.customer_id(),
                                   .payment_intent_id = intent.id,
                                   .amount = intent.amount,
                                   .currency = intent.currency,
                                   .created = env_.clock.Now()};
      const absl::Status stored = co_await env_.store.Run(
          [&](Store& store) { return store.CreateHandoffSession(session); });
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
    write.result_id = [](const v1::StartSecurePaymentResponse& response) {
      return response.payment_intent_id();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::StartSecurePaymentResponse>(
      request, context, "start_secure_payment", bounds, std::move(plan));
}

}  // namespace payvox
