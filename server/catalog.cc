#include "server/catalog.h"

#include <array>
#include <string>

namespace payvox {
namespace {

using policy::ActionClass;

constexpr std::array kCatalog = {
    ActionSpec{
        .name = "find_customer",
        .description =
            "Find the caller's Stripe customer by the email or phone number they give, or by a "
            "customer id. Give exactly one of email, phone or customer_id. Several matches are "
            "all returned: then ask the caller which account (e.g. the name on it); never guess.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "email": {"type": "string", "maxLength": 512,
              "description": "The email on the account, exactly as the caller spelled it."},
    "phone": {"type": "string", "minLength": 8, "maxLength": 16,
              "description": "The phone number on the account in E.164 form, e.g. +14155550123."},
    "customer_id": {"type": "string", "maxLength": 255,
                    "description": "A Stripe customer id, cus_..., when already known."}
  },
  "additionalProperties": false
})json",
        .stripe_method = "GET",
        .stripe_path = "/v1/customers",
        .action_class = ActionClass::kRead,
        .capabilities = {}},
    ActionSpec{
        .name = "verify_identity",
        .description =
            "Verify the caller before anything that changes their account: they say the last 4 "
            "digits of a card on file. A wrong answer returns verified=false with the attempts "
            "left; once none are left, do not ask again, offer a secure link or a person.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "customer_id": {"type": "string", "minLength": 5, "maxLength": 255,
                    "description": "The customer found by find_customer, cus_..."},
    "last4": {"type": "string", "minLength": 4, "maxLength": 4,
              "description": "The 4 digits the caller said."}
  },
  "required": ["customer_id", "last4"],
  "additionalProperties": false
})json",
        .stripe_method = "GET",
        .stripe_path = "/v1/payment_methods",
        .action_class = ActionClass::kRead,
        .capabilities = {}},
    ActionSpec{
        .name = "list_charges",
        .description =
            "The customer's recent charges, newest first, with amount, status, card, refundable "
            "amount and failure reason in plain words. Use it for 'did my payment go through?' "
            "and to find the charge to refund.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "customer_id": {"type": "string", "minLength": 5, "maxLength": 255,
                    "description": "The customer, cus_..."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100,
              "description": "How many charges; 10 when absent."},
    "starting_after": {"type": "string", "maxLength": 255,
                       "description": "For the next page: the id of the last charge seen."}
  },
  "required": ["customer_id"],
  "additionalProperties": false
})json",
        .stripe_method = "GET",
        .stripe_path = "/v1/charges",
        .action_class = ActionClass::kRead,
        .capabilities = {"view_payments"}},
    ActionSpec{
        .name = "create_refund",
        .description =
            "Refund a charge in full (amount_minor 0) or in part. Needs the caller verified in "
            "this call. Retrying with the same request_id never refunds twice. May answer with "
            "an approval_id instead of a refund: then tell the caller it was sent for approval.",
        .parameters = R"json({
  "type": "object",
  "properties": {
    "charge_id": {"type": "string", "minLength": 5, "maxLength": 255,
                  "description": "The charge to refund, ch_..., or its payment intent, pi_..."},
    "amount_minor": {"type": "integer", "minimum": 0, "maximum": 99999999,
                     "description": "Amount in the currency's minor unit (cents); 0 refunds everything refundable."},
    "reason": {"type": "string", "enum": ["duplicate", "fraudulent", "requested_by_customer"],
               "description": "Why the refund is made."},
    "note": {"type": "string", "maxLength": 500,
             "description": "A short note kept with the refund; never card numbers."}
  },
  "required": ["charge_id"],
  "additionalProperties": false
})json",
        .stripe_method = "POST",
        .stripe_path = "/v1/refunds",
        .action_class = ActionClass::kWrite,
        .capabilities = {"full_refunds", "partial_refunds"}},
};

}  // namespace

std::span<const ActionSpec> Catalog() { return kCatalog; }

const ActionSpec* FindAction(std::string_view name) {
  for (const ActionSpec& spec : kCatalog) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

v1::ListActionsResponse DescribeActions(const v1::TenantPolicy& policy) {
  v1::ListActionsResponse response;
  for (const ActionSpec& spec : kCatalog) {
    v1::ActionDescriptor* action = response.add_actions();
    action->set_name(std::string(spec.name));
    action->set_description(std::string(spec.description));
    action->set_parameters_json_schema(std::string(spec.parameters));
    action->set_read_only(spec.action_class == ActionClass::kRead);
    action->set_destructive(spec.action_class == ActionClass::kDestructive);
    const absl::string_view name(spec.name.data(), spec.name.size());
    bool enabled = spec.capabilities[0].empty();
    for (const std::string_view capability : spec.capabilities) {
      enabled |= !capability.empty() &&
                 policy::IsEnabled(policy, name, {capability.data(), capability.size()});
    }
    action->set_enabled(enabled);
  }
  return response;
}

}  // namespace payvox
