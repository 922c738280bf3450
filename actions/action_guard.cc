#include "actions/action_guard.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/sha.h>

#include <array>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "client/stripe_client.h"
#include "common/error_detail.h"
#include "common/secure_random.h"
#include "common/status_macros.h"

namespace payvox {
namespace {

// How long an in-flight claim outlives the longest Stripe request.
constexpr absl::Duration kInFlightMargin = absl::Minutes(1);

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> bare(request.New());
  bare->CopyFrom(request);
  if (const google::protobuf::FieldDescriptor* context =
          bare->GetDescriptor()->FindFieldByName("context")) {
    bare->GetReflection()->ClearField(bare.get(), context);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    bare->SerializeToCodedStream(&coded);
  }
  std::string material = absl::StrCat(bare->GetDescriptor()->full_name(), "\n", bytes);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest.data());
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool StripeAnswered(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return false;
    default:
      return true;
  }
}

ActionGuard::ActionGuard(StoreExecutor& store, const Clock& clock, const Keyring& keyring,
                         ActionGuardOptions options)
    : store_(store),
      clock_(clock),
      keyring_(keyring),
      options_(std::move(options)),
      in_flight_holder_(absl::BytesToHexString(SecureRandomBytes(8).value_or(""))) {
  if (options_.metrics == nullptr) return;
  decisions_ = &options_.metrics->AddCounter(
      "payvox_policy_decisions_total",
      "Policy decisions on actions that write, by catalog action and verdict (allow, deny, "
      "needs_verification, needs_confirmation, needs_approval)",
      {"action", "verdict"});
  refunded_ = &options_.metrics->AddCounter(
      "payvox_refunded_amount_minor_units_total",
      "Amount refunded through payvox, in the currency's minor units, by currency", {"currency"});
  refunds_ = &options_.metrics->AddCounter("payvox_refunds_total",
                                           "Refunds made through payvox, by tenant", {"tenant"});
  audit_latency_ = &options_.metrics->AddHistogram(
      "payvox_audit_append_duration_seconds",
      "Time to append audit records durably, by kind (decision, intent, completion)", {"kind"},
      metrics::LatencyBuckets());
}

void ActionGuard::Decided(const std::string& action, absl::string_view verdict) {
  if (decisions_ != nullptr) decisions_->With({action, std::string(verdict)}).Increment();
}

void ActionGuard::Appended(const char* kind, absl::Time started) {
  if (audit_latency_ != nullptr) {
    audit_latency_->With({kind}).Observe(absl::ToDoubleSeconds(clock_.Now() - started));
  }
}

boost::asio::awaitable<absl::StatusOr<v1::TenantPolicy>> ActionGuard::Policy() {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(policy_mu_);
    if (policy_.has_value() && clock_.Now() < policy_fresh_until_) co_return *policy_;
    generation = policy_generation_;
  }
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::optional<v1::TenantPolicy> stored,
      co_await store_.Run([&](Store& store) { return store.GetPolicy(options_.tenant_id); }));
  v1::TenantPolicy policy = stored.has_value() ? *std::move(stored) : options_.default_policy;
  std::lock_guard<std::mutex> lock(policy_mu_);
  if (generation == policy_generation_) {
    policy_ = policy;
    policy_fresh_until_ = clock_.Now() + options_.policy_cache_ttl;
  }
  co_return policy;
}

std::optional<v1::TenantPolicy> ActionGuard::HeldPolicy() const {
  std::lock_guard<std::mutex> lock(policy_mu_);
  if (policy_.has_value() && clock_.Now() < policy_fresh_until_) return policy_;
  return std::nullopt;
}

void ActionGuard::PolicyChanged(v1::TenantPolicy policy) {
  std::lock_guard<std::mutex> lock(policy_mu_);
  ++policy_generation_;
  policy_ = std::move(policy);
  policy_fresh_until_ = clock_.Now() + options_.policy_cache_ttl;
}

v1::AuditRecord ActionGuard::Who(const v1::CallContext& context, absl::string_view action,
                                 absl::string_view customer_id, absl::string_view target_id,
                                 int64_t amount, absl::string_view currency) const {
  v1::AuditRecord record;
  record.set_tenant_id(options_.tenant_id);
  record.set_agent_id(context.agent_id());
  record.set_call_id(context.call_id());
  record.set_request_id(context.request_id());
  record.set_action(std::string(action));
  record.set_customer_id(std::string(customer_id));
  record.set_target_id(std::string(target_id));
  if (!currency.empty()) {
    record.mutable_amount()->set_amount_minor(amount);
    record.mutable_amount()->set_currency(std::string(currency));
  }
  return record;
}

boost::asio::awaitable<absl::Status> ActionGuard::Refuse(v1::AuditRecord who,
                                                         policy::Decision decision,
                                                         std::string result) {
  who.set_kind("decision");
  who.set_decision(std::string(policy::VerdictName(decision.verdict)));
  who.set_rule(decision.rule);
  who.set_result(result.empty() ? decision.reason : std::move(result));
  who.set_ok(false);
  Decided(who.action(), who.decision());
  const absl::Time started = clock_.Now();
  const absl::Status appended =
      co_await store_.Run([&](Store& store) { return store.AppendAudit(who).status(); });
  Appended("decision", started);
  PAYVOX_CO_RETURN_IF_ERROR(appended);
  co_return decision.ToStatus();
}

boost::asio::awaitable<absl::StatusOr<StartedAction>> ActionGuard::Start(
    v1::AuditRecord who, std::string idempotency_key,
    std::optional<ReservationRequest> reservation) {
  who.set_kind("intent");
  who.set_decision("allow");
  who.set_idempotency_key(std::move(idempotency_key));
  who.set_ok(true);
  Decided(who.action(), "allow");
  // Claimed while Stripe is asked: a retry of this request on another
  // replica is told to wait for the answer instead of running it again.
  // Longer than any Stripe request, in case this process dies mid-call.
  const ActionStart start{
      .reservation = std::move(reservation),
      .intent = std::move(who),
      .in_flight_until = clock_.Now() + stripe::kLongestRequest + kInFlightMargin,
      .in_flight_holder = in_flight_holder_};
  const absl::Time started = clock_.Now();
  absl::StatusOr<StartedAction> out =
      co_await store_.Run([&](Store& store) { return store.StartAction(start); });
  Appended("intent", started);
  co_return out;
}

boost::asio::awaitable<absl::Status> ActionGuard::Finish(
    v1::AuditRecord who, const StartedAction& started, absl::StatusOr<std::string> result,
    const google::protobuf::Message& request, const google::protobuf::Message* response) {
  who.set_kind("completion");
  who.set_decision("allow");
  who.set_completes_sequence(started.intent.sequence());
  who.set_ok(result.ok());
  ActionFinish finish{.reservation_id = started.reservation_id,
                      .in_flight_key = started.intent.idempotency_key()};
  if (result.ok()) {
    who.set_result(*result);
    finish.settlement = Settlement::kCommit;
    if (refunded_ != nullptr && who.action() == "create_refund" && who.has_amount()) {
      refunded_->With({who.amount().currency()})
          .Increment(static_cast<double>(who.amount().amount_minor()));
      refunds_->With({options_.tenant_id}).Increment();
    }
    if (response != nullptr) {
      const std::string& key = started.intent.idempotency_key();
      absl::StatusOr<std::string> sealed =
          keyring_.Seal(response->SerializeAsString(), AnswerContext(key));
      // Without a sealed answer a retry still finds Stripe's idempotent
      // replay under the same key; the outcome is recorded either way.
      if (sealed.ok()) {
        finish.answer = IdempotencyRecord{.tenant_id = options_.tenant_id,
                                          .key = key,
                                          .action = started.intent.action(),
                                          .fingerprint = RequestFingerprint(request),
                                          .response = *std::move(sealed),
                                          .expires_at = clock_.Now() + options_.idempotency_ttl};
      }
    }
  } else {
    const std::optional<v1::ErrorDetail> detail = GetErrorDetail(result.status());
    const std::string code = absl::StatusCodeToString(result.status().code());
    who.set_result(detail.has_value() && !detail->stripe_code().empty()
                       ? absl::StrCat(code, " ", detail->stripe_code())
                       : code);
    // Unknown answers keep the reservation until a retry or
    // reconciliation settles it, or it expires.
    finish.settlement = StripeAnswered(result.status()) ? Settlement::kRelease : Settlement::kKeep;
  }
  finish.completion = std::move(who);
  const absl::Time appending = clock_.Now();
  const absl::Status finished =
      co_await store_.Run([&](Store& store) { return store.FinishAction(finish); });
  Appended("completion", appending);
  co_return finished;
}

boost::asio::awaitable<absl::StatusOr<std::optional<std::string>>> ActionGuard::SavedAnswer(
    const std::string& idempotency_key, const google::protobuf::Message& request) {
  PAYVOX_CO_ASSIGN_OR_RETURN(
      std::optional<IdempotencyRecord> record, co_await store_.Run([&](Store& store) {
        return store.FindIdempotencyRecord(options_.tenant_id, idempotency_key, clock_.Now());
      }));
  if (!record.has_value()) co_return std::nullopt;
  if (record->fingerprint != RequestFingerprint(request)) {
    co_return FlowError(
        absl::StatusCode::kAborted,
        absl::StrCat("This request_id was already used for a different ", record->action,
                     " request in this call; send a new request_id for a new "
                     "action, or the original parameters to retry it."),
        "request_id_reused", "I'm sorry, let me try that again.");
  }
  // Answers saved before they were sealed (an upgraded store) expire
  // within idempotency_ttl; they are read as they are meanwhile.
  if (SealedKeyId(record->response).empty()) co_return std::move(record->response);
  absl::StatusOr<std::string> opened =
      keyring_.Open(record->response, AnswerContext(idempotency_key));
  if (!opened.ok()) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "payvox's saved answer to this request does not open (", opened.status().message(),
        "); give payvoxd the master key it was sealed under (secrets.previous_master_key_files)"));
  }
  co_return *std::move(opened);
}

std::string ActionGuard::AnswerContext(const std::string& idempotency_key) const {
  return SavedAnswerContext(options_.tenant_id, idempotency_key);
}

std::string ActionGuard::Today() const {
  return absl::FormatCivilTime(absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone()));
}

}  // namespace payvox
