#include "actions/action_env.h"

#include "absl/strings/str_cat.h"
#include "actions/catalog.h"
#include "common/idempotency_key.h"
#include "common/status_macros.h"

namespace payvox {

ActionEnv::ActionEnv(stripe::StripeClient& stripe_client, StoreExecutor& store_executor,
                     const Clock& clock_source, const Keyring& keyring,
                     ActionOptions action_options)
    : stripe(stripe_client),
      store(store_executor),
      clock(clock_source),
      options(std::move(action_options)),
      guard(store_executor, clock_source, keyring,
            {.tenant_id = options.tenant_id,
             .default_policy = options.default_policy,
             .metrics = options.metrics}) {}

std::string ActionEnv::WriteKey(const v1::CallContext& context, std::string_view action) const {
  return DeriveIdempotencyKey({options.tenant_id, context.call_id(), context.request_id(),
                               absl::string_view(action.data(), action.size())});
}

CallFacts ActionEnv::Facts(const v1::CallContext& context, std::string_view action) {
  std::shared_ptr<CallSession> session;
  if (options.sessions != nullptr) {
    session = options.sessions->Find(options.tenant_id, context.call_id());
  }
  return CallFacts(stripe, options.sessions, options.tenant_id, std::move(session),
                   std::string(action));
}

boost::asio::awaitable<absl::Status> ActionEnv::Enabled(std::string_view action) {
  const ActionSpec* spec = FindAction(action);
  if (spec == nullptr || spec->capabilities[0].empty()) co_return absl::OkStatus();
  PAYVOX_CO_ASSIGN_OR_RETURN(const v1::TenantPolicy policy, co_await guard.Policy());
  const absl::string_view name(action.data(), action.size());
  for (const std::string_view capability : spec->capabilities) {
    if (!capability.empty() &&
        policy::IsEnabled(policy, name, absl::string_view(capability.data(), capability.size()))) {
      co_return absl::OkStatus();
    }
  }
  const policy::ActionFacts facts{.action = std::string(action),
                                  .capability = std::string(spec->capabilities[0])};
  co_return policy::Decide(policy, facts).ToStatus();
}

}  // namespace payvox
