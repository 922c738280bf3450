// ingestor.h: EventIngestor, the WebhookSink that keeps verified Stripe
// events: decoded (webhooks/event_decoder.h), appended to the store once per
// Stripe event id with the tenant's next sequence number, hand-off sessions
// given their outcome, and each newly stored event handed to `on_stored`
// (the subscribers' fan-out). No Stripe call happens on this path.
//
// A tenant's signing secrets are those of the config file plus those
// AdminService.ConfigureWebhooks stored (sealed; opened with the keyring)
// that have not expired.
#ifndef PAYVOX_WEBHOOKS_INGESTOR_H_
#define PAYVOX_WEBHOOKS_INGESTOR_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/secret_box.h"
#include "payvox/v1/events.pb.h"
#include "store/store.h"
#include "store/store_executor.h"
#include "webhooks/listener.h"

namespace payvox::webhooks {

struct TenantSecrets {
  std::string tenant_id;
  // Active whsec_ secrets; two while one is rotated.
  std::vector<std::string> signing_secrets;
};

class EventIngestor final : public WebhookSink {
 public:
  using OnStored = std::function<void(const std::string& tenant, const v1::PaymentEvent& event)>;

  struct Options {
    // Secrets from the config file.
    std::vector<TenantSecrets> configured;
    // Opens the stored secrets; null: only the configured ones count.
    const Keyring* keyring = nullptr;
    // Whether payvoxd's gRPC server serves (for /readyz).
    std::function<bool()> serving;
    OnStored on_stored;
    // payvox_webhook_events_total by type and result; null: not counted.
    metrics::Registry* metrics = nullptr;
    // Each delivery ("webhook": tenant, Stripe's event id, type, outcome:
    // stored, duplicate, malformed, store_error): info, warning when it was
    // not stored; null: no lines.
    Logger* log = nullptr;
  };

  // `store`, `clock` and `options.keyring` must outlive the ingestor. Store
  // calls run on the executor's threads, never on the listener's.
  EventIngestor(StoreExecutor& store, const Clock& clock, Options options);

  boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> SigningSecrets(
      std::string tenant) override;
  boost::asio::awaitable<absl::Status> Ingest(std::string tenant, std::string body) override;
  boost::asio::awaitable<bool> Ready() override;

 private:
  StoreExecutor& store_;
  const Clock& clock_;
  const Keyring* keyring_;
  absl::flat_hash_map<std::string, std::vector<std::string>> configured_;
  std::function<bool()> serving_;
  OnStored on_stored_;
  Logger* const log_;
  metrics::Family<metrics::Counter>* events_ = nullptr;
};

}  // namespace payvox::webhooks

#endif  // PAYVOX_WEBHOOKS_INGESTOR_H_
