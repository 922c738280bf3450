// answers.h: the sentences payvox's replies end with, one function per kind
// of Stripe object, shared by the typed actions and the catalog's generic
// entries so an object is described the same way wherever it appears.
//
// Every phrase is short, speakable as it is (money with its currency, dates
// as "December 21st" in the tenant's zone), and safe for the caller to hear:
// no ids, secrets, emails or card data beyond brand and last 4.
#ifndef PAYVOX_ACTIONS_SENTENCES_H_
#define PAYVOX_ACTIONS_SENTENCES_H_

#include <string>

#include "absl/time/time.h"
#include "client/stripe_objects.h"
#include "payvox/v1/types.pb.h"

namespace payvox {

// Speaking: the moment and zone dates are spoken relative to.
struct Speaking {
  absl::Time now;
  absl::TimeZone zone;
};

// ChargeOutcome: "it went through", "it didn't go through: the bank...",
// "it was refunded", "it is still processing".
std::string ChargeOutcome(const v1::Charge& charge);
// PaymentSay: "That payment of $49.00 on November 21st on your Visa ending
// in 4242 went through."
std::string PaymentSay(const v1::Charge& charge, const Speaking& speaking);
std::string IntentSay(const stripe::PaymentIntent& intent, const Speaking& speaking);
std::string RefundSay(const v1::Refund& refund, const Speaking& speaking);
// SubscriptionSay: plan, price per interval, and what happens next
// (renewal, end, pause).
std::string SubscriptionSay(const v1::Subscription& subscription);
std::string InvoiceSay(const stripe::Invoice& invoice, const Speaking& speaking);
std::string CouponSay(const stripe::Coupon& coupon);
// PricePhrase: "$49.00 a month", "$490.00 every 2 years", "$25.00 once".
std::string PricePhrase(const stripe::Price& price);
// SpellOut reads a code character by character: "K7M" -> "K, 7, M".
std::string SpellOut(absl::string_view code);

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_SENTENCES_H_
