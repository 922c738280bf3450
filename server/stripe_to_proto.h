// stripe_to_proto.h: Stripe structs (client/stripe_objects.h) as payvox.v1
// messages, with money display text and failure reasons in plain words.
#ifndef PAYVOX_SERVER_STRIPE_TO_PROTO_H_
#define PAYVOX_SERVER_STRIPE_TO_PROTO_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "client/stripe_objects.h"
#include "payvox/v1/types.pb.h"

namespace payvox {

v1::Money ToMoney(int64_t amount_minor, absl::string_view currency);
v1::Customer ToProto(const stripe::Customer& customer);
v1::Card ToProto(const stripe::Card& card);
// ToProto of a charge fills refundable (what is left to refund of a
// succeeded charge) and failure_reason (plain words, safe to say).
v1::Charge ToProto(const stripe::Charge& charge);
v1::Refund ToProto(const stripe::Refund& refund);

}  // namespace payvox

#endif  // PAYVOX_SERVER_STRIPE_TO_PROTO_H_
