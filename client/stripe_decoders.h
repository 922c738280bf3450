// stripe_decoders.h: simdjson on-demand decoders from Stripe's JSON into the
// structs of stripe_objects.h.
//
// Unknown fields are ignored (Stripe adds fields without a version bump);
// a missing required field or a field of the wrong type is an INTERNAL
// status naming the object and field; malformed JSON is INTERNAL too. The
// input is never trusted: no decoder crashes or hangs on any bytes (see
// tests/fuzz/). One simdjson parser is reused per thread.
//
// Bodies whose std::string capacity leaves SIMDJSON_PADDING spare bytes are
// parsed in place; others are copied once into a padded buffer.
#ifndef PAYVOX_CLIENT_STRIPE_DECODERS_H_
#define PAYVOX_CLIENT_STRIPE_DECODERS_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/stripe_objects.h"

namespace payvox::stripe {

absl::StatusOr<Customer> DecodeCustomer(const std::string& body);
absl::StatusOr<List<Customer>> DecodeCustomerList(const std::string& body);
absl::StatusOr<PaymentMethod> DecodePaymentMethod(const std::string& body);
absl::StatusOr<List<PaymentMethod>> DecodePaymentMethodList(const std::string& body);
absl::StatusOr<Charge> DecodeCharge(const std::string& body);
absl::StatusOr<List<Charge>> DecodeChargeList(const std::string& body);
absl::StatusOr<Refund> DecodeRefund(const std::string& body);
absl::StatusOr<List<Refund>> DecodeRefundList(const std::string& body);
// DecodeErrorBody reads {"error": {...}}.
absl::StatusOr<ErrorBody> DecodeErrorBody(const std::string& body);

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_DECODERS_H_
