// catalog_runner.cc: the catalog's kStripe entries (the long
// tail of api.md: products, prices, balance, events, customer updates,
// captures, searches...), run from their declarative spec.
//
// The arguments, already checked against the entry's schema, become the
// request to the entry's Stripe endpoint (client/stripe_endpoints.h owns
// that wire format: path ids, search queries, bracket notation).
// Writes pass the same guard as the typed writes (policy with the owner's
// verification, audit, derived Idempotency-Key, saved answer for retries).
// The answer is decoded with the object's typed decoder (so a malformed
// answer is an error, not a reply), described in one sentence, and returned
// as JSON without secrets (client_secret, secret).
#include "actions/catalog_runner.h"

#include <simdjson.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "actions/action_checks.h"
#include "actions/catalog.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "client/stripe_decoders.h"
#include "common/json_writer.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

namespace dom = simdjson::dom;
using stripe::HttpMethod;

absl::string_view Sv(std::string_view text) { return {text.data(), text.size()}; }

// Built is an entry's request and whose identity its write needs.
struct Built {
  stripe::EndpointCall call;
  // The customer the path names (kPath), else the `customer` argument;
  // kLoaded: read from the object at call.object_path before the write.
  std::string owner;
};

absl::StatusOr<Built> BuildCall(const ActionSpec& spec, const std::string& arguments_json) {
  if (spec.endpoint == nullptr) {
    return absl::InternalError(absl::StrCat(Sv(spec.name), " names no Stripe endpoint"));
  }
  absl::StatusOr<stripe::EndpointCall> call =
      stripe::BuildEndpointCall(*spec.endpoint, arguments_json);
  if (!call.ok()) {
    return absl::Status(call.status().code(),
                        absl::StrCat(Sv(spec.name), ": ", call.status().message()));
  }
  Built built{.call = *std::move(call)};
  if (spec.owner == Owner::kPath) {
    built.owner = built.call.last_id;
  } else {
    dom::parser parser;
    std::string_view customer;
    if (parser.parse(arguments_json.empty() ? std::string("{}") : arguments_json)["customer"]
            .get_string()
            .get(customer) == simdjson::SUCCESS) {
      built.owner = std::string(customer);
    }
  }
  return built;
}

// WithoutSecrets copies a JSON value, leaving out client_secret and secret.
void WithoutSecrets(dom::element value, JsonWriter& json) {
  switch (value.type()) {
    case dom::element_type::OBJECT:
      json.BeginObject();
      for (const dom::key_value_pair field : dom::object(value)) {
        if (field.key == "client_secret" || field.key == "secret") continue;
        json.Key(Sv(field.key));
        WithoutSecrets(field.value, json);
      }
      json.EndObject();
      return;
    case dom::element_type::ARRAY:
      json.BeginArray();
      for (const dom::element item : dom::array(value)) WithoutSecrets(item, json);
      json.EndArray();
      return;
    case dom::element_type::STRING:
      json.String(Sv(std::string_view(value)));
      return;
    case dom::element_type::INT64:
      json.Int(int64_t(value));
      return;
    case dom::element_type::UINT64:
      json.Raw(absl::StrCat(uint64_t(value)));
      return;
    case dom::element_type::DOUBLE:
      json.Raw(absl::StrCat(double(value)));
      return;
    case dom::element_type::BOOL:
      json.Bool(bool(value));
      return;
    case dom::element_type::NULL_VALUE:
      json.Null();
      return;
  }
}

// ListSay: "I found 3 invoices. The latest: <first>".
template <typename T, typename Describe>
absl::StatusOr<std::string> ListSay(absl::StatusOr<stripe::List<T>> list, absl::string_view noun,
                                    Describe describe) {
  if (!list.ok()) return list.status();
  if (list->data.empty()) return absl::StrCat("I didn't find any ", noun, "s.");
  return absl::StrCat("I found ", Plural(static_cast<int64_t>(list->data.size()), noun),
                      list->has_more ? " (there are more)" : "",
                      ". The first: ", describe(list->data.front()));
}

template <typename T, typename Describe>
absl::StatusOr<std::string> OneSay(absl::StatusOr<T> object, Describe describe) {
  if (!object.ok()) return object.status();
  return describe(*object);
}

// Describe decodes Stripe's answer as the entry's object (or a list of them)
// and says it in one or two sentences.
absl::StatusOr<std::string> Describe(const ActionSpec& spec, const std::string& body,
                                     const Speaking& speaking) {
  const std::string_view object = spec.object;
  const bool list = spec.list;
  auto customer = [](const stripe::Customer& c) {
    if (c.deleted) return std::string("That account is deleted.");
    return absl::StrCat("the account of ", c.name.empty() ? "an unnamed customer" : c.name, ".");
  };
  auto charge = [&](const stripe::Charge& c) { return PaymentSay(ToProto(c), speaking); };
  auto intent = [&](const stripe::PaymentIntent& i) { return IntentSay(i, speaking); };
  auto invoice = [&](const stripe::Invoice& i) { return InvoiceSay(i, speaking); };
  auto subscription = [&](const stripe::Subscription& s) {
    return SubscriptionSay(ToProto(s, speaking.now, speaking.zone));
  };
  auto product = [](const stripe::Product& p) {
    return absl::StrCat(p.name, p.active ? "." : " (no longer sold).");
  };
  auto price = [](const stripe::Price& p) {
    return absl::StrCat(p.nickname.empty() ? std::string("A price") : p.nickname, ": ",
                        PricePhrase(p), ".");
  };
  auto card = [](const stripe::PaymentMethod& m) {
    return absl::StrCat(m.type == "card" ? CardPhrase(m.card.brand, m.card.last4)
                                         : std::string("A saved payment method"),
                        m.customer.empty() ? ", not attached to an account." : ".");
  };
  auto transaction = [&](const stripe::BalanceTransaction& t) {
    return absl::StrCat("A ", t.type, " of ", FormatMoney(t.amount, t.currency), " on ",
                        DatePhrase(absl::FromUnixSeconds(t.created), speaking.now, speaking.zone),
                        ", ", FormatMoney(t.net, t.currency), " after fees.");
  };
  auto event = [&](const stripe::Event& e) {
    return absl::StrCat("A ", e.type, " event on ",
                        DatePhrase(absl::FromUnixSeconds(e.created), speaking.now, speaking.zone),
                        ".");
  };
  auto coupon = [](const stripe::Coupon& c) { return absl::StrCat(CouponSay(c), "."); };
  auto promotion = [](const stripe::PromotionCode& p) {
    return absl::StrCat("Code ", SpellOut(p.code), ": ", CouponSay(p.coupon),
                        p.active ? "." : " (no longer active).");
  };
  auto link = [](const stripe::PaymentLink& l) {
    return std::string(l.active ? "An active payment link." : "A deactivated payment link.");
  };
  if (object == "customer") {
    return list ? ListSay(stripe::DecodeCustomerList(body), "customer", customer)
                : OneSay(stripe::DecodeCustomer(body), [&](const stripe::Customer& c) {
                    return c.deleted ? customer(c) : absl::StrCat("This is ", customer(c));
                  });
  }
  if (object == "charge") {
    return list ? ListSay(stripe::DecodeChargeList(body), "charge", charge)
                : OneSay(stripe::DecodeCharge(body), charge);
  }
  if (object == "payment_intent") {
    return list ? ListSay(stripe::DecodePaymentIntentList(body), "payment", intent)
                : OneSay(stripe::DecodePaymentIntent(body), intent);
  }
  if (object == "invoice") {
    return list ? ListSay(stripe::DecodeInvoiceList(body), "invoice", invoice)
                : OneSay(stripe::DecodeInvoice(body), invoice);
  }
  if (object == "subscription") {
    return list ? ListSay(stripe::DecodeSubscriptionList(body), "subscription", subscription)
                : OneSay(stripe::DecodeSubscription(body), subscription);
  }
  if (object == "product") {
    return list ? ListSay(stripe::DecodeProductList(body), "product", product)
                : OneSay(stripe::DecodeProduct(body), product);
  }
  if (object == "price") {
    return list ? ListSay(stripe::DecodePriceList(body), "price", price)
                : OneSay(stripe::DecodePrice(body), price);
  }
  if (object == "payment_method") {
    return list ? ListSay(stripe::DecodePaymentMethodList(body), "saved card", card)
                : OneSay(stripe::DecodePaymentMethod(body), card);
  }
  if (object == "balance_transaction") {
    return list ? ListSay(stripe::DecodeBalanceTransactionList(body), "balance transaction",
                          transaction)
                : OneSay(stripe::DecodeBalanceTransaction(body), transaction);
  }
  if (object == "event") {
    return list ? ListSay(stripe::DecodeEventList(body), "event", event)
                : OneSay(stripe::DecodeEvent(body), event);
  }
  if (object == "coupon") {
    return list ? ListSay(stripe::DecodeCouponList(body), "coupon", coupon)
                : OneSay(stripe::DecodeCoupon(body), coupon);
  }
  if (object == "promotion_code") {
    return list ? ListSay(stripe::DecodePromotionCodeList(body), "promotion code", promotion)
                : OneSay(stripe::DecodePromotionCode(body), promotion);
  }
  if (object == "payment_link") {
    return list ? ListSay(stripe::DecodePaymentLinkList(body), "payment link", link)
                : OneSay(stripe::DecodePaymentLink(body), link);
  }
  if (object == "balance") {
    return OneSay(stripe::DecodeBalance(body), [](const stripe::Balance& balance) {
      std::string amounts;
      for (const stripe::BalanceAmount& amount : balance.available) {
        absl::StrAppend(&amounts, amounts.empty() ? "" : ", ",
                        FormatMoney(amount.amount, amount.currency));
      }
      return absl::StrCat("The available balance is ", amounts.empty() ? "zero" : amounts, ".");
    });
  }
  return absl::InternalError(absl::StrCat("no answer for Stripe object ", Sv(object)));
}

// Answer is Execute's reply for Stripe's `body`.
absl::StatusOr<v1::ExecuteResponse> Answer(const ActionSpec& spec, const std::string& body,
                                           const Speaking& speaking) {
  PAYVOX_ASSIGN_OR_RETURN(std::string say, Describe(spec, body, speaking));
  dom::parser parser;
  dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    return absl::InternalError("Stripe's answer is not JSON");
  }
  JsonWriter json;
  WithoutSecrets(root, json);
  v1::ExecuteResponse response;
  response.set_say(spec.say_done.empty() ? std::move(say) : std::string(spec.say_done));
  response.set_result_json(json.Take());
  return response;
}

// OwnerOf reads the `customer` of an object Stripe sent (an id or an
// expanded object).
std::string OwnerOf(const std::string& body) {
  dom::parser parser;
  dom::element customer;
  if (parser.parse(body)["customer"].get(customer) != simdjson::SUCCESS) return "";
  std::string_view id;
  if (customer.get_string().get(id) == simdjson::SUCCESS) return std::string(id);
  if (customer["id"].get_string().get(id) == simdjson::SUCCESS) return std::string(id);
  return "";
}

std::string IdOf(const std::string& result_json) {
  dom::parser parser;
  std::string_view id;
  if (parser.parse(result_json)["id"].get_string().get(id) != simdjson::SUCCESS) return "";
  return std::string(id);
}

// ChangeOf names the webhook event a write to `path` causes, so the call
// sessions drop what it changed (actions/call_sessions.h); empty when
// sessions hold nothing of that resource.
std::string ChangeOf(absl::string_view path) {
  struct Resource {
    absl::string_view prefix;
    absl::string_view event;
  };
  static constexpr Resource kResources[] = {
      {"/v1/payment_methods", "payment_method.updated"},
      {"/v1/charges", "charge.updated"},
      {"/v1/refunds", "charge.refunded"},
      {"/v1/payment_intents", "payment_intent.updated"},
      {"/v1/subscription_items", "customer.subscription.updated"},
      {"/v1/subscriptions", "customer.subscription.updated"},
      {"/v1/invoiceitems", "invoice.updated"},
      {"/v1/invoices", "invoice.updated"},
  };
  if (absl::StartsWith(path, "/v1/customers")) {
    return absl::StrContains(path, "/payment_methods") || absl::StrContains(path, "/sources")
               ? "payment_method.updated"
               : "customer.updated";
  }
  for (const Resource& resource : kResources) {
    if (absl::StartsWith(path, resource.prefix)) return std::string(resource.event);
  }
  return "";
}

}  // namespace

Action<v1::ExecuteResponse> CatalogRunner::Run(const ActionSpec& spec, v1::ExecuteRequest request,
                                               CallBounds bounds) {
  const bool read = spec.action_class == policy::ActionClass::kRead;
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), !read));
  PAYVOX_CO_ASSIGN_OR_RETURN(Built built, BuildCall(spec, request.arguments_json()));
  stripe::EndpointCall& call = built.call;
  const Speaking speaking = env_.speaking();
  if (read) {
    const absl::Status allowed = co_await env_.Enabled(spec.name);
    PAYVOX_CO_RETURN_IF_ERROR(allowed);
    const stripe::CallOptions options{.bounds = bounds};
    PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::StripeResponse answer,
                               co_await env_.stripe.Send(call.method, std::move(call.path),
                                                         std::move(call.params), options));
    co_return Answer(spec, answer.body, speaking);
  }
  const std::string action(spec.name);
  auto plan = [&](const v1::TenantPolicy& policy)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::ExecuteResponse>>> {
    std::string owner = built.owner;
    if (spec.owner == Owner::kLoaded) {
      const stripe::CallOptions options{.bounds = bounds};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::StripeResponse loaded,
          co_await env_.stripe.Send(HttpMethod::kGet, call.object_path, {}, options));
      owner = OwnerOf(loaded.body);
    }
    std::string capability(spec.capabilities[0]);
    for (const std::string_view candidate : spec.capabilities) {
      if (!candidate.empty() && policy::IsEnabled(policy, action, Sv(candidate))) {
        capability = std::string(candidate);
      }
    }
    WritePlan<v1::ExecuteResponse> write;
    write.facts.capability = capability;
    write.customer = owner;
    write.target = call.path;
    write.send = [&, owner](const std::string& key) -> Action<v1::ExecuteResponse> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::StripeResponse answer,
          co_await env_.stripe.Send(call.method, call.path, call.params, options));
      PAYVOX_CO_ASSIGN_OR_RETURN(v1::ExecuteResponse response, Answer(spec, answer.body, speaking));
      // What the write changed is no longer what the calls' sessions hold.
      if (const std::string change = ChangeOf(call.path); !change.empty()) {
        env_.Facts(request.context(), action).Changed(change, IdOf(response.result_json()), owner);
      }
      co_return response;
    };
    write.result_id = [](const v1::ExecuteResponse& response) {
      return IdOf(response.result_json());
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::ExecuteResponse>(request, context, action, bounds,
                                                      std::move(plan));
}

}  // namespace payvox
