#include "actions/customers.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/constant_time.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/redact.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

std::string ModeNote(stripe::Mode mode) {
  return absl::StrCat(" (this business is connected in Stripe ", stripe::ModeName(mode), " mode; ",
                      stripe::ModeName(mode), " and ",
                      mode == stripe::Mode::kLive ? "test" : "live", " customers are separate)");
}

}  // namespace

Action<v1::FindCustomerResponse> CustomerActions::FindCustomer(v1::FindCustomerRequest request,
                                                               CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const stripe::CallOptions call{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "find_customer");
  std::vector<stripe::Customer> matches;
  std::string searched;
  std::string ask_next;
  switch (request.query_case()) {
    case v1::FindCustomerRequest::kEmail: {
      PAYVOX_CO_RETURN_IF_ERROR(ValidateEmail(request.email()));
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                                 co_await facts.ListCustomersByEmail(request.email(), 10, call));
      matches = std::move(list.data);
      searched = absl::StrCat("the email ", MaskEmail(request.email()));
      ask_next = "Ask the caller for another email or the phone number on the account.";
      break;
    }
    case v1::FindCustomerRequest::kPhone: {
      PAYVOX_CO_RETURN_IF_ERROR(ValidatePhone(request.phone()));
      PAYVOX_CO_ASSIGN_OR_RETURN(auto list,
                                 co_await facts.SearchCustomersByPhone(request.phone(), 10, call));
      matches = std::move(list.data);
      searched = "that phone number";
      ask_next = "Ask the caller for the email on the account.";
      break;
    }
    case v1::FindCustomerRequest::kCustomerId: {
      absl::StatusOr<stripe::Customer> customer =
          co_await facts.GetCustomer(request.customer_id(), call);
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
    co_return FlowError(absl::StatusCode::kNotFound,
                        absl::StrCat("No Stripe customer has ", searched,
                                     ModeNote(env_.stripe.mode()), ". ", ask_next),
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

Action<v1::VerifyIdentityResponse> CustomerActions::VerifyIdentity(
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
  const VerificationKey key{env_.options.tenant_id, request.context().call_id(),
                            request.customer_id()};
  // The tenant's policy may narrow the server's verification defaults.
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await env_.guard.Policy());
  const int max_attempts = policy.max_verification_attempts() > 0
                               ? policy.max_verification_attempts()
                               : env_.options.max_verification_attempts;
  const absl::Duration verification_ttl = policy.verification_ttl_seconds() > 0
                                              ? absl::Seconds(policy.verification_ttl_seconds())
                                              : env_.options.verification_ttl;
  absl::StatusOr<VerificationState> reserved = co_await env_.store.Run(
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
  // Both come from the call's session when BeginCall fetched them.
  const stripe::CallOptions call{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "verify_identity");
  absl::StatusOr<stripe::List<stripe::PaymentMethod>> cards =
      co_await facts.ListCards(request.customer_id(), call);
  if (!cards.ok()) {
    const absl::Status released = co_await env_.store.Run(
        [&](Store& store) { return store.ReleaseVerificationAttempt(key); });
    PAYVOX_CO_RETURN_IF_ERROR(released);
    co_return cards.status();
  }
  stripe::ChargeFilter recent{.customer = request.customer_id(), .limit = CallFacts::kHeldCharges};
  absl::StatusOr<stripe::List<stripe::Charge>> charges =
      co_await facts.ListCharges(std::move(recent), call);
  if (!charges.ok()) {
    const absl::Status released = co_await env_.store.Run(
        [&](Store& store) { return store.ReleaseVerificationAttempt(key); });
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
    const absl::Time until = env_.clock.Now() + verification_ttl;
    const absl::Status marked =
        co_await env_.store.Run([&](Store& store) { return store.MarkVerified(key, until); });
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

}  // namespace payvox
