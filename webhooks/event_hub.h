// event_hub.h: EventHub fans newly stored events out to the subscribers of
// their tenant, without ever waiting on one.
//
// The hub holds subscribers weakly and calls them outside its own lock, so a
// subscriber may end (and be destroyed) at any time. Each subscriber keeps
// a bounded queue of its own (rpc/event_stream.h): one that falls behind
// drops its queue and catches up from the store, so ingestion never slows
// and memory never grows with a slow reader. A ticker asks subscribers for
// heartbeats every `heartbeat_interval`.
#ifndef PAYVOX_WEBHOOKS_EVENT_HUB_H_
#define PAYVOX_WEBHOOKS_EVENT_HUB_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "payvox/v1/events.pb.h"

namespace payvox::webhooks {

struct EventHubOptions {
  absl::Duration heartbeat_interval = absl::Seconds(15);
};

// A Subscriber is told about its tenant's events. Calls come from ingestion
// and ticker threads and must not block.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual void Offer(const v1::PaymentEvent& event) = 0;
  virtual void Heartbeat() = 0;
  // Closing: payvoxd is stopping; end after what was sent.
  virtual void Closing() = 0;
};

class EventHub {
 public:
  explicit EventHub(EventHubOptions options = {});
  ~EventHub();  // Closes.

  // Add registers a subscriber of `tenant`; false once the hub is closed.
  bool Add(const std::string& tenant, std::weak_ptr<Subscriber> subscriber, Subscriber* key);
  // Remove unregisters `key`.
  void Remove(const std::string& tenant, Subscriber* key);

  // Publish offers a stored event to the tenant's subscribers.
  void Publish(const std::string& tenant, const v1::PaymentEvent& event);

  // Close tells every subscriber payvoxd is stopping and stops the ticker.
  void Close();

  int subscribers() const;

 private:
  using Entry = std::pair<Subscriber*, std::weak_ptr<Subscriber>>;
  std::vector<std::shared_ptr<Subscriber>> Live(const std::string* tenant) const;
  void Tick();

  const EventHubOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool closed_ = false;
  absl::flat_hash_map<std::string, std::vector<Entry>> subscribers_;
  std::thread ticker_;
};

}  // namespace payvox::webhooks

#endif  // PAYVOX_WEBHOOKS_EVENT_HUB_H_
