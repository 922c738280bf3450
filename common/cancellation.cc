#include "common/cancellation.h"

#include <utility>

namespace payvox {

void CancelSignal::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return;
  cancelled_ = true;
  // Callbacks run under the lock, so Unsubscribe (which takes it) returns
  // only once none is running.
  for (auto& [id, callback] : callbacks_) callback();
  callbacks_.clear();
}

bool CancelSignal::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

CancelSignal::Registration CancelSignal::Subscribe(std::function<void()> callback) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) {
      const uint64_t id = next_id_++;
      callbacks_.emplace(id, std::move(callback));
      return Registration(this, id);
    }
  }
  callback();
  return Registration();
}

void CancelSignal::Unsubscribe(uint64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_.erase(id);
}

CancelSignal::Registration::Registration(Registration&& other) noexcept
    : signal_(std::exchange(other.signal_, nullptr)), id_(std::exchange(other.id_, 0)) {}

CancelSignal::Registration& CancelSignal::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    if (signal_ != nullptr) signal_->Unsubscribe(id_);
    signal_ = std::exchange(other.signal_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

CancelSignal::Registration::~Registration() {
  if (signal_ != nullptr) signal_->Unsubscribe(id_);
}

}  // namespace payvox
