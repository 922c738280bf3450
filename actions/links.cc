#include "actions/links.h"

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

Action<v1::CreatePaymentLinkResponse> LinkActions::CreatePaymentLink(
    v1::CreatePaymentLinkRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(stripe::ValidateStripeId("price_id", request.price_id(), {"price_"}));
  if (request.quantity() < 0 || request.quantity() > 10'000) {
    co_return absl::InvalidArgumentError("quantity must be 1 to 10000 (0 means 1)");
  }
  auto plan = [&](const v1::TenantPolicy&)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CreatePaymentLinkResponse>>> {
    // A link for a price belongs to no customer: it needs no caller identity.
    WritePlan<v1::CreatePaymentLinkResponse> write;
    write.target = request.price_id();
    write.send = [&](const std::string& key) -> Action<v1::CreatePaymentLinkResponse> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::PaymentLink link,
          co_await env_.stripe.CreatePaymentLink(request.price_id(), request.quantity(), options));
      v1::CreatePaymentLinkResponse response;
      response.set_payment_link_id(link.id);
      response.set_url(link.url);
      response.set_say(
          "I've made a secure payment link for you. I can send it by text message or email.");
      co_return response;
    };
    write.result_id = [](const v1::CreatePaymentLinkResponse& response) {
      return response.payment_link_id();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::CreatePaymentLinkResponse>(
      request, context, "create_payment_link", bounds, std::move(plan));
}

Action<v1::CreatePortalSessionResponse> LinkActions::CreatePortalSession(
    v1::CreatePortalSessionRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateUrl("return_url", request.return_url()));
  auto plan = [&](const v1::TenantPolicy&)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CreatePortalSessionResponse>>> {
    // The portal manages the customer's cards and plans: it needs the
    // customer's verified identity.
    WritePlan<v1::CreatePortalSessionResponse> write;
    write.customer = request.customer_id();
    write.target = request.customer_id();
    write.send = [&](const std::string& key) -> Action<v1::CreatePortalSessionResponse> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::BillingPortalSession session,
                                 co_await env_.stripe.CreatePortalSession(
                                     request.customer_id(), request.return_url(), options));
      v1::CreatePortalSessionResponse response;
      response.set_url(session.url);
      response.set_say(
          "I've made a secure link where you can update your card and manage your plan. I can "
          "send it by text message or email.");
      co_return response;
    };
    write.result_id = [](const v1::CreatePortalSessionResponse& response) {
      return response.url();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::CreatePortalSessionResponse>(
      request, context, "create_portal_session", bounds, std::move(plan));
}

}  // namespace payvox
