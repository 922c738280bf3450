#include "client/stripe_errors.h"

#include "absl/strings/str_cat.h"
#include "client/stripe_decoders.h"
#include "common/error_detail.h"
#include "common/redact.h"
#include "common/speech.h"
#include "payvox/v1/types.pb.h"

namespace payvox::stripe {
namespace {

// Codes of 400 answers that describe the object's state rather than a bad
// parameter: retrying or changing the request will not help.
bool IsStateConflict(absl::string_view code) {
  return code == "charge_already_refunded" || code == "charge_disputed" ||
         code == "charge_not_refundable" || code == "invoice_not_editable" ||
         code == "resource_already_exists" || code == "subscription_canceled" ||
         code == "subscription_not_paused" || code == "payment_intent_unexpected_state" ||
         code == "payment_method_unexpected_state" || code == "charge_already_captured" ||
         code == "charge_expired_for_capture";
}

// UnknownOperation: a 404 (or 405) in which Stripe names nothing missing
// (no error code: "Unrecognized request URL", or a proxy's own page): the
// path itself does not exist there, which is not the caller's object
// missing.
bool UnknownOperation(int http_status, const ErrorBody& error) {
  return (http_status == 404 || http_status == 405) && error.code.empty() &&
         error.type != "idempotency_error";
}

absl::StatusCode CodeFor(int http_status, const ErrorBody& error) {
  if (error.type == "idempotency_error") return absl::StatusCode::kAborted;
  if (UnknownOperation(http_status, error)) return absl::StatusCode::kUnimplemented;
  if (error.type == "card_error" || http_status == 402)
    return absl::StatusCode::kFailedPrecondition;
  switch (http_status) {
    case 400:
      return IsStateConflict(error.code) ? absl::StatusCode::kFailedPrecondition
                                         : absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kFailedPrecondition;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      break;
  }
  if (http_status >= 500) return absl::StatusCode::kUnavailable;
  if (http_status >= 400) return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kUnknown;
}

std::string MessageFor(int http_status, const ErrorBody& error, const std::string& stripe_text) {
  if (error.type == "card_error") {
    const std::string why =
        DeclineExplanation(error.decline_code.empty() ? error.code : error.decline_code);
    return absl::StrCat("The card was declined: ", why, ". Ask the caller for another card.");
  }
  if (error.type == "idempotency_error") {
    return absl::StrCat(
        "This request_id was already used for a different request; send a new request_id for a "
        "new action. Stripe said: ",
        stripe_text);
  }
  if (UnknownOperation(http_status, error)) {
    return absl::StrCat(
        "This operation is unavailable: the Stripe endpoint payvox talks to does not offer it (",
        stripe_text,
        "). Nothing was done; it is not about the caller's objects, so do not ask the caller for "
        "another one. An operator must check stripe.api_base_url and the API version.");
  }
  switch (http_status) {
    case 401:
      return "Stripe rejected this business's API key (wrong, revoked or expired). An operator "
             "must connect a valid key; the caller cannot fix this.";
    case 403:
      return absl::StrCat(
          "This business's restricted Stripe key does not allow this action; an operator must "
          "grant the permission. Stripe said: ",
          stripe_text);
    case 409:
      return "Another request with the same request_id is still running at Stripe; retry shortly "
             "with the same request_id.";
    case 429:
      return "Stripe is rate-limiting this business right now; retry in a moment with the same "
             "request_id.";
    default:
      break;
  }
  if (http_status >= 500) {
    return absl::StrCat("Stripe had an internal error (HTTP ", http_status,
                        "); retry with the same request_id.");
  }
  return absl::StrCat("Stripe refused the request: ", stripe_text);
}

}  // namespace

absl::Status StripeErrorToStatus(int http_status, const std::string& body,
                                 absl::string_view request_id) {
  absl::StatusOr<ErrorBody> decoded = DecodeErrorBody(body);
  const ErrorBody error = decoded.ok() ? *std::move(decoded) : ErrorBody{};
  const std::string stripe_text =
      error.message.empty() ? absl::StrCat("HTTP ", http_status) : RedactText(error.message);

  const absl::StatusCode code = CodeFor(http_status, error);
  v1::ErrorDetail detail;
  detail.set_stripe_type(error.type);
  detail.set_stripe_code(error.code);
  detail.set_decline_code(error.decline_code);
  detail.set_param(error.param);
  detail.set_stripe_request_id(std::string(request_id));
  detail.set_retryable(http_status == 409 || http_status == 429 || http_status >= 500);
  if (UnknownOperation(http_status, error)) {
    detail.set_reason("stripe_operation_unavailable");
    detail.set_say("I can't do that right now, but I can pass your request to the team.");
  }
  if (error.type == "card_error") {
    detail.set_say(absl::StrCat(
        "I'm sorry, ", DeclinePhrase(error.decline_code.empty() ? error.code : error.decline_code),
        "."));
  }
  return WithErrorDetail(absl::Status(code, MessageFor(http_status, error, stripe_text)), detail);
}

absl::Status TransportError(bool deadline_exceeded, absl::string_view what) {
  v1::ErrorDetail detail;
  detail.set_retryable(true);
  if (deadline_exceeded) {
    return WithErrorDetail(
        absl::DeadlineExceededError(absl::StrCat(
            "Stripe did not answer before the deadline (", what,
            "). The action may or may not have happened; retry with the same request_id.")),
        detail);
  }
  return WithErrorDetail(absl::UnavailableError(absl::StrCat("Could not reach Stripe (", what,
                                                             "); retry with the same request_id.")),
                         detail);
}

}  // namespace payvox::stripe
