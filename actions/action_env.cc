#include "actions/action_env.h"

#include "absl/strings/str_cat.h"
#include "actions/catalog.h"
#include "common/error_detail.h"
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

namespace {

Binding BindingOf(const std::string& tenant, const google::protobuf::Message& request,
                  const v1::CallContext& context, std::string_view action) {
  return {tenant, context.call_id(), std::string(action), RequestFingerprint(request)};
}

}  // namespace

absl::StatusOr<Confirmation> ActionEnv::Confirm(const google::protobuf::Message& request,
                                                const v1::CallContext& context,
                                                std::string_view action) const {
  if (context.confirmation_token().empty()) {
    return Confirmation{.by_token = false, .key = WriteKey(context, action)};
  }
  if (options.confirmations == nullptr) {
    return ConfirmationRefused(
        "confirmation_token_invalid",
        "this payvoxd gives no confirmation tokens: send the request without one");
  }
  PAYVOX_ASSIGN_OR_RETURN(
      std::string request_id,
      options.confirmations->Redeem(BindingOf(options.tenant_id, request, context, action),
                                    context.confirmation_token(), context.request_id()));
  v1::CallContext confirmed = context;
  confirmed.set_request_id(std::move(request_id));
  return Confirmation{.by_token = true, .key = WriteKey(confirmed, action)};
}

bool ActionEnv::Confirmed(const v1::TenantPolicy& policy, const v1::CallContext& context,
                          const Confirmation& confirmation) {
  return confirmation.by_token || (context.confirmed() && !policy.confirmation_token_required());
}

absl::StatusOr<std::string> ActionEnv::ConfirmationTokenFor(
    const google::protobuf::Message& request, const v1::CallContext& context,
    std::string_view action) const {
  if (options.confirmations == nullptr) return std::string();
  return options.confirmations->Mint(BindingOf(options.tenant_id, request, context, action));
}

absl::Status ActionEnv::AskConfirmation(absl::Status refused,
                                        const google::protobuf::Message& request,
                                        const v1::CallContext& context,
                                        std::string_view action) const {
  PAYVOX_ASSIGN_OR_RETURN(std::string token, ConfirmationTokenFor(request, context, action));
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(refused);
  if (token.empty() || !detail.has_value()) return refused;
  detail->set_confirmation_token(std::move(token));
  return WithErrorDetail(std::move(refused), *detail);
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
