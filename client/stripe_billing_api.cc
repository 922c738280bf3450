// StripeApi: coupons, promotion codes, subscriptions, invoices, payment
// links and portal sessions.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/stripe_api.h"
#include "client/stripe_api_requests.h"
#include "client/stripe_decoders.h"
#include "common/status_macros.h"

namespace payvox::stripe {

using api_requests::AddMetadata;
using api_requests::Fetch;
using api_requests::Get;
using api_requests::Post;
using api_requests::Request;
using api_requests::ValidateLimit;

namespace {

absl::Status ValidateSubscriptionId(const std::string& id) {
  return ValidateStripeId("subscription_id", id, {"sub_"});
}

absl::Status ValidateInvoiceId(const std::string& id) {
  return ValidateStripeId("invoice_id", id, {"in_"});
}

std::string SubscriptionPath(const std::string& id) {
  return absl::StrCat("/v1/subscriptions/", id);
}

}  // namespace

Async<Coupon> StripeApi::CreateCoupon(CouponParams params, CallOptions options) {
  FormParams form;
  if (params.percent_off != 0) {
    form.Add("percent_off", absl::StrCat(params.percent_off));
  } else {
    form.Add("amount_off", absl::StrCat(params.amount_off));
    form.Add("currency", params.currency);
  }
  form.Add("duration", params.duration);
  if (params.duration == "repeating") {
    form.Add("duration_in_months", absl::StrCat(params.duration_in_months));
  }
  if (params.max_redemptions > 0) form.Add("max_redemptions", absl::StrCat(params.max_redemptions));
  if (params.redeem_by > 0) form.Add("redeem_by", absl::StrCat(params.redeem_by));
  AddMetadata(form, params.metadata);
  co_return co_await Fetch<Coupon>(client_, Post("/v1/coupons", std::move(form), options),
                                   DecodeCoupon);
}

Async<PromotionCode> StripeApi::CreatePromotionCode(PromotionCodeParams params,
                                                    CallOptions options) {
  FormParams form;
  form.Add("coupon", params.coupon);
  form.Add("code", params.code);
  if (!params.customer.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", params.customer, {"cus_"}));
    form.Add("customer", params.customer);
  }
  if (params.max_redemptions > 0) form.Add("max_redemptions", absl::StrCat(params.max_redemptions));
  co_return co_await Fetch<PromotionCode>(
      client_, Post("/v1/promotion_codes", std::move(form), options), DecodePromotionCode);
}

Async<Subscription> StripeApi::GetSubscription(std::string subscription_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(subscription_id));
  co_return co_await Fetch<Subscription>(
      client_, Get(SubscriptionPath(subscription_id), {}, options), DecodeSubscription);
}

Async<List<Subscription>> StripeApi::ListSubscriptions(std::string customer_id, int limit,
                                                       CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", customer_id, {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(limit));
  FormParams form;
  form.Add("customer", customer_id);
  form.Add("limit", absl::StrCat(limit));
  co_return co_await Fetch<List<Subscription>>(
      client_, Get("/v1/subscriptions", std::move(form), options), DecodeSubscriptionList);
}

Async<Subscription> StripeApi::UpdateSubscription(std::string subscription_id,
                                                  SubscriptionChange change, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(subscription_id));
  FormParams form;
  if (!change.cancellation_comment.empty()) {
    form.Add("cancellation_details[comment]", change.cancellation_comment);
  }
  if (change.cancel_at_period_end) form.Add("cancel_at_period_end", "true");
  if (change.pause_collection) {
    form.Add("pause_collection[behavior]", "void");
    if (change.pause_resumes_at > 0) {
      form.Add("pause_collection[resumes_at]", absl::StrCat(change.pause_resumes_at));
    }
  }
  if (change.resume_collection) form.Add("pause_collection", "");
  if (!change.item_id.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("price_id", change.price_id, {"price_"}));
    form.Add("items[0][id]", change.item_id);
    form.Add("items[0][price]", change.price_id);
    form.Add("proration_behavior", change.proration_behavior);
    form.Add("proration_date", absl::StrCat(change.proration_date));
  }
  co_return co_await Fetch<Subscription>(
      client_, Post(SubscriptionPath(subscription_id), std::move(form), options),
      DecodeSubscription);
}

Async<Subscription> StripeApi::CancelSubscriptionNow(std::string subscription_id,
                                                     std::string comment, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(subscription_id));
  FormParams form;
  if (!comment.empty()) form.Add("cancellation_details[comment]", comment);
  co_return co_await Fetch<Subscription>(
      client_,
      Request(HttpMethod::kDelete, SubscriptionPath(subscription_id), std::move(form), options),
      DecodeSubscription);
}

Async<Subscription> StripeApi::ResumeSubscription(std::string subscription_id,
                                                  CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(subscription_id));
  co_return co_await Fetch<Subscription>(
      client_, Post(absl::StrCat(SubscriptionPath(subscription_id), "/resume"), {}, options),
      DecodeSubscription);
}

Async<Invoice> StripeApi::GetInvoice(std::string invoice_id, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(invoice_id));
  co_return co_await Fetch<Invoice>(
      client_, Get(absl::StrCat("/v1/invoices/", invoice_id), {}, options), DecodeInvoice);
}

Async<List<Invoice>> StripeApi::ListInvoices(std::string customer_id, std::string status, int limit,
                                             CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", customer_id, {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(limit));
  FormParams form;
  form.Add("customer", customer_id);
  if (!status.empty()) form.Add("status", status);
  form.Add("limit", absl::StrCat(limit));
  co_return co_await Fetch<List<Invoice>>(client_, Get("/v1/invoices", std::move(form), options),
                                          DecodeInvoiceList);
}

Async<Invoice> StripeApi::PreviewInvoice(InvoicePreview preview, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", preview.customer, {"cus_"}));
  FormParams form;
  form.Add("customer", preview.customer);
  if (!preview.subscription.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateSubscriptionId(preview.subscription));
    form.Add("subscription", preview.subscription);
  }
  if (!preview.item_id.empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("price_id", preview.price_id, {"price_"}));
    form.Add("subscription_items[0][id]", preview.item_id);
    form.Add("subscription_items[0][price]", preview.price_id);
    form.Add("subscription_proration_behavior", preview.proration_behavior);
    form.Add("subscription_proration_date", absl::StrCat(preview.proration_date));
  }
  co_return co_await Fetch<Invoice>(client_, Get("/v1/invoices/upcoming", std::move(form), options),
                                    DecodeInvoice);
}

Async<Invoice> StripeApi::TransitionInvoice(std::string invoice_id, InvoiceTransition transition,
                                            CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(invoice_id));
  const char* verb = "send";
  if (transition == InvoiceTransition::kVoid) verb = "void";
  if (transition == InvoiceTransition::kFinalize) verb = "finalize";
  co_return co_await Fetch<Invoice>(
      client_, Post(absl::StrCat("/v1/invoices/", invoice_id, "/", verb), {}, options),
      DecodeInvoice);
}

Async<Invoice> StripeApi::CreateInvoice(InvoiceParams params, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", params.customer, {"cus_"}));
  FormParams form;
  form.Add("customer", params.customer);
  form.Add("currency", params.currency);
  if (params.days_until_due > 0) {
    form.Add("collection_method", "send_invoice");
    form.Add("days_until_due", absl::StrCat(params.days_until_due));
  }
  if (!params.description.empty()) form.Add("description", params.description);
  AddMetadata(form, params.metadata);
  co_return co_await Fetch<Invoice>(client_, Post("/v1/invoices", std::move(form), options),
                                    DecodeInvoice);
}

Async<StripeResponse> StripeApi::AddInvoiceItem(InvoiceItemParams params, CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", params.customer, {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(params.invoice));
  FormParams form;
  form.Add("customer", params.customer);
  form.Add("invoice", params.invoice);
  form.Add("currency", params.currency);
  form.Add("unit_amount", absl::StrCat(params.unit_amount));
  form.Add("quantity", absl::StrCat(std::max<int64_t>(1, params.quantity)));
  form.Add("description", params.description);
  co_return co_await client_.Send(Post("/v1/invoiceitems", std::move(form), options));
}

Async<PaymentLink> StripeApi::CreatePaymentLink(std::string price_id, int64_t quantity,
                                                CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("price_id", price_id, {"price_"}));
  FormParams form;
  form.Add("line_items[0][price]", price_id);
  form.Add("line_items[0][quantity]", absl::StrCat(std::max<int64_t>(1, quantity)));
  co_return co_await Fetch<PaymentLink>(
      client_, Post("/v1/payment_links", std::move(form), options), DecodePaymentLink);
}

Async<BillingPortalSession> StripeApi::CreatePortalSession(std::string customer_id,
                                                           std::string return_url,
                                                           CallOptions options) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateStripeId("customer_id", customer_id, {"cus_"}));
  FormParams form;
  form.Add("customer", customer_id);
  if (!return_url.empty()) form.Add("return_url", return_url);
  co_return co_await Fetch<BillingPortalSession>(
      client_, Post("/v1/billing_portal/sessions", std::move(form), options),
      DecodeBillingPortalSession);
}

}  // namespace payvox::stripe
