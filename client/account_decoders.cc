// The account, links and events family: payment links, billing portal
// sessions, balance, balance transactions, events and webhook endpoints.
#include "client/decoding.h"
#include "client/stripe_decoders.h"

namespace payvox::stripe {
namespace {

using namespace decoding;  // NOLINT: the decoders' shared vocabulary

absl::Status DecodePaymentLinkObject(od::object& object, PaymentLink& link) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "payment_link", [&](std::string_view key, od::value& value) {
        const Site site{"payment_link", key};
        if (key == "id") return ReadString(value, site, link.id);
        if (key == "url") return ReadString(value, site, link.url);
        if (key == "active") return ReadBool(value, site, link.active);
        return absl::OkStatus();
      }));
  if (link.id.empty()) return MissingField("payment_link", "id");
  if (link.url.empty()) return MissingField("payment_link", "url");
  return absl::OkStatus();
}

absl::Status DecodePortalSessionObject(od::object& object, BillingPortalSession& session) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "billing_portal.session", [&](std::string_view key, od::value& value) {
        const Site site{"billing_portal.session", key};
        if (key == "id") return ReadString(value, site, session.id);
        if (key == "customer") return ReadId(value, site, session.customer);
        if (key == "url") return ReadString(value, site, session.url);
        if (key == "return_url") return ReadString(value, site, session.return_url);
        if (key == "created") return ReadInt(value, site, session.created);
        return absl::OkStatus();
      }));
  if (session.id.empty()) return MissingField("billing_portal.session", "id");
  if (session.url.empty()) return MissingField("billing_portal.session", "url");
  return absl::OkStatus();
}

absl::Status DecodeBalanceAmountObject(od::object& object, BalanceAmount& amount) {
  bool has_amount = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "balance", [&](std::string_view key, od::value& value) {
        const Site site{"balance.amount", key};
        if (key == "amount") {
          has_amount = true;
          return ReadInt(value, site, amount.amount);
        }
        if (key == "currency") return ReadString(value, site, amount.currency);
        return absl::OkStatus();
      }));
  if (!has_amount) return MissingField("balance", "amount");
  if (amount.currency.empty()) return MissingField("balance", "currency");
  return absl::OkStatus();
}

absl::Status DecodeBalanceObject(od::object& object, Balance& balance) {
  bool has_available = false;
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "balance", [&](std::string_view key, od::value& value) {
        const Site site{"balance", key};
        if (key == "available") {
          has_available = true;
          return ReadArray(value, site, balance.available, DecodeBalanceAmountObject);
        }
        if (key == "pending") {
          return ReadArray(value, site, balance.pending, DecodeBalanceAmountObject);
        }
        if (key == "livemode") return ReadBool(value, site, balance.livemode);
        return absl::OkStatus();
      }));
  if (!has_available) return MissingField("balance", "available");
  return absl::OkStatus();
}

absl::Status DecodeBalanceTransactionObject(od::object& object, BalanceTransaction& transaction) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "balance_transaction", [&](std::string_view key, od::value& value) {
        const Site site{"balance_transaction", key};
        if (key == "id") return ReadString(value, site, transaction.id);
        if (key == "amount") return ReadInt(value, site, transaction.amount);
        if (key == "fee") return ReadInt(value, site, transaction.fee);
        if (key == "net") return ReadInt(value, site, transaction.net);
        if (key == "currency") return ReadString(value, site, transaction.currency);
        if (key == "type") return ReadString(value, site, transaction.type);
        if (key == "status") return ReadString(value, site, transaction.status);
        if (key == "source") return ReadId(value, site, transaction.source);
        if (key == "description") return ReadString(value, site, transaction.description);
        if (key == "available_on") return ReadInt(value, site, transaction.available_on);
        if (key == "created") return ReadInt(value, site, transaction.created);
        return absl::OkStatus();
      }));
  if (transaction.id.empty()) return MissingField("balance_transaction", "id");
  if (transaction.currency.empty()) return MissingField("balance_transaction", "currency");
  return absl::OkStatus();
}

absl::Status DecodeEventData(od::object& object, Event& event) {
  bool has_object = false;
  PAYVOX_RETURN_IF_ERROR(ForEachField(object, "event", [&](std::string_view key, od::value& value) {
    if (key != "object") return absl::OkStatus();
    has_object = true;
    return ReadRawObject(value, {"event.data", key}, event.object_json);
  }));
  if (!has_object || event.object_json.empty()) return MissingField("event", "data.object");
  return absl::OkStatus();
}

absl::Status DecodeEventObject(od::object& object, Event& event) {
  bool has_data = false;
  PAYVOX_RETURN_IF_ERROR(ForEachField(object, "event", [&](std::string_view key, od::value& value) {
    const Site site{"event", key};
    if (key == "id") return ReadString(value, site, event.id);
    if (key == "type") return ReadString(value, site, event.type);
    if (key == "api_version") return ReadString(value, site, event.api_version);
    if (key == "created") return ReadInt(value, site, event.created);
    if (key == "livemode") return ReadBool(value, site, event.livemode);
    if (key == "data") {
      has_data = true;
      return ReadObject(value, site, event, DecodeEventData);
    }
    return absl::OkStatus();
  }));
  if (event.id.empty()) return MissingField("event", "id");
  if (event.type.empty()) return MissingField("event", "type");
  if (!has_data) return MissingField("event", "data");
  return absl::OkStatus();
}

// IdentifyEventObject fills object_type and object_id from object_json, in
// a second parse (the first one's document is done by then).
absl::Status IdentifyEventObject(Event& event) {
  return WithRootObject(event.object_json, "event.data.object", [&](od::object& root) {
    return ForEachField(root, "event.data.object", [&](std::string_view key, od::value& value) {
      const Site site{"event.data.object", key};
      if (key == "object") return ReadString(value, site, event.object_type);
      if (key == "id") return ReadString(value, site, event.object_id);
      return absl::OkStatus();
    });
  });
}

absl::Status DecodeWebhookEndpointObject(od::object& object, WebhookEndpoint& endpoint) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "webhook_endpoint", [&](std::string_view key, od::value& value) {
        const Site site{"webhook_endpoint", key};
        if (key == "id") return ReadString(value, site, endpoint.id);
        if (key == "url") return ReadString(value, site, endpoint.url);
        if (key == "status") return ReadString(value, site, endpoint.status);
        if (key == "api_version") return ReadString(value, site, endpoint.api_version);
        if (key == "enabled_events") {
          return ReadStringArray(value, site, endpoint.enabled_events);
        }
        if (key == "secret") return ReadString(value, site, endpoint.secret);
        if (key == "created") return ReadInt(value, site, endpoint.created);
        return absl::OkStatus();
      }));
  if (endpoint.id.empty()) return MissingField("webhook_endpoint", "id");
  if (endpoint.url.empty()) return MissingField("webhook_endpoint", "url");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PaymentLink> DecodePaymentLink(const std::string& body) {
  return DecodeSingle<PaymentLink>(body, "payment_link", DecodePaymentLinkObject);
}
absl::StatusOr<List<PaymentLink>> DecodePaymentLinkList(const std::string& body) {
  return DecodeListOf<PaymentLink>(body, "payment_link", DecodePaymentLinkObject);
}
absl::StatusOr<BillingPortalSession> DecodeBillingPortalSession(const std::string& body) {
  return DecodeSingle<BillingPortalSession>(body, "billing_portal.session",
                                            DecodePortalSessionObject);
}
absl::StatusOr<Balance> DecodeBalance(const std::string& body) {
  return DecodeSingle<Balance>(body, "balance", DecodeBalanceObject);
}
absl::StatusOr<BalanceTransaction> DecodeBalanceTransaction(const std::string& body) {
  return DecodeSingle<BalanceTransaction>(body, "balance_transaction",
                                          DecodeBalanceTransactionObject);
}
absl::StatusOr<List<BalanceTransaction>> DecodeBalanceTransactionList(const std::string& body) {
  return DecodeListOf<BalanceTransaction>(body, "balance_transaction",
                                          DecodeBalanceTransactionObject);
}
absl::StatusOr<Event> DecodeEvent(const std::string& body) {
  PAYVOX_ASSIGN_OR_RETURN(Event event, DecodeSingle<Event>(body, "event", DecodeEventObject));
  PAYVOX_RETURN_IF_ERROR(IdentifyEventObject(event));
  return event;
}
absl::StatusOr<List<Event>> DecodeEventList(const std::string& body) {
  PAYVOX_ASSIGN_OR_RETURN(List<Event> events,
                          DecodeListOf<Event>(body, "event", DecodeEventObject));
  for (Event& event : events.data) PAYVOX_RETURN_IF_ERROR(IdentifyEventObject(event));
  return events;
}
absl::StatusOr<WebhookEndpoint> DecodeWebhookEndpoint(const std::string& body) {
  return DecodeSingle<WebhookEndpoint>(body, "webhook_endpoint", DecodeWebhookEndpointObject);
}
absl::StatusOr<List<WebhookEndpoint>> DecodeWebhookEndpointList(const std::string& body) {
  return DecodeListOf<WebhookEndpoint>(body, "webhook_endpoint", DecodeWebhookEndpointObject);
}

}  // namespace payvox::stripe
