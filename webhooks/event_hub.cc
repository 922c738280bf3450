#include "webhooks/event_hub.h"

#include <algorithm>

namespace payvox::webhooks {

EventHub::EventHub(EventHubOptions options) : options_(options), ticker_([this] { Tick(); }) {}

EventHub::~EventHub() { Close(); }

bool EventHub::Add(const std::string& tenant, std::weak_ptr<Subscriber> subscriber,
                   Subscriber* key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  subscribers_[tenant].emplace_back(key, std::move(subscriber));
  return true;
}

void EventHub::Remove(const std::string& tenant, Subscriber* key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subscribers_.find(tenant);
  if (it == subscribers_.end()) return;
  std::erase_if(it->second, [key](const Entry& entry) { return entry.first == key; });
  if (it->second.empty()) subscribers_.erase(it);
}

std::vector<std::shared_ptr<Subscriber>> EventHub::Live(const std::string* tenant) const {
  std::vector<std::shared_ptr<Subscriber>> live;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, entries] : subscribers_) {
    if (tenant != nullptr && name != *tenant) continue;
    for (const Entry& entry : entries) {
      if (std::shared_ptr<Subscriber> subscriber = entry.second.lock()) {
        live.push_back(std::move(subscriber));
      }
    }
  }
  return live;
}

void EventHub::Publish(const std::string& tenant, const v1::PaymentEvent& event) {
  for (const std::shared_ptr<Subscriber>& subscriber : Live(&tenant)) subscriber->Offer(event);
}

void EventHub::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  for (const std::shared_ptr<Subscriber>& subscriber : Live(nullptr)) subscriber->Closing();
}

int EventHub::subscribers() const { return static_cast<int>(Live(nullptr).size()); }

void EventHub::Tick() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, absl::ToChronoNanoseconds(options_.heartbeat_interval),
                     [this] { return closed_; });
      if (closed_) return;
    }
    for (const std::shared_ptr<Subscriber>& subscriber : Live(nullptr)) subscriber->Heartbeat();
  }
}

}  // namespace payvox::webhooks
