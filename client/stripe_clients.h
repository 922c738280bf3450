// stripe_clients.h: one ResilientStripeClient (pool, rate limiter, breaker)
// per (API key, host), shared by everything that acts with that key.
//
//   StripeClients clients(io.get_executor(), clock);
//   PAYVOX_ASSIGN_OR_RETURN(std::shared_ptr<ResilientStripeClient> client,
//                           clients.For(options));
//
// Two tenants with the same key share Stripe's per-key limits, so they share
// the limiter and breaker too; a key's clients on different hosts (live API,
// sandbox) do not. Keys are held only inside the clients: the registry is
// keyed by a SHA-256 of the key.
#ifndef PAYVOX_CLIENT_STRIPE_CLIENTS_H_
#define PAYVOX_CLIENT_STRIPE_CLIENTS_H_

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "client/resilient_stripe_client.h"
#include "common/clock.h"

namespace payvox::stripe {

class StripeClients {
 public:
  // `clock` must outlive the registry and every client it made.
  StripeClients(boost::asio::any_io_executor executor, const Clock& clock)
      : executor_(std::move(executor)), clock_(clock) {}

  // For returns the client for (options.pool.api_key, options.pool.base_url),
  // creating it with `options` the first time; later calls with the same key
  // and host get that client whatever their other options.
  absl::StatusOr<std::shared_ptr<ResilientStripeClient>> For(const StripeClientOptions& options);

  size_t size() const;

  // SetBudgetShare gives every client, and each made later, `share` of its
  // account's rate limits (ResilientStripeClient::SetBudgetShare).
  void SetBudgetShare(double share);

 private:
  boost::asio::any_io_executor executor_;
  const Clock& clock_;
  mutable std::mutex mu_;
  double share_ ABSL_GUARDED_BY(mu_) = 1.0;
  absl::flat_hash_map<std::string, std::shared_ptr<ResilientStripeClient>> clients_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_CLIENTS_H_
