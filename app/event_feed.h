// event_feed.h: events other replicas ingest, delivered to this one.
//
// With replicas sharing a store (PostgreSQL), a webhook lands on one of
// them; its subscribers and call sessions hear of it there at once
// (EventIngestor's on_stored). EventFeed brings every other replica the
// same events: its thread waits on the store's EventWatch (LISTEN/NOTIFY),
// or `poll_interval` at the most, then reads the tenants' heads
// (Store::EventHeads, one small query) and, for each tenant whose head
// moved, the events past what it delivered, in sequence order, to
// `deliver` (the same hand-off as on_stored: call sessions forget what the
// event changed, the hub offers it to the tenant's subscribers, which drop
// what they already sent and catch up from the store on a gap).
//
//   EventFeed feed(store, store.WatchEvents(), deliver, {});
//   feed.Start();  // ... feed.Stop() before `store` goes
//
// The feed starts from the heads it finds: what was stored before it is
// the store's to replay (resume_after), not the feed's.
#ifndef PAYVOX_APP_EVENT_FEED_H_
#define PAYVOX_APP_EVENT_FEED_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "payvox/v1/events.pb.h"
#include "store/store.h"

namespace payvox {

struct EventFeedOptions {
  // The longest an event waits when its notice was lost.
  absl::Duration poll_interval = absl::Seconds(1);
  // Events read per store call.
  int page_size = 500;
  // Told of a failed read (logging); the next wake reads again. May be
  // empty.
  std::function<void(const absl::Status&)> on_error;
};

class EventFeed {
 public:
  using Deliver = std::function<void(const std::string& tenant, const v1::PaymentEvent& event)>;

  // `store` must outlive the feed; `watch` is the store's (WatchEvents).
  EventFeed(Store& store, std::unique_ptr<EventWatch> watch, Deliver deliver,
            EventFeedOptions options);
  ~EventFeed();  // Stops.
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // Start reads the heads it starts from, then runs the feed's thread.
  absl::Status Start();
  void Stop();

  // ReadOnce delivers what is new now (the thread's one step; tests).
  absl::Status ReadOnce();

 private:
  void Run();

  Store& store_;
  std::unique_ptr<EventWatch> watch_;
  const Deliver deliver_;
  const EventFeedOptions options_;
  // The highest sequence delivered (or found at the start), by tenant;
  // the feed's thread only.
  absl::flat_hash_map<std::string, int64_t> delivered_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace payvox

#endif  // PAYVOX_APP_EVENT_FEED_H_
