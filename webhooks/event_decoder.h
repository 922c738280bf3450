// event_decoder.h: a Stripe event (a webhook's body) as a payvox
// PaymentEvent: who, how much, what happened in plain words, a sentence the
// agent can say, and the call it belongs to.
//
// The event types of api.md are decoded from their object (charge, refund,
// dispute, payment intent, invoice, subscription); any other type becomes a
// generic event with its type, object id and customer. The sequence number
// is the store's to give.
#ifndef PAYVOX_WEBHOOKS_EVENT_DECODER_H_
#define PAYVOX_WEBHOOKS_EVENT_DECODER_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "payvox/v1/events.pb.h"

namespace payvox::webhooks {

// The event types decoded into typed PaymentEvents (api.md), which
// AdminService.ConfigureWebhooks asks Stripe to send.
inline constexpr std::array<absl::string_view, 15> kTypedEventTypes = {
    "charge.succeeded",
    "charge.failed",
    "charge.refunded",
    "charge.refund.updated",
    "charge.dispute.created",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
};

// DecodedEvent is the event and what ingestion needs besides it.
struct DecodedEvent {
  v1::PaymentEvent event;
  // True for the types of api.md (decoded from their object).
  bool typed = false;
  // metadata.payvox_handoff_session of a payment intent, if any.
  std::string handoff_session_id;
};

// DecodeEvent: INVALID_ARGUMENT naming what is missing or malformed.
absl::StatusOr<DecodedEvent> DecodeEvent(const std::string& body);

}  // namespace payvox::webhooks

#endif  // PAYVOX_WEBHOOKS_EVENT_DECODER_H_
