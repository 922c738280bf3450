// catalog_billing.cc: the catalog entries for coupons, promotion codes,
// subscriptions, invoices, products and prices.
// Each entry's fields are described in actions/catalog.h; docs/catalog.md
// explains the table.
#include <array>

#include "actions/catalog_entries.h"
#include "client/stripe_endpoints.h"

namespace payvox::catalog {
namespace {

using policy::ActionClass;

constexpr std::array kEntries = {
    ActionSpec{.name = "list_coupons",
               .description = "The coupons this business has, newest first.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListCoupons,
               .action_class = ActionClass::kRead,
               .capabilities = {"coupons"},
               .runner = Runner::kStripe,
               .object = "coupon",
               .list = true},
    ActionSpec{.name = "get_coupon",
               .description = "One coupon by id: its discount and how long it lasts.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "coupon_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The coupon id."}
  },
  "required": ["coupon_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetCoupon,
               .action_class = ActionClass::kRead,
               .capabilities = {"coupons"},
               .runner = Runner::kStripe,
               .object = "coupon"},
    ActionSpec{
        .name = "list_promotion_codes",
        .description =
            "Promotion codes, filtered by the code a caller reads out, a customer or a coupon.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "code": {"type": "string", "maxLength": 64, "description": "The code as the caller reads it."},
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "coupon": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The coupon id."},
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kListPromotionCodes,
        .action_class = ActionClass::kRead,
        .capabilities = {"coupons"},
        .runner = Runner::kStripe,
        .object = "promotion_code",
        .list = true},
    ActionSpec{.name = "get_promotion_code",
               .description = "One promotion code by id, with its discount.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "promotion_code_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The promotion code, promo_..."}
  },
  "required": ["promotion_code_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetPromotionCode,
               .action_class = ActionClass::kRead,
               .capabilities = {"coupons"},
               .runner = Runner::kStripe,
               .object = "promotion_code"},
    ActionSpec{.name = "search_subscriptions",
               .description = "Search subscriptions with Stripe Search by customer, status or "
                              "start date. Results can "
                              "lag new subscriptions by a minute.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "status": {"type": "string", "enum": ["active", "past_due", "unpaid", "canceled", "incomplete", "incomplete_expired", "trialing", "paused"], "description": "Subscription status."},
    "created_after": {"type": "integer", "minimum": 0, "description": "Only subscriptions started after this time (Unix seconds)."},
    "created_before": {"type": "integer", "minimum": 0, "description": "Only subscriptions started before this time (Unix seconds)."},
    "metadata": "$metadata",
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kSearchSubscriptions,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_subscriptions"},
               .runner = Runner::kStripe,
               .object = "subscription",
               .list = true},
    ActionSpec{.name = "create_subscription",
               .description = "Start a subscription for a customer on recurring prices; the first "
                              "period is billed at "
                              "once.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "items": {"type": "array", "description": "The prices to subscribe to (usually one).", "minItems": 1, "maxItems": 20, "items": {"type": "object", "description": "One price and its quantity.", "properties": {"price": {"type": "string", "minLength": 3, "maxLength": 255, "description": "A recurring price, price_..."}, "quantity": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "How many; 1 when absent."}}, "required": ["price"], "additionalProperties": false}},
    "metadata": "$metadata"
  },
  "required": ["customer", "items"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kCreateSubscription,
               .action_class = ActionClass::kWrite,
               .capabilities = {"manage_subscriptions"},
               .runner = Runner::kStripe,
               .object = "subscription",
               .owner = Owner::kArgument,
               .say_done = "Your subscription has started."},
    ActionSpec{.name = "update_subscription",
               .description = "Change a subscription's notes (metadata) or description. Use "
                              "change_subscription_plan, "
                              "pause_subscription or cancel_subscription for those changes.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "subscription_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The subscription, sub_..."},
    "description": {"type": "string", "maxLength": 500, "description": "A short description."},
    "metadata": "$metadata"
  },
  "required": ["subscription_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kUpdateSubscription,
               .action_class = ActionClass::kWrite,
               .capabilities = {"manage_subscriptions"},
               .runner = Runner::kStripe,
               .object = "subscription",
               .owner = Owner::kLoaded,
               .say_done = "I've updated your subscription."},
    ActionSpec{.name = "search_invoices",
               .description = "Search invoices with Stripe Search by customer, status, number, "
                              "subscription or total.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "status": {"type": "string", "enum": ["draft", "open", "paid", "uncollectible", "void"], "description": "Invoice status."},
    "number": {"type": "string", "maxLength": 100, "description": "The invoice number printed on it."},
    "subscription": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The subscription, sub_..."},
    "total_over": {"type": "integer", "minimum": 0, "maximum": 99999999, "description": "Only invoices with a larger total (minor units)."},
    "total_under": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Only invoices with a smaller total (minor units)."},
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kSearchInvoices,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_invoices"},
               .runner = Runner::kStripe,
               .object = "invoice",
               .list = true},
    ActionSpec{.name = "list_products",
               .description = "The products this business sells, optionally only active ones.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "active": {"type": "boolean", "description": "Only active (or only archived) products."},
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListProducts,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_catalog"},
               .runner = Runner::kStripe,
               .object = "product",
               .list = true},
    ActionSpec{.name = "get_product",
               .description = "One product by id: its name and whether it is still sold.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "product_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The product, prod_..."}
  },
  "required": ["product_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetProduct,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_catalog"},
               .runner = Runner::kStripe,
               .object = "product"},
    ActionSpec{.name = "list_prices",
               .description = "Prices, optionally of one product or of one type.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "product": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The product, prod_..."},
    "type": {"type": "string", "enum": ["one_time", "recurring"], "description": "one_time or recurring."},
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListPrices,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_catalog"},
               .runner = Runner::kStripe,
               .object = "price",
               .list = true},
    ActionSpec{.name = "get_price",
               .description = "One price by id: amount, currency and billing interval.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "price_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The price, price_..."}
  },
  "required": ["price_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetPrice,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_catalog"},
               .runner = Runner::kStripe,
               .object = "price"},
    ActionSpec{.name = "create_price",
               .description = "Create a price for a product, one-time or recurring.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "product": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The product, prod_..."},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3, "description": "Three-letter ISO currency code in lower case, e.g. usd."},
    "unit_amount": {"type": "integer", "minimum": 0, "maximum": 99999999, "description": "Amount in minor units."},
    "nickname": {"type": "string", "maxLength": 200, "description": "A name for the price."},
    "recurring": {"type": "object", "description": "For a recurring price.", "properties": {"interval": {"type": "string", "enum": ["day", "week", "month", "year"], "description": "Billing interval."}, "interval_count": {"type": "integer", "minimum": 1, "maximum": 12, "description": "Intervals between bills; 1 when absent."}}, "required": ["interval"], "additionalProperties": false}
  },
  "required": ["product", "currency", "unit_amount"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kCreatePrice,
               .action_class = ActionClass::kWrite,
               .capabilities = {"manage_catalog"},
               .runner = Runner::kStripe,
               .object = "price",
               .say_done = "I've created that price."},
};

}  // namespace

std::span<const ActionSpec> BillingEntries() { return kEntries; }

}  // namespace payvox::catalog
