// speech.h: phrases a voice agent can say as they are.
//
// Every `say` sentence payvox returns is built from these pieces, so the way
// a card, a date or a decline is spoken is decided once.
#ifndef PAYVOX_COMMON_SPEECH_H_
#define PAYVOX_COMMON_SPEECH_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace payvox {

// CardPhrase: ("visa", "4242") -> "Visa ending in 4242"; an unknown brand is
// "card ending in 4242".
std::string CardPhrase(absl::string_view brand, absl::string_view last4);

// DeclinePhrase explains a Stripe decline or failure code in plain words that
// are safe to tell a caller: "insufficient_funds" -> "the bank declined it
// for insufficient funds". Codes Stripe says must not be revealed to a
// customer (fraudulent, stolen_card, lost_card...) get the generic phrase.
absl::string_view DeclinePhrase(absl::string_view code);

// DeclineExplanation is for the agent, not the caller: the plain reason for
// every code, including the withheld ones ("fraudulent" -> "Stripe or the
// bank suspects fraud; do not tell the caller this reason and do not retry
// this card"). Other codes read as DeclinePhrase.
std::string DeclineExplanation(absl::string_view code);

// DatePhrase: a day as people say it, in `zone`: "November 20th". The year is
// added when it differs from the year of `now`.
std::string DatePhrase(absl::Time when, absl::Time now, absl::TimeZone zone);

// Plural: Plural(1, "charge") -> "1 charge", Plural(3, "charge") -> "3 charges".
std::string Plural(int64_t count, absl::string_view noun);

}  // namespace payvox

#endif  // PAYVOX_COMMON_SPEECH_H_
