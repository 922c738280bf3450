// stripe_api.h: typed Stripe calls built on a StripeClient.
//
// StripeApi turns a call such as ListCharges(filter) into the right path and
// parameters, validates every id it puts into a path, and decodes the answer
// with client/stripe_decoders.h. It holds no state beyond the client
// reference, so one instance per tenant is cheap; it is thread-safe when the
// client is.
#ifndef PAYVOX_CLIENT_STRIPE_API_H_
#define PAYVOX_CLIENT_STRIPE_API_H_

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/search_query.h"
#include "client/stripe_client.h"
#include "client/stripe_objects.h"

namespace payvox::stripe {

template <typename T>
using Async = boost::asio::awaitable<absl::StatusOr<T>>;

// CallOptions bound one Stripe call.
struct CallOptions {
  CallBounds bounds;
  // Required by the write calls (see common/idempotency_key.h).
  std::string idempotency_key;
};

struct ChargeFilter {
  std::string customer;
  std::string payment_intent;
  // 1 to 100.
  int limit = 10;
  std::string starting_after;
};

struct RefundParams {
  // Exactly one of charge and payment_intent.
  std::string charge;
  std::string payment_intent;
  // Zero: the whole refundable amount.
  int64_t amount = 0;
  // "", "duplicate", "fraudulent" or "requested_by_customer".
  std::string reason;
  // Written as metadata[key]=value.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// ValidateStripeId returns INVALID_ARGUMENT naming `field` unless `id` is
// non-empty, at most 255 characters of [A-Za-z0-9_], and starts with one of
// `prefixes` (e.g. {"ch_", "py_"}).
absl::Status ValidateStripeId(absl::string_view field, absl::string_view id,
                              std::initializer_list<absl::string_view> prefixes);

class StripeApi {
 public:
  // `client` must outlive this object.
  explicit StripeApi(StripeClient& client) : client_(client) {}

  Mode mode() const { return client_.mode(); }

  Async<Customer> GetCustomer(std::string customer_id, CallOptions options);
  // ListCustomersByEmail uses the list endpoint's exact email filter.
  Async<List<Customer>> ListCustomersByEmail(std::string email, int limit, CallOptions options);
  // SearchCustomers uses Stripe Search (results lag writes by up to a minute).
  Async<List<Customer>> SearchCustomers(SearchQuery query, int limit, CallOptions options);
  // ListCards lists the customer's card payment methods.
  Async<List<PaymentMethod>> ListCards(std::string customer_id, CallOptions options);
  Async<List<Charge>> ListCharges(ChargeFilter filter, CallOptions options);
  Async<Charge> GetCharge(std::string charge_id, CallOptions options);
  Async<Refund> CreateRefund(RefundParams params, CallOptions options);
  // ListRefunds lists the refunds of a charge ("ch_", "py_") or payment
  // intent ("pi_"), newest first, up to `limit` (1 to 100).
  Async<List<Refund>> ListRefunds(std::string charge_or_intent, int limit, CallOptions options);

  // Send sends a request the caller built (ids in `path` already checked
  // with ValidateStripeId) and returns Stripe's 2xx answer.
  Async<StripeResponse> Send(HttpMethod method, std::string path, FormParams params,
                             CallOptions options);
  // Call is Send, then `decode` on the answer's body.
  template <typename T>
  Async<T> Call(HttpMethod method, std::string path, FormParams params, CallOptions options,
                absl::StatusOr<T> (*decode)(const std::string&)) {
    absl::StatusOr<StripeResponse> response =
        co_await Send(method, std::move(path), std::move(params), std::move(options));
    if (!response.ok()) co_return response.status();
    co_return decode(response->body);
  }

 private:
  StripeClient& client_;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_API_H_
