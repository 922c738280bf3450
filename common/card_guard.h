// card_guard.h: the one card-number guard for requests from outside.
//
// payvox never sends or stores a card number. Every request a transport
// hands to payvox (typed actions with their CallContext, Execute, the
// admin calls) passes RejectCardNumbersIn before anything is sent or
// stored; it walks every string of the message, nested messages, repeated
// fields and maps included, so a card number typed as an email, a call id,
// a tenant name or policy text is refused like one typed as a note.
//
//   PAYVOX_RETURN_IF_ERROR(RejectCardNumbersIn(request));
//   // INVALID_ARGUMENT "context.call_id looks like it contains a card number; ..."
#ifndef PAYVOX_COMMON_CARD_GUARD_H_
#define PAYVOX_COMMON_CARD_GUARD_H_

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace payvox {

// RejectCardNumbersIn returns INVALID_ARGUMENT naming the first field (by
// its path: "lines[1].description", "metadata[note]") whose text contains
// a card number (common/redact.h, ContainsCardNumber); OK otherwise. Map
// keys are checked as well as values. The error never repeats the value.
absl::Status RejectCardNumbersIn(const google::protobuf::Message& message);

}  // namespace payvox

#endif  // PAYVOX_COMMON_CARD_GUARD_H_
