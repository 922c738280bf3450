#include "common/speech.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

struct Phrase {
  absl::string_view code;
  absl::string_view words;
};

constexpr std::array<Phrase, 8> kBrands = {{{"visa", "Visa"},
                                            {"mastercard", "Mastercard"},
                                            {"amex", "American Express"},
                                            {"discover", "Discover"},
                                            {"diners", "Diners Club"},
                                            {"jcb", "JCB"},
                                            {"unionpay", "UnionPay"},
                                            {"cartes_bancaires", "Cartes Bancaires"}}};

constexpr absl::string_view kGenericDecline = "the bank declined the card";

// Stripe's decline codes and charge failure codes. Codes that reveal fraud
// suspicion are deliberately absent so they fall back to kGenericDecline.
constexpr std::array<Phrase, 17> kDeclines = {{
    {"insufficient_funds", "the bank declined it for insufficient funds"},
    {"expired_card", "the card has expired"},
    {"incorrect_cvc", "the security code was incorrect"},
    {"invalid_cvc", "the security code was incorrect"},
    {"incorrect_number", "the card number was incorrect"},
    {"invalid_expiry_month", "the expiry date was incorrect"},
    {"invalid_expiry_year", "the expiry date was incorrect"},
    {"incorrect_zip", "the postal code did not match"},
    {"card_velocity_exceeded", "the card has reached its spending limit for now"},
    {"withdrawal_count_limit_exceeded", "the card has reached its spending limit for now"},
    {"processing_error", "there was a processing error, so it can be tried again"},
    {"authentication_required", "the bank asked for extra authentication"},
    {"currency_not_supported", "the card does not support this currency"},
    {"card_not_supported", "the card does not support this kind of purchase"},
    {"do_not_honor", "the bank declined the card"},
    {"generic_decline", "the bank declined the card"},
    {"card_declined", "the bank declined the card"},
}};

// Codes whose reason the agent may know but must not tell the caller
// (Stripe: present them to the customer as a generic decline).
constexpr std::array<Phrase, 8> kWithheldDeclines = {{
    {"fraudulent", "Stripe or the bank suspects fraud"},
    {"stolen_card", "the card was reported stolen"},
    {"lost_card", "the card was reported lost"},
    {"pickup_card", "the bank asked for the card to be retained (possibly lost or stolen)"},
    {"merchant_blacklist", "the card is on this business's block list"},
    {"restricted_card", "the card is restricted (possibly lost or stolen)"},
    {"security_violation", "the bank flagged a security violation"},
    {"highest_risk_level", "Stripe Radar blocked it as highest risk"},
}};

absl::string_view OrdinalSuffix(int day) {
  if (day % 100 >= 11 && day % 100 <= 13) return "th";
  switch (day % 10) {
    case 1:
      return "st";
    case 2:
      return "nd";
    case 3:
      return "rd";
    default:
      return "th";
  }
}

}  // namespace

std::string CardPhrase(absl::string_view brand, absl::string_view last4) {
  absl::string_view words = "card";
  for (const Phrase& entry : kBrands) {
    if (entry.code == brand) words = entry.words;
  }
  return absl::StrCat(words, " ending in ", last4);
}

absl::string_view DeclinePhrase(absl::string_view code) {
  for (const Phrase& entry : kDeclines) {
    if (entry.code == code) return entry.words;
  }
  return kGenericDecline;
}

std::string DeclineExplanation(absl::string_view code) {
  for (const Phrase& entry : kWithheldDeclines) {
    if (entry.code == code) {
      return absl::StrCat(entry.words,
                          "; do not tell the caller this reason and do not retry this card");
    }
  }
  return std::string(DeclinePhrase(code));
}

std::string DatePhrase(absl::Time when, absl::Time now, absl::TimeZone zone) {
  static constexpr std::array<absl::string_view, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const absl::CivilDay day = absl::ToCivilDay(when, zone);
  const int day_of_month = day.day();
  std::string out = absl::StrCat(kMonths[static_cast<size_t>(day.month() - 1)], " ", day_of_month,
                                 OrdinalSuffix(day_of_month));
  if (day.year() != absl::ToCivilDay(now, zone).year()) absl::StrAppend(&out, ", ", day.year());
  return out;
}

std::string Plural(int64_t count, absl::string_view noun) {
  return absl::StrCat(count, " ", noun, count == 1 ? "" : "s");
}

}  // namespace payvox
