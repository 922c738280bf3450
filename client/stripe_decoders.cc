#include "client/stripe_decoders.h"

#include <simdjson.h>

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace payvox::stripe {
namespace {

namespace od = simdjson::ondemand;

// Site names where a decode failed: "charge.amount".
struct Site {
  absl::string_view object;
  std::string_view field;
};

absl::Status Fail(const Site& site, absl::string_view what) {
  return absl::InternalError(absl::StrCat("Stripe sent a ", site.object, " payvox cannot read: ",
                                          site.field.empty() ? "the body" : "field \"",
                                          absl::string_view(site.field.data(), site.field.size()),
                                          site.field.empty() ? "" : "\"", " ", what));
}

absl::Status Fail(const Site& site, simdjson::error_code error) {
  return Fail(site, absl::StrCat("(", simdjson::error_message(error), ")"));
}

absl::Status MissingField(absl::string_view object, absl::string_view field) {
  return absl::InternalError(absl::StrCat("Stripe sent a ", object, " payvox cannot read: field \"",
                                          field, "\" is missing"));
}

// TypeOf reads the JSON type of `value`.
absl::StatusOr<od::json_type> TypeOf(od::value& value, const Site& site) {
  od::json_type type;
  if (auto error = value.type().get(type)) return Fail(site, error);
  return type;
}

// ReadString copies a string; null reads as "".
absl::Status ReadString(od::value& value, const Site& site, std::string& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out.clear();
    return absl::OkStatus();
  }
  if (type != od::json_type::string) return Fail(site, "is not a string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return Fail(site, error);
  out.assign(text.data(), text.size());
  return absl::OkStatus();
}

// ReadInt reads an integer; null reads as 0.
absl::Status ReadInt(od::value& value, const Site& site, int64_t& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out = 0;
    return absl::OkStatus();
  }
  if (type != od::json_type::number) return Fail(site, "is not a number");
  if (value.get_int64().get(out) != simdjson::SUCCESS) return Fail(site, "is not a 64-bit integer");
  return absl::OkStatus();
}

// ReadBool reads true or false; null reads as false.
absl::Status ReadBool(od::value& value, const Site& site, bool& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) {
    out = false;
    return absl::OkStatus();
  }
  if (type != od::json_type::boolean) return Fail(site, "is not a boolean");
  if (auto error = value.get_bool().get(out)) return Fail(site, error);
  return absl::OkStatus();
}

// ForEachField calls `visit(key, value)` for every field of `object`. Values
// `visit` does not consume are skipped by simdjson.
template <typename Visit>
absl::Status ForEachField(od::object& object, absl::string_view object_name, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return Fail({object_name, {}}, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return Fail({object_name, {}}, error);
    PAYVOX_RETURN_IF_ERROR(visit(key, field.value()));
  }
  return absl::OkStatus();
}

// ReadObject runs `decode` on a nested object; null leaves `out` as is.
template <typename T, typename Decode>
absl::Status ReadObject(od::value& value, const Site& site, T& out, Decode&& decode) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::object) return Fail(site, "is not an object");
  od::object object;
  if (auto error = value.get_object().get(object)) return Fail(site, error);
  return decode(object, out);
}

// ReadId reads an id field that Stripe may expand into an object.
absl::Status ReadId(od::value& value, const Site& site, std::string& out) {
  PAYVOX_ASSIGN_OR_RETURN(const od::json_type type, TypeOf(value, site));
  if (type != od::json_type::object) return ReadString(value, site, out);
  od::object object;
  if (auto error = value.get_object().get(object)) return Fail(site, error);
  return ForEachField(object, site.object, [&](std::string_view key, od::value& inner) {
    return key == "id" ? ReadString(inner, site, out) : absl::OkStatus();
  });
}

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
        return absl::OkStatus();
      }));
  if (refund.id.empty()) return MissingField("refund", "id");
  if (!has_amount) return MissingField("refund", "amount");
  if (refund.currency.empty()) return MissingField("refund", "currency");
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

// WithRootObject parses `body` with this thread's parser and hands its root
// object to `decode`; trailing bytes after the root are an error.
template <typename Decode>
absl::Status WithRootObject(const std::string& body, absl::string_view name, Decode&& decode) {
  thread_local od::parser parser;
  simdjson::padded_string copy;
  simdjson::padded_string_view input(body);
  if (body.capacity() - body.size() < simdjson::SIMDJSON_PADDING) {
    copy = simdjson::padded_string(body);
    input = copy;
  }
  od::document document;
  if (auto error = parser.iterate(input).get(document)) return Fail({name, {}}, error);
  od::object root;
  if (auto error = document.get_object().get(root)) return Fail({name, {}}, error);
  PAYVOX_RETURN_IF_ERROR(decode(root));
  // Anything left after the root object means the body was not one JSON value.
  const char* trailing = nullptr;
  if (document.current_location().get(trailing) == simdjson::SUCCESS) {
    return Fail({name, {}}, "has bytes after the JSON value");
  }
  return absl::OkStatus();
}

template <typename T, typename DecodeOne>
absl::StatusOr<T> DecodeSingle(const std::string& body, absl::string_view name,
                               DecodeOne&& decode_one) {
  T out;
  PAYVOX_RETURN_IF_ERROR(
      WithRootObject(body, name, [&](od::object& root) { return decode_one(root, out); }));
  return out;
}

template <typename T, typename DecodeOne>
absl::StatusOr<List<T>> DecodeListOf(const std::string& body, absl::string_view name,
                                     DecodeOne&& decode_one) {
  List<T> list;
  bool has_data = false;
  PAYVOX_RETURN_IF_ERROR(WithRootObject(body, "list", [&](od::object& root) {
    return ForEachField(root, "list", [&](std::string_view key, od::value& value) -> absl::Status {
      const Site site{"list", key};
      if (key == "has_more") return ReadBool(value, site, list.has_more);
      if (key == "object") {
        std::string kind;
        PAYVOX_RETURN_IF_ERROR(ReadString(value, site, kind));
        if (kind != "list" && kind != "search_result") return Fail(site, "is not a list");
        return absl::OkStatus();
      }
      if (key != "data") return absl::OkStatus();
      has_data = true;
      od::array array;
      if (auto error = value.get_array().get(array)) return Fail(site, error);
      for (auto element : array) {
        od::object object;
        if (auto error = std::move(element).get_object().get(object))
          return Fail({name, "data[]"}, error);
        PAYVOX_RETURN_IF_ERROR(decode_one(object, list.data.emplace_back()));
      }
      return absl::OkStatus();
    });
  }));
  if (!has_data) return MissingField("list", "data");
  return list;
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
