#include "app/event_feed.h"

#include <utility>
#include <vector>

#include "common/status_macros.h"

namespace payvox {

EventFeed::EventFeed(Store& store, std::unique_ptr<EventWatch> watch, Deliver deliver,
                     EventFeedOptions options)
    : store_(store),
      watch_(std::move(watch)),
      deliver_(std::move(deliver)),
      options_(std::move(options)) {}

EventFeed::~EventFeed() { Stop(); }

absl::Status EventFeed::Start() {
  if (watch_ == nullptr) return absl::InvalidArgumentError("event feed: the store has no watch");
  PAYVOX_ASSIGN_OR_RETURN(const std::vector<EventHead> heads, store_.EventHeads());
  for (const EventHead& head : heads) delivered_[head.tenant_id] = head.sequence;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void EventFeed::Stop() {
  stopping_ = true;
  if (watch_ != nullptr) watch_->Stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status EventFeed::ReadOnce() {
  PAYVOX_ASSIGN_OR_RETURN(const std::vector<EventHead> heads, store_.EventHeads());
  for (const EventHead& head : heads) {
    // A tenant first seen now has had all its events since the start.
    int64_t& delivered = delivered_[head.tenant_id];
    while (delivered < head.sequence && !stopping_) {
      PAYVOX_ASSIGN_OR_RETURN(const std::vector<v1::PaymentEvent> page,
                              store_.ReadEvents(head.tenant_id, delivered, options_.page_size));
      if (page.empty()) break;
      for (const v1::PaymentEvent& event : page) {
        deliver_(head.tenant_id, event);
        delivered = event.sequence();
      }
    }
  }
  return absl::OkStatus();
}

void EventFeed::Run() {
  while (!stopping_) {
    watch_->Wait(options_.poll_interval);
    if (stopping_) return;
    const absl::Status read = ReadOnce();
    if (!read.ok() && options_.on_error) options_.on_error(read);
  }
}

}  // namespace payvox
