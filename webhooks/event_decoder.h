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

#include <string>

#include "absl/status/statusor.h"
#include "payvox/v1/events.pb.h"

namespace payvox::webhooks {

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
