// emulator.h: StripeEmulator, the sandbox's model of Stripe's HTTP API.
//
// It speaks Stripe's wire format without any I/O of its own: a request goes
// in as method, target, headers and body, and a response comes out with
// Stripe's status code and JSON. sandbox/http_server.h puts it on a socket;
// tests may call Handle() directly.
//
// Implemented: customers (create, retrieve, list with email filter, search),
// card payment methods (list per customer, list, retrieve), charges (list by
// customer or payment intent with pagination, retrieve), refunds (create by
// charge or payment intent, retrieve, list). Stripe's rules it enforces:
// Bearer or Basic auth with test keys only (401 otherwise), form-encoded
// bodies with bracket notation, unknown parameters refused, list envelopes
// with has_more and starting_after, error bodies with type/code/param,
// Idempotency-Key replay (same key and body: the saved answer with
// Idempotent-Replayed: true) and mismatch (400 idempotency_error).
//
// Thread-safe: one mutex guards all state.
#ifndef PAYVOX_SANDBOX_EMULATOR_H_
#define PAYVOX_SANDBOX_EMULATOR_H_

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/form_codec.h"
#include "sandbox/objects.h"

namespace payvox::sandbox {

struct EmulatorRequest {
  std::string method;
  // Path and query, e.g. "/v1/charges?customer=cus_1&limit=3".
  std::string target;
  std::string authorization;
  std::string idempotency_key;
  std::string body;
};

struct EmulatorResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct EmulatorOptions {
  // Ids of created objects come from a generator seeded with this value, so
  // a seeded sandbox creates the same ids in every run. Zero: random seed.
  uint64_t id_seed = 0;
};

class StripeEmulator {
 public:
  // `clock` stamps `created` and must outlive the emulator.
  StripeEmulator(const Clock& clock, EmulatorOptions options);

  EmulatorResponse Handle(const EmulatorRequest& request);

  // Seeding, for demo data and tests. Records keep the ids they are given.
  void AddCustomer(CustomerRecord customer);
  void AddCard(CardRecord card);
  void AddCharge(ChargeRecord charge);

  const Clock& clock() const { return clock_; }

 private:
  struct SavedAnswer {
    std::string fingerprint;
    EmulatorResponse response;
  };
  using Params = FormParams;

  EmulatorResponse Route(const std::string& method, const std::vector<std::string>& path,
                         const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCustomers(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse SearchCustomers(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateCustomer(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCards(const std::string& customer, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListCharges(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse CreateRefund(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EmulatorResponse ListRefunds(const Params& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewId(absl::string_view prefix) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 ids_ ABSL_GUARDED_BY(mu_);
  // Objects in creation order; lists answer newest first.
  std::vector<CustomerRecord> customers_ ABSL_GUARDED_BY(mu_);
  std::vector<CardRecord> cards_ ABSL_GUARDED_BY(mu_);
  std::vector<ChargeRecord> charges_ ABSL_GUARDED_BY(mu_);
  std::vector<RefundRecord> refunds_ ABSL_GUARDED_BY(mu_);
  // (api key, Idempotency-Key) -> first answer.
  absl::flat_hash_map<std::string, SavedAnswer> idempotency_ ABSL_GUARDED_BY(mu_);
};

// SeedDemoData adds the demo customers, cards and charges described in
// docs/sandbox.md (a duplicate charge and a failed one among them), all
// with fixed ids.
void SeedDemoData(StripeEmulator& emulator);

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_EMULATOR_H_
