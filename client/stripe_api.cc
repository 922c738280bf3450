#include "client/stripe_api.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/stripe_api_requests.h"
#include "client/stripe_decoders.h"
#include "common/status_macros.h"

namespace payvox::stripe {
namespace api_requests {

StripeRequest Request(HttpMethod method, std::string path, FormParams params,
                      const CallOptions& options) {
  StripeRequest request;
  request.method = method;
  request.path = std::move(path);
  request.params = std::move(params);
  request.bounds = options.bounds;
  request.idempotency_key = options.idempotency_key;
  return request;
}

absl::Status ValidateLimit(int limit) {
  if (limit < 1 || limit > 100) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be 1 to 100; got ", limit));
  }
  return absl::OkStatus();
}

void AddMetadata(FormParams& params, const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    params.Add(absl::StrCat("metadata[", key, "]"), value);
  }
}

}  // namespace api_requests

using api_requests::AddMetadata;
using api_requests::Fetch;
using api_requests::Get;
using api_requests::Post;
using api_requests::ValidateLimit;

absl::Status ValidateStripeId(absl::string_view field, absl::string_view id,
                              std::initializer_list<absl::string_view> prefixes) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  const bool well_formed = id.size() <= 255 && absl::c_all_of(id, [](char c) {
                             return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
                           });
  bool prefixed = false;
  for (absl::string_view prefix : prefixes) prefixed = prefixed || absl::StartsWith(id, prefix);
  if (!well_formed || !prefixed) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be a Stripe id starting with ", absl::StrJoin(prefixes, " or "),
        well_formed ? absl::StrCat("; got \"", id, "\"") : std::string("; got malformed text")));
  }
  return absl::OkStatus();
}

Async<Customer> StripeApi::GetCustomer(std::string customer_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", customer_id, {"cus_"}));
  StripeRequest request = Get(absl::StrCat("/v1/customers/", customer_id), {}, options);
  co_return co_await Fetch<Customer>(client_, std::move(request), DecodeCustomer);
}

Async<List<Customer>> StripeApi::ListCustomersByEmail(std::string email, int limit,
                                                      CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(limit));
  FormParams params;
  params.Add("email", std::move(email));
  params.Add("limit", absl::StrCat(limit));
  StripeRequest request = Get("/v1/customers", std::move(params), options);
  co_return co_await Fetch<List<Customer>>(client_, std::move(request), DecodeCustomerList);
}

Async<List<Customer>> StripeApi::SearchCustomers(SearchQuery query, int limit,
                                                 CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(limit));
  FormParams params;
  params.Add("query", query.str());
  params.Add("limit", absl::StrCat(limit));
  StripeRequest request = Get("/v1/customers/search", std::move(params), options);
  co_return co_await Fetch<List<Customer>>(client_, std::move(request), DecodeCustomerList);
}

Async<List<PaymentMethod>> StripeApi::ListCards(std::string customer_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", customer_id, {"cus_"}));
  FormParams params;
  params.Add("type", "card");
  params.Add("limit", "100");
  StripeRequest request = Get(absl::StrCat("/v1/customers/", customer_id, "/payment_methods"),
                              std::move(params), options);
  co_return co_await Fetch<List<PaymentMethod>>(client_, std::move(request),
                                                DecodePaymentMethodList);
}

Async<List<Charge>> StripeApi::ListCharges(ChargeFilter filter, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(filter.limit));
  FormParams params;
  if (!filter.customer.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", filter.customer, {"cus_"}));
    params.Add("customer", filter.customer);
  }
  if (!filter.payment_intent.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("payment_intent", filter.payment_intent, {"pi_"}));
    params.Add("payment_intent", filter.payment_intent);
  }
  if (!filter.starting_after.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(
        ValidateStripeId("starting_after", filter.starting_after, {"ch_", "py_"}));
    params.Add("starting_after", filter.starting_after);
  }
  params.Add("limit", absl::StrCat(filter.limit));
  StripeRequest request = Get("/v1/charges", std::move(params), options);
  co_return co_await Fetch<List<Charge>>(client_, std::move(request), DecodeChargeList);
}

Async<Charge> StripeApi::GetCharge(std::string charge_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("charge_id", charge_id, {"ch_", "py_"}));
  StripeRequest request = Get(absl::StrCat("/v1/charges/", charge_id), {}, options);
  co_return co_await Fetch<Charge>(client_, std::move(request), DecodeCharge);
}

Async<Refund> StripeApi::CreateRefund(RefundParams params, CallOptions options) {
  if (params.charge.empty() == params.payment_intent.empty()) {
    co_return absl::InvalidArgumentError("a refund needs exactly one of charge or payment_intent");
  }
  if (params.amount < 0) co_return absl::InvalidArgumentError("refund amount must not be negative");
  StripeRequest request;
  request.method = HttpMethod::kPost;
  request.path = "/v1/refunds";
  request.bounds = options.bounds;
  request.idempotency_key = std::move(options.idempotency_key);
  if (!params.charge.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("charge_id", params.charge, {"ch_", "py_"}));
    request.params.Add("charge", params.charge);
  } else {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("payment_intent", params.payment_intent, {"pi_"}));
    request.params.Add("payment_intent", params.payment_intent);
  }
  if (params.amount > 0) request.params.Add("amount", absl::StrCat(params.amount));
  if (!params.reason.empty()) request.params.Add("reason", params.reason);
  AddMetadata(request.params, params.metadata);
  co_return co_await Fetch<Refund>(client_, std::move(request), DecodeRefund);
}

Async<List<Refund>> StripeApi::ListRefunds(std::string charge_or_intent, int limit,
                                           CallOptions options) {
  std::string from_the_newest;  // named: GCC 12 and temporaries in co_await
  co_return co_await ListRefunds(std::move(charge_or_intent), limit, std::move(from_the_newest),
                                 std::move(options));
}

Async<List<Refund>> StripeApi::ListRefunds(std::string charge_or_intent, int limit,
                                           std::string starting_after, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(limit));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("charge_id", charge_or_intent, {"ch_", "py_", "pi_"}));
  FormParams params;
  params.Add(charge_or_intent.starts_with("pi_") ? "payment_intent" : "charge", charge_or_intent);
  params.Add("limit", absl::StrCat(limit));
  if (!starting_after.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("starting_after", starting_after, {"re_", "pyr_"}));
    params.Add("starting_after", starting_after);
  }
  StripeRequest request = Get("/v1/refunds", std::move(params), options);
  co_return co_await Fetch<List<Refund>>(client_, std::move(request), DecodeRefundList);
}

Async<Refund> StripeApi::GetRefund(std::string refund_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("refund_id", refund_id, {"re_", "pyr_"}));
  StripeRequest request = Get(absl::StrCat("/v1/refunds/", refund_id), {}, options);
  co_return co_await Fetch<Refund>(client_, std::move(request), DecodeRefund);
}

Async<PaymentIntent> StripeApi::GetPaymentIntent(std::string payment_intent_id,
                                                 CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("payment_intent", payment_intent_id, {"pi_"}));
  StripeRequest request = Get(absl::StrCat("/v1/payment_intents/", payment_intent_id), {}, options);
  co_return co_await Fetch<PaymentIntent>(client_, std::move(request), DecodePaymentIntent);
}

Async<PaymentIntent> StripeApi::CreatePaymentIntent(PaymentIntentParams params,
                                                    CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", params.customer, {"cus_"}));
  FormParams form;
  form.Add("amount", absl::StrCat(params.amount));
  form.Add("currency", params.currency);
  form.Add("customer", params.customer);
  if (!params.description.empty()) form.Add("description", params.description);
  // Card details come from the DTMF provider, never through payvox.
  form.Add("payment_method_types[]", "card");
  AddMetadata(form, params.metadata);
  StripeRequest request = Post("/v1/payment_intents", std::move(form), options);
  co_return co_await Fetch<PaymentIntent>(client_, std::move(request), DecodePaymentIntent);
}

Async<Balance> StripeApi::GetBalance(CallOptions options) {
  StripeRequest request = Get("/v1/balance", {}, options);
  co_return co_await Fetch<Balance>(client_, std::move(request), DecodeBalance);
}

Async<StripeResponse> StripeApi::ProbeList(std::string resource, CallOptions options) {
  const bool known = absl::c_all_of(resource, [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) || c == '_' || c == '/';
  });
  if (resource.empty() || !known) {
    co_return absl::InvalidArgumentError("resource must be a Stripe resource name such as charges");
  }
  FormParams params;
  params.Add("limit", "1");
  co_return co_await client_.Send(Get(absl::StrCat("/v1/", resource), std::move(params), options));
}

Async<WebhookEndpoint> StripeApi::CreateWebhookEndpoint(WebhookEndpointParams params,
                                                        CallOptions options) {
  FormParams form;
  form.Add("url", params.url);
  for (std::string& type : params.enabled_events) form.Add("enabled_events[]", std::move(type));
  if (!params.description.empty()) form.Add("description", params.description);
  AddMetadata(form, params.metadata);
  StripeRequest request = Post("/v1/webhook_endpoints", std::move(form), options);
  co_return co_await Fetch<WebhookEndpoint>(client_, std::move(request), DecodeWebhookEndpoint);
}

Async<StripeResponse> StripeApi::Send(HttpMethod method, std::string path, FormParams params,
                                      CallOptions options) {
  StripeRequest request;
  request.method = method;
  request.path = std::move(path);
  request.params = std::move(params);
  request.bounds = std::move(options.bounds);
  request.idempotency_key = std::move(options.idempotency_key);
  co_return co_await client_.Send(std::move(request));
}

}  // namespace payvox::stripe
