#include "webhooks/ingestor.h"

#include "common/status_macros.h"
#include "webhooks/event_decoder.h"

namespace payvox::webhooks {

EventIngestor::EventIngestor(Store& store, std::vector<TenantSecrets> tenants,
                             std::function<bool()> serving, OnStored on_stored)
    : store_(store), serving_(std::move(serving)), on_stored_(std::move(on_stored)) {
  for (TenantSecrets& tenant : tenants) {
    secrets_[tenant.tenant_id] = std::move(tenant.signing_secrets);
  }
}

std::optional<std::vector<std::string>> EventIngestor::SigningSecrets(const std::string& tenant) {
  auto it = secrets_.find(tenant);
  if (it == secrets_.end()) return std::nullopt;
  return it->second;
}

absl::Status EventIngestor::Ingest(const std::string& tenant, const std::string& body) {
  PAYVOX_ASSIGN_OR_RETURN(DecodedEvent decoded, DecodeEvent(body));
  PAYVOX_ASSIGN_OR_RETURN(const AppendedEvent appended,
                          store_.AppendEvent({tenant, decoded.event}));
  if (!appended.stored) return absl::OkStatus();  // a redelivery
  decoded.event.set_sequence(appended.sequence);
  const std::string& type = decoded.event.type();
  if (!decoded.handoff_session_id.empty()) {
    const std::string state = type == "payment_intent.succeeded"        ? "succeeded"
                              : type == "payment_intent.payment_failed" ? "failed"
                              : type == "payment_intent.canceled"       ? "canceled"
                                                                        : "";
    if (!state.empty()) {
      const absl::Status updated =
          store_.UpdateHandoffState(tenant, decoded.event.object_id(), state);
      // A session of another payvox deployment (or one since deleted) is
      // not ours to update; the event is stored all the same.
      if (!updated.ok() && updated.code() != absl::StatusCode::kNotFound) return updated;
    }
  }
  if (on_stored_) on_stored_(tenant, decoded.event);
  return absl::OkStatus();
}

bool EventIngestor::Ready() {
  return (!serving_ || serving_()) && store_.LastEventSequence("").ok();
}

}  // namespace payvox::webhooks
