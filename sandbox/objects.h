// objects.h: the sandbox's Stripe objects and their JSON in Stripe's shape.
#ifndef PAYVOX_SANDBOX_OBJECTS_H_
#define PAYVOX_SANDBOX_OBJECTS_H_

#include <cstdint>
#include <map>
#include <string>

namespace payvox::sandbox {

using Metadata = std::map<std::string, std::string>;

struct CustomerRecord {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  std::string description;
  int64_t created = 0;
  Metadata metadata;
};

struct CardRecord {
  // The payment method id, "pm_...".
  std::string id;
  std::string customer;
  std::string brand;
  std::string last4;
  int64_t exp_month = 0;
  int64_t exp_year = 0;
  int64_t created = 0;
};

struct ChargeRecord {
  std::string id;
  std::string customer;
  int64_t amount = 0;
  int64_t amount_refunded = 0;
  std::string currency;
  std::string description;
  std::string invoice;
  std::string payment_intent;
  std::string payment_method;
  // "succeeded" or "failed".
  std::string status;
  std::string failure_code;
  std::string failure_message;
  std::string decline_code;
  std::string risk_level = "normal";
  bool disputed = false;
  int64_t created = 0;
  CardRecord card;
};

struct RefundRecord {
  std::string id;
  std::string charge;
  std::string payment_intent;
  int64_t amount = 0;
  std::string currency;
  std::string reason;
  std::string status = "succeeded";
  int64_t created = 0;
  Metadata metadata;
};

std::string ToJson(const CustomerRecord& customer);
std::string ToJson(const CardRecord& card);
std::string ToJson(const ChargeRecord& charge);
std::string ToJson(const RefundRecord& refund);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_OBJECTS_H_
