#include "client/stripe_decoders.h"

#include "client/decoding.h"

namespace payvox::stripe {
namespace {

using namespace decoding;  // NOLINT: the decoders' shared vocabulary

absl::Status DecodeCardObject(od::object& object, Card& card) {
  return ForEachField(object, "card", [&](std::string_view key, od::value& value) {
    const Site site{"card", key};
    if (key == "brand") return ReadString(value, site, card.brand);
    if (key == "last4") return ReadString(value, site, card.last4);
    if (key == "exp_month") return ReadInt(value, site, card.exp_month);
    if (key == "exp_year") return ReadInt(value, site, card.exp_year);
    return absl::OkStatus();
  });
}

absl::Status DecodeCustomerObject(od::object& object, Customer& customer) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "customer", [&](std::string_view key, od::value& value) {
        const Site site{"customer", key};
        if (key == "id") return ReadString(value, site, customer.id);
        if (key == "name") return ReadString(value, site, customer.name);
        if (key == "email") return ReadString(value, site, customer.email);
        if (key == "phone") return ReadString(value, site, customer.phone);
        if (key == "created") return ReadInt(value, site, customer.created);
        if (key == "deleted") return ReadBool(value, site, customer.deleted);
        return absl::OkStatus();
      }));
  if (customer.id.empty()) return MissingField("customer", "id");
  return absl::OkStatus();
}

absl::Status DecodePaymentMethodObject(od::object& object, PaymentMethod& method) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "payment_method", [&](std::string_view key, od::value& value) {
        const Site site{"payment_method", key};
        if (key == "id") return ReadString(value, site, method.id);
        if (key == "type") return ReadString(value, site, method.type);
        if (key == "customer") return ReadId(value, site, method.customer);
        if (key == "card") return ReadObject(value, site, method.card, DecodeCardObject);
        return absl::OkStatus();
      }));
  if (method.id.empty()) return MissingField("payment_method", "id");
  return absl::OkStatus();
}

absl::Status DecodePaymentMethodDetails(od::object& object, Card& card) {
  return ForEachField(object, "charge", [&](std::string_view key, od::value& value) {
    return key == "card" ? ReadObject(value, {"charge", key}, card, DecodeCardObject)
                         : absl::OkStatus();
  });
}

absl::Status DecodeOutcome(od::object& object, Charge& charge) {
  return ForEachField(object, "charge", [&](std::string_view key, od::value& value) {
    if (key == "risk_level") return ReadString(value, {"charge.outcome", key}, charge.risk_level);
    if (key == "reason") return ReadString(value, {"charge.outcome", key}, charge.outcome_reason);
    return absl::OkStatus();
  });
}

absl::Status DecodeChargeObject(od::object& object, Charge& charge) {
  bool has_amount = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "charge", [&](std::string_view key, od::value& value) {
        const Site site{"charge", key};
        if (key == "id") return ReadString(value, site, charge.id);
        if (key == "amount") {
          has_amount = true;
          return ReadInt(value, site, charge.amount);
        }
        if (key == "amount_refunded") return ReadInt(value, site, charge.amount_refunded);
        if (key == "currency") return ReadString(value, site, charge.currency);
        if (key == "customer") return ReadId(value, site, charge.customer);
        if (key == "description") return ReadString(value, site, charge.description);
        if (key == "invoice") return ReadId(value, site, charge.invoice);
        if (key == "payment_intent") return ReadId(value, site, charge.payment_intent);
        if (key == "status") return ReadString(value, site, charge.status);
        if (key == "failure_code") return ReadString(value, site, charge.failure_code);
        if (key == "failure_message") return ReadString(value, site, charge.failure_message);
        if (key == "created") return ReadInt(value, site, charge.created);
        if (key == "paid") return ReadBool(value, site, charge.paid);
        if (key == "refunded") return ReadBool(value, site, charge.refunded);
        if (key == "disputed") return ReadBool(value, site, charge.disputed);
        if (key == "outcome") return ReadObject(value, site, charge, DecodeOutcome);
        if (key == "payment_method_details") {
          return ReadObject(value, site, charge.card, DecodePaymentMethodDetails);
        }
        return absl::OkStatus();
      }));
  if (charge.id.empty()) return MissingField("charge", "id");
  if (!has_amount) return MissingField("charge", "amount");
  if (charge.currency.empty()) return MissingField("charge", "currency");
  return absl::OkStatus();
}

absl::Status DecodeRefundObject(od::object& object, Refund& refund) {
  bool has_amount = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "refund", [&](std::string_view key, od::value& value) {
        const Site site{"refund", key};
        if (key == "id") return ReadString(value, site, refund.id);
        if (key == "amount") {
          has_amount = true;
          return ReadInt(value, site, refund.amount);
        }
        if (key == "currency") return ReadString(value, site, refund.currency);
        if (key == "charge") return ReadId(value, site, refund.charge);
        if (key == "payment_intent") return ReadId(value, site, refund.payment_intent);
        if (key == "reason") return ReadString(value, site, refund.reason);
        if (key == "status") return ReadString(value, site, refund.status);
        if (key == "created") return ReadInt(value, site, refund.created);
        if (key == "metadata") return ReadMetadata(value, site, refund.metadata);
        return absl::OkStatus();
      }));
  if (refund.id.empty()) return MissingField("refund", "id");
  if (!has_amount) return MissingField("refund", "amount");
  if (refund.currency.empty()) return MissingField("refund", "currency");
  return absl::OkStatus();
}

absl::Status DecodeLastPaymentError(od::object& object, PaymentIntent& intent) {
  return ForEachField(object, "payment_intent", [&](std::string_view key, od::value& value) {
    const Site site{"payment_intent.last_payment_error", key};
    if (key == "code") return ReadString(value, site, intent.last_error_code);
    if (key == "decline_code") return ReadString(value, site, intent.last_decline_code);
    if (key == "message") return ReadString(value, site, intent.last_error_message);
    return absl::OkStatus();
  });
}

absl::Status DecodePaymentIntentObject(od::object& object, PaymentIntent& intent) {
  bool has_amount = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "payment_intent", [&](std::string_view key, od::value& value) {
        const Site site{"payment_intent", key};
        if (key == "id") return ReadString(value, site, intent.id);
        if (key == "amount") {
          has_amount = true;
          return ReadInt(value, site, intent.amount);
        }
        if (key == "amount_received") return ReadInt(value, site, intent.amount_received);
        if (key == "currency") return ReadString(value, site, intent.currency);
        if (key == "customer") return ReadId(value, site, intent.customer);
        if (key == "description") return ReadString(value, site, intent.description);
        if (key == "status") return ReadString(value, site, intent.status);
        if (key == "payment_method") return ReadId(value, site, intent.payment_method);
        if (key == "latest_charge") return ReadId(value, site, intent.latest_charge);
        if (key == "client_secret") return ReadString(value, site, intent.client_secret);
        if (key == "cancellation_reason") {
          return ReadString(value, site, intent.cancellation_reason);
        }
        if (key == "created") return ReadInt(value, site, intent.created);
        if (key == "metadata") return ReadMetadata(value, site, intent.metadata);
        if (key == "last_payment_error") {
          return ReadObject(value, site, intent, DecodeLastPaymentError);
        }
        return absl::OkStatus();
      }));
  if (intent.id.empty()) return MissingField("payment_intent", "id");
  if (!has_amount) return MissingField("payment_intent", "amount");
  if (intent.currency.empty()) return MissingField("payment_intent", "currency");
  return absl::OkStatus();
}

absl::Status DecodeErrorObject(od::object& object, ErrorBody& error) {
  return ForEachField(object, "error", [&](std::string_view key, od::value& value) {
    const Site site{"error", key};
    if (key == "type") return ReadString(value, site, error.type);
    if (key == "code") return ReadString(value, site, error.code);
    if (key == "decline_code") return ReadString(value, site, error.decline_code);
    if (key == "message") return ReadString(value, site, error.message);
    if (key == "param") return ReadString(value, site, error.param);
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<Customer> DecodeCustomer(const std::string& body) {
  return DecodeSingle<Customer>(body, "customer", DecodeCustomerObject);
}
absl::StatusOr<List<Customer>> DecodeCustomerList(const std::string& body) {
  return DecodeListOf<Customer>(body, "customer", DecodeCustomerObject);
}
absl::StatusOr<PaymentMethod> DecodePaymentMethod(const std::string& body) {
  return DecodeSingle<PaymentMethod>(body, "payment_method", DecodePaymentMethodObject);
}
absl::StatusOr<List<PaymentMethod>> DecodePaymentMethodList(const std::string& body) {
  return DecodeListOf<PaymentMethod>(body, "payment_method", DecodePaymentMethodObject);
}
absl::StatusOr<Charge> DecodeCharge(const std::string& body) {
  return DecodeSingle<Charge>(body, "charge", DecodeChargeObject);
}
absl::StatusOr<List<Charge>> DecodeChargeList(const std::string& body) {
  return DecodeListOf<Charge>(body, "charge", DecodeChargeObject);
}
absl::StatusOr<Refund> DecodeRefund(const std::string& body) {
  return DecodeSingle<Refund>(body, "refund", DecodeRefundObject);
}
absl::StatusOr<List<Refund>> DecodeRefundList(const std::string& body) {
  return DecodeListOf<Refund>(body, "refund", DecodeRefundObject);
}

absl::StatusOr<PaymentIntent> DecodePaymentIntent(const std::string& body) {
  return DecodeSingle<PaymentIntent>(body, "payment_intent", DecodePaymentIntentObject);
}
absl::StatusOr<List<PaymentIntent>> DecodePaymentIntentList(const std::string& body) {
  return DecodeListOf<PaymentIntent>(body, "payment_intent", DecodePaymentIntentObject);
}

absl::StatusOr<ErrorBody> DecodeErrorBody(const std::string& body) {
  ErrorBody error;
  bool has_error = false;
  PAYVOX_RETURN_IF_ERROR(WithRootObject(body, "error", [&](od::object& root) {
    return ForEachField(root, "error", [&](std::string_view key, od::value& value) {
      if (key != "error") return absl::OkStatus();
      has_error = true;
      return ReadObject(value, {"error", key}, error, DecodeErrorObject);
    });
  }));
  if (!has_error) return MissingField("error", "error");
  return error;
}

}  // namespace payvox::stripe
