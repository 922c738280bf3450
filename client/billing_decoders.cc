// The billing family: products, prices, coupons, promotion codes,
// subscriptions and invoices.
#include "client/decoding.h"
#include "client/stripe_decoders.h"

namespace payvox::stripe {
namespace {

using namespace decoding;  // NOLINT: the decoders' shared vocabulary

absl::Status DecodeProductObject(od::object& object, Product& product) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "product", [&](std::string_view key, od::value& value) {
        const Site site{"product", key};
        if (key == "id") return ReadString(value, site, product.id);
        if (key == "name") return ReadString(value, site, product.name);
        if (key == "description") return ReadString(value, site, product.description);
        if (key == "default_price") return ReadId(value, site, product.default_price);
        if (key == "active") return ReadBool(value, site, product.active);
        return absl::OkStatus();
      }));
  if (product.id.empty()) return MissingField("product", "id");
  return absl::OkStatus();
}

absl::Status DecodeRecurring(od::object& object, Price& price) {
  return ForEachField(object, "price", [&](std::string_view key, od::value& value) {
    const Site site{"price.recurring", key};
    if (key == "interval") return ReadString(value, site, price.interval);
    if (key == "interval_count") return ReadInt(value, site, price.interval_count);
    return absl::OkStatus();
  });
}

absl::Status DecodePriceObject(od::object& object, Price& price) {
  PAYVOX_RETURN_IF_ERROR(ForEachField(object, "price", [&](std::string_view key, od::value& value) {
    const Site site{"price", key};
    if (key == "id") return ReadString(value, site, price.id);
    if (key == "product") return ReadId(value, site, price.product);
    if (key == "currency") return ReadString(value, site, price.currency);
    if (key == "unit_amount") return ReadInt(value, site, price.unit_amount);
    if (key == "nickname") return ReadString(value, site, price.nickname);
    if (key == "type") return ReadString(value, site, price.type);
    if (key == "active") return ReadBool(value, site, price.active);
    if (key == "recurring") return ReadObject(value, site, price, DecodeRecurring);
    return absl::OkStatus();
  }));
  if (price.id.empty()) return MissingField("price", "id");
  if (price.currency.empty()) return MissingField("price", "currency");
  return absl::OkStatus();
}

absl::Status DecodeCouponObject(od::object& object, Coupon& coupon) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "coupon", [&](std::string_view key, od::value& value) {
        const Site site{"coupon", key};
        if (key == "id") return ReadString(value, site, coupon.id);
        if (key == "name") return ReadString(value, site, coupon.name);
        if (key == "percent_off") return ReadDouble(value, site, coupon.percent_off);
        if (key == "amount_off") return ReadInt(value, site, coupon.amount_off);
        if (key == "currency") return ReadString(value, site, coupon.currency);
        if (key == "duration") return ReadString(value, site, coupon.duration);
        if (key == "duration_in_months") return ReadInt(value, site, coupon.duration_in_months);
        if (key == "max_redemptions") return ReadInt(value, site, coupon.max_redemptions);
        if (key == "times_redeemed") return ReadInt(value, site, coupon.times_redeemed);
        if (key == "redeem_by") return ReadInt(value, site, coupon.redeem_by);
        if (key == "valid") return ReadBool(value, site, coupon.valid);
        return absl::OkStatus();
      }));
  if (coupon.id.empty()) return MissingField("coupon", "id");
  return absl::OkStatus();
}

absl::Status DecodePromotionCodeObject(od::object& object, PromotionCode& promotion) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "promotion_code", [&](std::string_view key, od::value& value) {
        const Site site{"promotion_code", key};
        if (key == "id") return ReadString(value, site, promotion.id);
        if (key == "code") return ReadString(value, site, promotion.code);
        if (key == "coupon") return ReadObject(value, site, promotion.coupon, DecodeCouponObject);
        if (key == "customer") return ReadId(value, site, promotion.customer);
        if (key == "active") return ReadBool(value, site, promotion.active);
        if (key == "max_redemptions") return ReadInt(value, site, promotion.max_redemptions);
        if (key == "times_redeemed") return ReadInt(value, site, promotion.times_redeemed);
        if (key == "expires_at") return ReadInt(value, site, promotion.expires_at);
        return absl::OkStatus();
      }));
  if (promotion.id.empty()) return MissingField("promotion_code", "id");
  if (promotion.code.empty()) return MissingField("promotion_code", "code");
  return absl::OkStatus();
}

absl::Status DecodeSubscriptionItemObject(od::object& object, SubscriptionItem& item) {
  return ForEachField(object, "subscription_item", [&](std::string_view key, od::value& value) {
    const Site site{"subscription_item", key};
    if (key == "id") return ReadString(value, site, item.id);
    if (key == "price") return ReadObject(value, site, item.price, DecodePriceObject);
    if (key == "quantity") return ReadInt(value, site, item.quantity);
    return absl::OkStatus();
  });
}

absl::Status DecodePauseCollection(od::object& object, Subscription& subscription) {
  return ForEachField(object, "subscription", [&](std::string_view key, od::value& value) {
    const Site site{"subscription.pause_collection", key};
    if (key == "behavior") return ReadString(value, site, subscription.pause_behavior);
    if (key == "resumes_at") return ReadInt(value, site, subscription.pause_resumes_at);
    return absl::OkStatus();
  });
}

absl::Status DecodeSubscriptionObject(od::object& object, Subscription& subscription) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "subscription", [&](std::string_view key, od::value& value) {
        const Site site{"subscription", key};
        if (key == "id") return ReadString(value, site, subscription.id);
        if (key == "customer") return ReadId(value, site, subscription.customer);
        if (key == "status") return ReadString(value, site, subscription.status);
        if (key == "current_period_start") {
          return ReadInt(value, site, subscription.current_period_start);
        }
        if (key == "current_period_end") {
          return ReadInt(value, site, subscription.current_period_end);
        }
        if (key == "cancel_at_period_end") {
          return ReadBool(value, site, subscription.cancel_at_period_end);
        }
        if (key == "cancel_at") return ReadInt(value, site, subscription.cancel_at);
        if (key == "canceled_at") return ReadInt(value, site, subscription.canceled_at);
        if (key == "trial_end") return ReadInt(value, site, subscription.trial_end);
        if (key == "latest_invoice") return ReadId(value, site, subscription.latest_invoice);
        if (key == "created") return ReadInt(value, site, subscription.created);
        if (key == "metadata") return ReadMetadata(value, site, subscription.metadata);
        if (key == "pause_collection") {
          return ReadObject(value, site, subscription, DecodePauseCollection);
        }
        if (key == "items") {
          return ReadObject(value, site, subscription, [](od::object& items, Subscription& out) {
            List<SubscriptionItem> list;
            PAYVOX_RETURN_IF_ERROR(
                DecodeListObject(items, "subscription_item", list, DecodeSubscriptionItemObject));
            out.items = std::move(list.data);
            return absl::OkStatus();
          });
        }
        return absl::OkStatus();
      }));
  if (subscription.id.empty()) return MissingField("subscription", "id");
  if (subscription.status.empty()) return MissingField("subscription", "status");
  return absl::OkStatus();
}

absl::Status DecodeLinePeriod(od::object& object, InvoiceLine& line) {
  return ForEachField(object, "invoice_line", [&](std::string_view key, od::value& value) {
    const Site site{"invoice_line.period", key};
    if (key == "start") return ReadInt(value, site, line.period_start);
    if (key == "end") return ReadInt(value, site, line.period_end);
    return absl::OkStatus();
  });
}

absl::Status DecodeInvoiceLineObject(od::object& object, InvoiceLine& line) {
  return ForEachField(object, "invoice_line", [&](std::string_view key, od::value& value) {
    const Site site{"invoice_line", key};
    if (key == "id") return ReadString(value, site, line.id);
    if (key == "amount") return ReadInt(value, site, line.amount);
    if (key == "currency") return ReadString(value, site, line.currency);
    if (key == "description") return ReadString(value, site, line.description);
    if (key == "quantity") return ReadInt(value, site, line.quantity);
    if (key == "price") return ReadId(value, site, line.price);
    if (key == "proration") return ReadBool(value, site, line.proration);
    if (key == "period") return ReadObject(value, site, line, DecodeLinePeriod);
    return absl::OkStatus();
  });
}

absl::Status DecodeInvoiceObject(od::object& object, Invoice& invoice) {
  PAYVOX_RETURN_IF_ERROR(
      ForEachField(object, "invoice", [&](std::string_view key, od::value& value) {
        const Site site{"invoice", key};
        if (key == "id") return ReadString(value, site, invoice.id);
        if (key == "customer") return ReadId(value, site, invoice.customer);
        if (key == "subscription") return ReadId(value, site, invoice.subscription);
        if (key == "number") return ReadString(value, site, invoice.number);
        if (key == "status") return ReadString(value, site, invoice.status);
        if (key == "currency") return ReadString(value, site, invoice.currency);
        if (key == "amount_due") return ReadInt(value, site, invoice.amount_due);
        if (key == "amount_paid") return ReadInt(value, site, invoice.amount_paid);
        if (key == "amount_remaining") return ReadInt(value, site, invoice.amount_remaining);
        if (key == "subtotal") return ReadInt(value, site, invoice.subtotal);
        if (key == "total") return ReadInt(value, site, invoice.total);
        if (key == "created") return ReadInt(value, site, invoice.created);
        if (key == "due_date") return ReadInt(value, site, invoice.due_date);
        if (key == "period_start") return ReadInt(value, site, invoice.period_start);
        if (key == "period_end") return ReadInt(value, site, invoice.period_end);
        if (key == "next_payment_attempt") {
          return ReadInt(value, site, invoice.next_payment_attempt);
        }
        if (key == "attempt_count") return ReadInt(value, site, invoice.attempt_count);
        if (key == "paid") return ReadBool(value, site, invoice.paid);
        if (key == "hosted_invoice_url") return ReadString(value, site, invoice.hosted_invoice_url);
        if (key == "lines") {
          return ReadObject(value, site, invoice, [](od::object& lines, Invoice& out) {
            List<InvoiceLine> list;
            PAYVOX_RETURN_IF_ERROR(
                DecodeListObject(lines, "invoice_line", list, DecodeInvoiceLineObject));
            out.lines = std::move(list.data);
            out.lines_has_more = list.has_more;
            return absl::OkStatus();
          });
        }
        return absl::OkStatus();
      }));
  if (invoice.currency.empty()) return MissingField("invoice", "currency");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Product> DecodeProduct(const std::string& body) {
  return DecodeSingle<Product>(body, "product", DecodeProductObject);
}
absl::StatusOr<List<Product>> DecodeProductList(const std::string& body) {
  return DecodeListOf<Product>(body, "product", DecodeProductObject);
}
absl::StatusOr<Price> DecodePrice(const std::string& body) {
  return DecodeSingle<Price>(body, "price", DecodePriceObject);
}
absl::StatusOr<List<Price>> DecodePriceList(const std::string& body) {
  return DecodeListOf<Price>(body, "price", DecodePriceObject);
}
absl::StatusOr<Coupon> DecodeCoupon(const std::string& body) {
  return DecodeSingle<Coupon>(body, "coupon", DecodeCouponObject);
}
absl::StatusOr<List<Coupon>> DecodeCouponList(const std::string& body) {
  return DecodeListOf<Coupon>(body, "coupon", DecodeCouponObject);
}
absl::StatusOr<PromotionCode> DecodePromotionCode(const std::string& body) {
  return DecodeSingle<PromotionCode>(body, "promotion_code", DecodePromotionCodeObject);
}
absl::StatusOr<List<PromotionCode>> DecodePromotionCodeList(const std::string& body) {
  return DecodeListOf<PromotionCode>(body, "promotion_code", DecodePromotionCodeObject);
}
absl::StatusOr<Subscription> DecodeSubscription(const std::string& body) {
  return DecodeSingle<Subscription>(body, "subscription", DecodeSubscriptionObject);
}
absl::StatusOr<List<Subscription>> DecodeSubscriptionList(const std::string& body) {
  return DecodeListOf<Subscription>(body, "subscription", DecodeSubscriptionObject);
}
absl::StatusOr<Invoice> DecodeInvoice(const std::string& body) {
  return DecodeSingle<Invoice>(body, "invoice", DecodeInvoiceObject);
}
absl::StatusOr<List<Invoice>> DecodeInvoiceList(const std::string& body) {
  return DecodeListOf<Invoice>(body, "invoice", DecodeInvoiceObject);
}

}  // namespace payvox::stripe
