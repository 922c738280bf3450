// dispatcher.h: ListActions and Execute, the catalog's two RPCs.
//
// ListActions is built once per policy (the catalog is ~37 KB of
// descriptions and schemas) and served from that copy until the tenant's
// policy changes.
//
// Execute runs a catalog action by name with JSON arguments through the same
// code as its typed RPC: the arguments are checked against the entry's JSON
// Schema, refused if they hold a card number, decoded into the typed
// request (with the call's context), handed to TenantActions, and the typed
// response comes back as JSON with its `say`. kStripe entries go to
// the catalog runner (actions/catalog_runner.h) with the checked arguments. Policy, audit and
// idempotency therefore apply exactly as for the typed RPC: an Execute create_refund and a
// CreateRefund with the same request_id are one refund.
//
// Thread-safe; `actions` must outlive the executor and its coroutines.
#ifndef PAYVOX_ACTIONS_DISPATCHER_H_
#define PAYVOX_ACTIONS_DISPATCHER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "actions/tenant_actions.h"
#include "common/cancellation.h"
#include "payvox/v1/actions.pb.h"

namespace payvox {

// DescribedActions is ListActions' answer for one policy, and its wire
// bytes, made once and shared.
struct DescribedActions {
  v1::ListActionsResponse response;
  std::string serialized;
};

class ActionDispatcher {
 public:
  explicit ActionDispatcher(TenantActions& actions);

  boost::asio::awaitable<absl::StatusOr<v1::ListActionsResponse>> ListActions(
      v1::ListActionsRequest request, CallBounds bounds);
  // Describe is ListActions' answer with its wire bytes, for transports
  // that send them as they are.
  boost::asio::awaitable<absl::StatusOr<std::shared_ptr<const DescribedActions>>> Describe();
  // Listed: Describe's answer at once when the tenant's policy is held in
  // memory (no store read, no coroutine), null otherwise.
  std::shared_ptr<const DescribedActions> Listed();
  // Described: the catalog for `policy`, from the copy made for it when it
  // is the policy of the last call.
  std::shared_ptr<const DescribedActions> Described(const v1::TenantPolicy& policy);
  // Execute: INVALID_ARGUMENT naming the action or argument at fault;
  // otherwise whatever the typed RPC answers.
  boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>> Execute(v1::ExecuteRequest request,
                                                                      CallBounds bounds);

 private:
  using Handler = std::function<boost::asio::awaitable<absl::StatusOr<v1::ExecuteResponse>>(
      v1::CallContext, std::string, CallBounds)>;

  TenantActions& actions_;
  // Catalog name -> the typed action it runs. Lives as long as the
  // executor, so running handlers never outlive their lambda.
  absl::flat_hash_map<std::string, Handler> handlers_;

  std::mutex mu_;
  // The policy (serialized deterministically) the cached catalog is for.
  std::string described_policy_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const DescribedActions> described_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_DISPATCHER_H_
