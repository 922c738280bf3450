#include "actions/write_pipeline.h"

#include "absl/strings/str_cat.h"
#include "actions/catalog.h"
#include "actions/stripe_to_proto.h"
#include "common/idempotency_key.h"

namespace payvox {

absl::Status WritePipeline::Describe(const std::string& action, policy::ActionFacts& facts) {
  const ActionSpec* spec = FindAction(action);
  if (spec == nullptr || spec->action_class == policy::ActionClass::kRead) {
    return absl::InternalError(absl::StrCat(action, " is not a write in the catalog"));
  }
  facts.action = action;
  facts.action_class = spec->action_class;
  if (facts.capability.empty()) {
    facts.capability = std::string(spec->capabilities[0]);
    return absl::OkStatus();
  }
  for (const std::string_view capability : spec->capabilities) {
    if (!capability.empty() && facts.capability == capability) return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrCat(action, " chose capability ", facts.capability, ", which its entry lacks"));
}

boost::asio::awaitable<absl::StatusOr<WritePipeline::StoredFacts>> WritePipeline::ReadFacts(
    const v1::CallContext& context, const std::string& customer, bool identity_required,
    const std::optional<LimitUse>& limit, const std::string& own_key) {
  StoredFacts facts;
  // Writes that belong to no customer need no caller identity; the
  // capability and the action's own rules still apply.
  facts.verified = customer.empty() && !identity_required;
  const bool read_verification = !customer.empty();
  if (!read_verification && !limit.has_value()) co_return facts;
  const VerificationKey verification_key{env_.options.tenant_id, context.call_id(), customer};
  std::optional<UsageKey> usage_key;
  if (limit.has_value()) {
    usage_key = UsageKey{env_.options.tenant_id, limit->kind, limit->currency, env_.guard.Today()};
  }
  using Read = std::pair<VerificationState, Usage>;
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const Read read, co_await env_.store.Run([&](Store& store) -> absl::StatusOr<Read> {
        Read out;
        if (read_verification) {
          PAYVOX_ASSIGN_OR_RETURN(out.first, store.GetVerification(verification_key));
        }
        if (usage_key.has_value()) {
          PAYVOX_ASSIGN_OR_RETURN(out.second,
                                  store.GetUsage(*usage_key, limit->customer_id, own_key));
        }
        return out;
      }));
  if (read_verification) facts.verified = read.first.verified_until > env_.clock.Now();
  if (limit.has_value()) {
    if (limit->tenant_used != nullptr) facts.usage.*(limit->tenant_used) = read.second.tenant_total;
    if (limit->customer_used != nullptr) {
      facts.usage.*(limit->customer_used) = read.second.customer_total;
    }
  }
  co_return facts;
}

std::optional<ReservationRequest> WritePipeline::ReservationFor(
    const std::string& key, const std::optional<LimitUse>& limit, bool approved) const {
  if (!limit.has_value()) return std::nullopt;
  return ReservationRequest{
      .key = {env_.options.tenant_id, limit->kind, limit->currency, env_.guard.Today()},
      .idempotency_key = key,
      .customer_id = limit->customer_id,
      .amount = limit->amount,
      // An operator's approval passes the limits; it still counts toward them.
      .tenant_limit = approved ? std::nullopt : limit->tenant_limit,
      .customer_limit = approved ? std::nullopt : limit->customer_limit,
      .expires_at = env_.clock.Now() + env_.options.reservation_ttl};
}

boost::asio::awaitable<absl::StatusOr<std::string>> WritePipeline::FileApproval(
    const google::protobuf::Message& request, const v1::CallContext& context,
    const v1::AuditRecord& who, const policy::Decision& decision) {
  StoredApproval stored;
  v1::Approval& approval = stored.approval;
  approval.set_approval_id(absl::StrCat(
      "apv_", DeriveIdempotencyKey({env_.options.tenant_id, context.call_id(), context.request_id(),
                                    absl::StrCat("approve_", who.action())})
                  .substr(4, 24)));
  approval.set_tenant_id(env_.options.tenant_id);
  approval.set_action(who.action());
  *approval.mutable_amount() = ToMoney(who.amount().amount_minor(), who.amount().currency());
  approval.set_customer_id(who.customer_id());
  approval.set_target_id(who.target_id());
  *approval.mutable_context() = context;
  approval.set_state("pending");
  approval.set_created(absl::ToUnixSeconds(env_.clock.Now()));
  approval.set_expires_at(absl::ToUnixSeconds(env_.clock.Now() + env_.options.approval_ttl));
  stored.payload = request.SerializeAsString();
  const absl::Status created =
      co_await env_.store.Run([&](Store& store) { return store.CreateApproval(stored); });
  if (!created.ok() && created.code() != absl::StatusCode::kAlreadyExists) co_return created;
  const absl::Status audited = co_await env_.guard.Refuse(who, decision, approval.approval_id());
  PAYVOX_CO_RETURN_IF_ERROR(audited);
  co_return approval.approval_id();
}

}  // namespace payvox
