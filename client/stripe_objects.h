// stripe_objects.h: plain structs for the Stripe objects payvox reads.
//
// Field names follow Stripe's. Strings Stripe sends as null are empty here;
// an expanded object in an id field is reduced to its id. Decoders live in
// stripe_decoders.h.
#ifndef PAYVOX_CLIENT_STRIPE_OBJECTS_H_
#define PAYVOX_CLIENT_STRIPE_OBJECTS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace payvox::stripe {

struct Card {
  std::string brand;
  std::string last4;
  int64_t exp_month = 0;
  int64_t exp_year = 0;
};

struct Customer {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  int64_t created = 0;
  bool deleted = false;
};

struct PaymentMethod {
  std::string id;
  std::string type;
  std::string customer;
  Card card;  // set when type == "card"
};

struct Charge {
  std::string id;
  int64_t amount = 0;
  int64_t amount_refunded = 0;
  std::string currency;
  std::string customer;
  std::string description;
  std::string invoice;
  std::string payment_intent;
  // "succeeded", "pending" or "failed".
  std::string status;
  std::string failure_code;
  std::string failure_message;
  // outcome.risk_level: "normal", "elevated", "highest".
  std::string risk_level;
  // outcome.reason: the decline code of a failed charge, e.g.
  // "insufficient_funds".
  std::string outcome_reason;
  int64_t created = 0;
  bool paid = false;
  bool refunded = false;
  bool disputed = false;
  // payment_method_details.card, when paid by card.
  Card card;
};

struct Refund {
  std::string id;
  int64_t amount = 0;
  std::string currency;
  std::string charge;
  std::string payment_intent;
  std::string reason;
  // "pending", "succeeded", "failed", "canceled", "requires_action".
  std::string status;
  int64_t created = 0;
};

// List is a list or search_result envelope.
template <typename T>
struct List {
  std::vector<T> data;
  bool has_more = false;
};

// ErrorBody is Stripe's {"error": {...}}.
struct ErrorBody {
  std::string type;
  std::string code;
  std::string decline_code;
  std::string message;
  std::string param;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_OBJECTS_H_
