#include "sandbox/objects.h"

#include "common/json_writer.h"

namespace payvox::sandbox {
namespace {

void WriteMetadata(JsonWriter& json, const Metadata& metadata) {
  json.Key("metadata").BeginObject();
  for (const auto& [key, value] : metadata) json.Field(key, value);
  json.EndObject();
}

void WriteCardDetails(JsonWriter& json, const CardRecord& card) {
  json.BeginObject()
      .Field("brand", card.brand)
      .Field("country", "US")
      .Field("exp_month", card.exp_month)
      .Field("exp_year", card.exp_year)
      .Field("funding", "credit")
      .Field("last4", card.last4)
      .EndObject();
}

}  // namespace

std::string ToJson(const CustomerRecord& customer) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", customer.id)
      .Field("object", "customer")
      .Field("created", customer.created)
      .NullableField("description", customer.description)
      .NullableField("email", customer.email)
      .Field("livemode", false);
  WriteMetadata(json, customer.metadata);
  json.NullableField("name", customer.name).NullableField("phone", customer.phone).EndObject();
  return json.Take();
}

std::string ToJson(const CardRecord& card) {
  JsonWriter json;
  json.BeginObject().Field("id", card.id).Field("object", "payment_method").Key("card");
  WriteCardDetails(json, card);
  json.Field("created", card.created)
      .NullableField("customer", card.customer)
      .Field("livemode", false)
      .Field("type", "card")
      .EndObject();
  return json.Take();
}

std::string ToJson(const ChargeRecord& charge) {
  const bool succeeded = charge.status == "succeeded";
  JsonWriter json;
  json.BeginObject()
      .Field("id", charge.id)
      .Field("object", "charge")
      .Field("amount", charge.amount)
      .Field("amount_captured", succeeded ? charge.amount : 0)
      .Field("amount_refunded", charge.amount_refunded)
      .Field("captured", succeeded)
      .Field("created", charge.created)
      .Field("currency", charge.currency)
      .NullableField("customer", charge.customer)
      .NullableField("description", charge.description)
      .Field("disputed", charge.disputed)
      .NullableField("failure_code", charge.failure_code)
      .NullableField("failure_message", charge.failure_message)
      .NullableField("invoice", charge.invoice)
      .Field("livemode", false);
  json.Key("metadata").BeginObject().EndObject();
  json.Key("outcome")
      .BeginObject()
      .Field("network_status", succeeded ? "approved_by_network" : "declined_by_network")
      .NullableField("reason", charge.decline_code)
      .Field("risk_level", charge.risk_level)
      .Field("type", succeeded ? "authorized" : "issuer_declined")
      .EndObject();
  json.Field("paid", succeeded)
      .NullableField("payment_intent", charge.payment_intent)
      .NullableField("payment_method", charge.payment_method);
  json.Key("payment_method_details").BeginObject().Key("card");
  WriteCardDetails(json, charge.card);
  json.Field("type", "card").EndObject();
  json.Field("refunded", charge.amount_refunded > 0 && charge.amount_refunded == charge.amount)
      .Field("status", charge.status)
      .EndObject();
  return json.Take();
}

std::string ToJson(const RefundRecord& refund) {
  JsonWriter json;
  json.BeginObject()
      .Field("id", refund.id)
      .Field("object", "refund")
      .Field("amount", refund.amount)
      .NullableField("charge", refund.charge)
      .Field("created", refund.created)
      .Field("currency", refund.currency);
  WriteMetadata(json, refund.metadata);
  json.NullableField("payment_intent", refund.payment_intent)
      .NullableField("reason", refund.reason)
      .Field("status", refund.status)
      .EndObject();
  return json.Take();
}

}  // namespace payvox::sandbox
