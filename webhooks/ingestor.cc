#include "webhooks/ingestor.h"

#include <string_view>

#include "common/status_macros.h"
#include "webhooks/event_decoder.h"

namespace payvox::webhooks {

EventIngestor::EventIngestor(StoreExecutor& store, const Clock& clock, Options options)
    : store_(store),
      clock_(clock),
      keyring_(options.keyring),
      serving_(std::move(options.serving)),
      on_stored_(std::move(options.on_stored)),
      log_(options.log) {
  for (TenantSecrets& tenant : options.configured) {
    configured_[tenant.tenant_id] = std::move(tenant.signing_secrets);
  }
  if (options.metrics != nullptr) {
    events_ = &options.metrics->AddCounter(
        "payvox_webhook_events_total",
        "Verified webhook events by Stripe type and result (stored, duplicate, malformed, "
        "store_error)",
        {"type", "result"});
  }
}

boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> EventIngestor::SigningSecrets(
    std::string tenant) {
  std::vector<std::string> secrets;
  if (auto it = configured_.find(tenant); it != configured_.end()) secrets = it->second;
  if (keyring_ != nullptr) {
    const absl::Time now = clock_.Now();
    PAYVOX_CO_ASSIGN_OR_RETURN(
        std::vector<WebhookEndpoint> endpoints,
        co_await store_.Run([&](Store& store) { return store.WebhookEndpoints(tenant, now); }));
    for (const WebhookEndpoint& endpoint : endpoints) {
      absl::StatusOr<std::string> secret = keyring_->Open(
          endpoint.secret_sealed, WebhookSecretContext(tenant, endpoint.endpoint_id));
      // A secret that does not open (another master key not loaded) cannot
      // verify anything; the others still can.
      if (secret.ok()) secrets.push_back(*std::move(secret));
    }
  }
  if (secrets.empty()) co_return absl::NotFoundError("payvox serves no such tenant");
  co_return secrets;
}

boost::asio::awaitable<absl::Status> EventIngestor::Ingest(std::string tenant, std::string body) {
  auto count = [&](const v1::PaymentEvent& event, const char* result) {
    const std::string type = event.type().empty() ? "unknown" : event.type();
    if (events_ != nullptr) events_->With({type, result}).Increment();
    if (log_ == nullptr) return;
    const bool kept =
        result == std::string_view("stored") || result == std::string_view("duplicate");
    log_->Log(kept ? LogLevel::kInfo : LogLevel::kWarning, "webhook",
              {{"tenant", tenant},
               {"event_id", event.stripe_event_id()},
               {"type", type},
               {"outcome", result}});
  };
  absl::StatusOr<DecodedEvent> decoding = DecodeEvent(body);
  if (!decoding.ok()) {
    count(v1::PaymentEvent(), "malformed");
    co_return decoding.status();
  }
  DecodedEvent& decoded = *decoding;
  const absl::StatusOr<AppendedEvent> appended = co_await store_.Run([&](Store& store) {
    return store.AppendEvent({tenant, decoded.event});
  });
  if (!appended.ok()) {
    count(decoded.event, "store_error");
    co_return appended.status();
  }
  count(decoded.event, appended->stored ? "stored" : "duplicate");
  if (!appended->stored) co_return absl::OkStatus();  // a redelivery
  decoded.event.set_sequence(appended->sequence);
  const std::string& type = decoded.event.type();
  if (!decoded.handoff_session_id.empty()) {
    const std::string state = type == "payment_intent.succeeded"        ? "succeeded"
                              : type == "payment_intent.payment_failed" ? "failed"
                              : type == "payment_intent.canceled"       ? "canceled"
                                                                        : "";
    if (!state.empty()) {
      const absl::Status updated = co_await store_.Run([&](Store& store) {
        return store.UpdateHandoffState(tenant, decoded.event.object_id(), state);
      });
      // A session of another payvox deployment (or one since deleted) is
      // not ours to update; the event is stored all the same.
      if (!updated.ok() && updated.code() != absl::StatusCode::kNotFound) co_return updated;
    }
  }
  if (on_stored_) on_stored_(tenant, decoded.event);
  co_return absl::OkStatus();
}

boost::asio::awaitable<bool> EventIngestor::Ready() {
  if (serving_ && !serving_()) co_return false;
  const absl::StatusOr<int64_t> last =
      co_await store_.Run([](Store& store) { return store.LastEventSequence(""); });
  co_return last.ok();
}

}  // namespace payvox::webhooks
