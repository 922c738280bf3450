#include "actions/tenant_actions.h"

#include "actions/catalog.h"

namespace payvox {

const std::vector<std::string>& ActionNames() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>;
    for (const ActionSpec& spec : Catalog()) names->emplace_back(spec.name);
    return names;
  }();
  return *kNames;
}

TenantActions::TenantActions(stripe::StripeClient& stripe, StoreExecutor& store, const Clock& clock,
                             const Keyring& keyring, ActionOptions options)
    : env_(stripe, store, clock, keyring, std::move(options)),
      writes_(env_),
      calls(env_),
      customers(env_),
      charges(env_),
      refunds(env_, writes_),
      coupons(env_, writes_),
      subscriptions(env_, writes_),
      invoices(env_, writes_),
      links(env_, writes_),
      handoff(env_, writes_),
      catalog(env_, writes_) {}

}  // namespace payvox
