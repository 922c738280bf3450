// stripe_to_proto.h: Stripe structs (client/stripe_objects.h) as payvox.v1
// messages, with money display text and failure reasons in plain words.
#ifndef PAYVOX_ACTIONS_STRIPE_TO_PROTO_H_
#define PAYVOX_ACTIONS_STRIPE_TO_PROTO_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
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
// failure_reason: the last payment error in plain words, safe to say.
v1::PaymentIntent ToProto(const stripe::PaymentIntent& intent);
// The plan is the first item's price (nickname, else id); the renewal date
// is spoken in `zone` relative to `now`.
v1::Subscription ToProto(const stripe::Subscription& subscription, absl::Time now,
                         absl::TimeZone zone);
v1::Invoice ToProto(const stripe::Invoice& invoice);
v1::Coupon ToProto(const stripe::Coupon& coupon);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_STRIPE_TO_PROTO_H_
