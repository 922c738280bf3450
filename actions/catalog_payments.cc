// catalog_payments.cc: the catalog entries for customers, payments, refunds, saved
// cards, the balance, events and links.
// Each entry's fields are described in actions/catalog.h; docs/catalog.md
// explains the table.
#include <array>

#include "actions/catalog_entries.h"
#include "client/stripe_endpoints.h"

namespace payvox::catalog {
namespace {

using policy::ActionClass;

constexpr std::array kEntries = {
    ActionSpec{
        .name = "search_customers",
        .description =
            "Search customers by name, email or phone with Stripe Search (results can lag new "
            "customers by a minute; use find_customer for an exact email or phone). Give at least "
            "one "
            "filter.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "name": {"type": "string", "maxLength": 200, "description": "The exact name on the account."},
    "name_contains": {"type": "string", "minLength": 3, "maxLength": 200, "description": "Part of the name, at least 3 characters."},
    "email": {"type": "string", "maxLength": 512, "description": "Exact email."},
    "phone": {"type": "string", "maxLength": 16, "description": "Exact phone in E.164 form."},
    "metadata": "$metadata",
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kSearchCustomers,
        .action_class = ActionClass::kRead,
        .capabilities = {},
        .runner = Runner::kStripe,
        .object = "customer",
        .list = true},
    ActionSpec{.name = "create_customer",
               .description = "Create a Stripe customer for a new caller.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "name": {"type": "string", "maxLength": 200, "description": "Full name."},
    "email": {"type": "string", "maxLength": 512, "description": "Email address."},
    "phone": {"type": "string", "maxLength": 16, "description": "Phone in E.164 form."},
    "description": {"type": "string", "maxLength": 500, "description": "A short note."},
    "metadata": "$metadata"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kCreateCustomer,
               .action_class = ActionClass::kWrite,
               .capabilities = {"update_customers"},
               .runner = Runner::kStripe,
               .object = "customer",
               .say_done = "I've set up your account."},
    ActionSpec{
        .name = "update_customer",
        .description =
            "Change the name, email, phone or notes on the caller's account. Needs the caller "
            "verified.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "customer_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "name": {"type": "string", "maxLength": 200, "description": "New full name."},
    "email": {"type": "string", "maxLength": 512, "description": "New email address."},
    "phone": {"type": "string", "maxLength": 16, "description": "New phone in E.164 form."},
    "description": {"type": "string", "maxLength": 500, "description": "A short note."},
    "metadata": "$metadata"
  },
  "required": ["customer_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kUpdateCustomer,
        .action_class = ActionClass::kWrite,
        .capabilities = {"update_customers"},
        .runner = Runner::kStripe,
        .object = "customer",
        .owner = Owner::kPath,
        .say_done = "I've updated your account."},
    ActionSpec{
        .name = "delete_customer",
        .description =
            "Delete the caller's customer record and its saved cards. Cannot be undone: confirm "
            "first. Needs the caller verified.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "customer_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."}
  },
  "required": ["customer_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kDeleteCustomer,
        .action_class = ActionClass::kDestructive,
        .capabilities = {"update_customers"},
        .runner = Runner::kStripe,
        .object = "customer",
        .owner = Owner::kPath,
        .say_done = "Your account is deleted."},
    ActionSpec{.name = "search_charges",
               .description = "Search charges with Stripe Search by customer, status, currency, "
                              "amount or date. Results "
                              "can lag new charges by a minute.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "status": {"type": "string", "enum": ["succeeded", "pending", "failed"], "description": "Charge status."},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3, "description": "Three-letter ISO currency code in lower case, e.g. usd."},
    "amount_over": {"type": "integer", "minimum": 0, "maximum": 99999999, "description": "Only charges of more than this amount (minor units)."},
    "amount_under": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Only charges of less than this amount (minor units)."},
    "created_after": {"type": "integer", "minimum": 0, "description": "Only charges created after this time (Unix seconds)."},
    "created_before": {"type": "integer", "minimum": 0, "description": "Only charges created before this time (Unix seconds)."},
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kSearchCharges,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_payments"},
               .runner = Runner::kStripe,
               .object = "charge",
               .list = true},
    ActionSpec{
        .name = "capture_charge",
        .description =
            "Capture an authorized charge that has not been collected yet, in full or in part.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "charge_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The charge, ch_..."},
    "amount": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Amount to capture in minor units; everything when absent."}
  },
  "required": ["charge_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kCaptureCharge,
        .action_class = ActionClass::kWrite,
        .capabilities = {"manage_payments"},
        .runner = Runner::kStripe,
        .object = "charge",
        .owner = Owner::kLoaded,
        .say_done = "I've collected that payment."},
    ActionSpec{.name = "list_payment_intents",
               .description =
                   "The customer's payments (payment intents), newest first, with their status.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListPaymentIntents,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_payments"},
               .runner = Runner::kStripe,
               .object = "payment_intent",
               .list = true},
    ActionSpec{
        .name = "get_payment_intent",
        .description = "One payment intent by id, with its status and last failure in plain words.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "payment_intent_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The payment intent, pi_..."}
  },
  "required": ["payment_intent_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kGetPaymentIntent,
        .action_class = ActionClass::kRead,
        .capabilities = {"view_payments"},
        .runner = Runner::kStripe,
        .object = "payment_intent"},
    ActionSpec{.name = "search_payment_intents",
               .description = "Search payment intents with Stripe Search by customer, status, "
                              "currency, amount or date.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "status": {"type": "string", "enum": ["requires_payment_method", "requires_confirmation", "requires_action", "processing", "requires_capture", "canceled", "succeeded"], "description": "Payment intent status."},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3, "description": "Three-letter ISO currency code in lower case, e.g. usd."},
    "amount_over": {"type": "integer", "minimum": 0, "maximum": 99999999, "description": "Only payments of more than this amount (minor units)."},
    "amount_under": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Only payments of less than this amount (minor units)."},
    "created_after": {"type": "integer", "minimum": 0, "description": "Only payments created after this time (Unix seconds)."},
    "created_before": {"type": "integer", "minimum": 0, "description": "Only payments created before this time (Unix seconds)."},
    "metadata": "$metadata",
    "limit": "$limit"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kSearchPaymentIntents,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_payments"},
               .runner = Runner::kStripe,
               .object = "payment_intent",
               .list = true},
    ActionSpec{
        .name = "create_payment_intent",
        .description =
            "Create a payment intent to be paid later through a payment page. Never collect card "
            "numbers in the call: to take a card now, use start_secure_payment.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "amount": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Amount in minor units."},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3, "description": "Three-letter ISO currency code in lower case, e.g. usd."},
    "customer": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "description": {"type": "string", "maxLength": 500, "description": "What the payment is for."},
    "capture_method": {"type": "string", "enum": ["automatic", "manual"], "description": "automatic collects at once; manual only authorizes."},
    "metadata": "$metadata"
  },
  "required": ["amount", "currency"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kCreatePaymentIntent,
        .action_class = ActionClass::kWrite,
        .capabilities = {"manage_payments"},
        .runner = Runner::kStripe,
        .object = "payment_intent",
        .owner = Owner::kArgument,
        .say_done = "I've set up that payment."},
    ActionSpec{
        .name = "cancel_payment_intent",
        .description =
            "Cancel a payment intent that has not gone through yet (or an authorization not yet "
            "captured). Cannot be undone: confirm first.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "payment_intent_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The payment intent, pi_..."},
    "cancellation_reason": {"type": "string", "enum": ["duplicate", "fraudulent", "requested_by_customer", "abandoned"], "description": "Why."}
  },
  "required": ["payment_intent_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kCancelPaymentIntent,
        .action_class = ActionClass::kDestructive,
        .capabilities = {"manage_payments"},
        .runner = Runner::kStripe,
        .object = "payment_intent",
        .owner = Owner::kLoaded,
        .say_done = "I've canceled that payment."},
    ActionSpec{
        .name = "capture_payment_intent",
        .description =
            "Collect an authorized payment intent (status requires_capture), in full or in part.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "payment_intent_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The payment intent, pi_..."},
    "amount_to_capture": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Amount to collect in minor units; everything when absent."}
  },
  "required": ["payment_intent_id"],
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kCapturePaymentIntent,
        .action_class = ActionClass::kWrite,
        .capabilities = {"manage_payments"},
        .runner = Runner::kStripe,
        .object = "payment_intent",
        .owner = Owner::kLoaded,
        .say_done = "I've collected that payment."},
    ActionSpec{.name = "list_payment_methods",
               .description = "The cards a customer has on file (brand and last 4 only).",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "customer_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The customer, cus_..."},
    "type": {"type": "string", "enum": ["card"], "description": "Payment method type; card when absent."},
    "limit": "$limit"
  },
  "required": ["customer_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListPaymentMethods,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_payments"},
               .runner = Runner::kStripe,
               .object = "payment_method",
               .list = true},
    ActionSpec{.name = "get_payment_method",
               .description = "One saved payment method by id (brand and last 4 only).",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "payment_method_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The payment method, pm_..."}
  },
  "required": ["payment_method_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetPaymentMethod,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_payments"},
               .runner = Runner::kStripe,
               .object = "payment_method"},
    ActionSpec{.name = "detach_payment_method",
               .description = "Remove a saved card from the customer's account. Cannot be undone: "
                              "confirm first. Needs "
                              "the caller verified.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "payment_method_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The payment method, pm_..."}
  },
  "required": ["payment_method_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kDetachPaymentMethod,
               .action_class = ActionClass::kDestructive,
               .capabilities = {"update_customers"},
               .runner = Runner::kStripe,
               .object = "payment_method",
               .owner = Owner::kLoaded,
               .say_done = "I've removed that card from your account."},
    ActionSpec{
        .name = "get_balance",
        .description = "This business's Stripe balance: available and pending, per currency.",
        .parameters = R"json({
  "type": "object",
  "properties": {},
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kGetBalance,
        .action_class = ActionClass::kRead,
        .capabilities = {"view_balance"},
        .runner = Runner::kStripe,
        .object = "balance"},
    ActionSpec{
        .name = "list_balance_transactions",
        .description = "Movements of the Stripe balance (charges, refunds, payouts), newest first.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "type": {"type": "string", "maxLength": 50, "description": "Only this type, e.g. charge, refund, payout."},
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
        .endpoint = &stripe::endpoints::kListBalanceTransactions,
        .action_class = ActionClass::kRead,
        .capabilities = {"view_balance"},
        .runner = Runner::kStripe,
        .object = "balance_transaction",
        .list = true},
    ActionSpec{.name = "get_balance_transaction",
               .description = "One balance transaction by id: amount, fee, net.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "balance_transaction_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The balance transaction, txn_..."}
  },
  "required": ["balance_transaction_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetBalanceTransaction,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_balance"},
               .runner = Runner::kStripe,
               .object = "balance_transaction"},
    ActionSpec{.name = "list_events",
               .description = "Recent Stripe events, newest first, optionally of one type "
                              "(charge.refunded) or family "
                              "(charge.*).",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "type": {"type": "string", "maxLength": 100, "description": "Event type, or a family ending in .*"},
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListEvents,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_events"},
               .runner = Runner::kStripe,
               .object = "event",
               .list = true},
    ActionSpec{.name = "get_event",
               .description = "One Stripe event by id: its type, time and the object it concerns.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "event_id": {"type": "string", "minLength": 3, "maxLength": 255, "description": "The event, evt_..."}
  },
  "required": ["event_id"],
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kGetEvent,
               .action_class = ActionClass::kRead,
               .capabilities = {"view_events"},
               .runner = Runner::kStripe,
               .object = "event"},
    ActionSpec{.name = "list_payment_links",
               .description = "Payment links already made, newest first.",
               .parameters = R"json({
  "type": "object",
  "properties": {
    "limit": "$limit",
    "starting_after": "$starting_after"
  },
  "additionalProperties": false
})json",
               .endpoint = &stripe::endpoints::kListPaymentLinks,
               .action_class = ActionClass::kRead,
               .capabilities = {"payment_links"},
               .runner = Runner::kStripe,
               .object = "payment_link",
               .list = true},
};

}  // namespace

std::span<const ActionSpec> PaymentEntries() { return kEntries; }

}  // namespace payvox::catalog
