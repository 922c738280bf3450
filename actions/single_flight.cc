#include "actions/single_flight.h"

#include <utility>

namespace payvox {

SingleFlight::Ticket::Ticket(SingleFlight* owner, std::shared_ptr<Flight> flight, bool leader,
                             bool same_request)
    : owner_(owner), flight_(std::move(flight)), leader_(leader), same_request_(same_request) {}

SingleFlight::Ticket::Ticket(Ticket&& other) noexcept
    : owner_(other.owner_),
      flight_(std::move(other.flight_)),
      leader_(other.leader_),
      same_request_(other.same_request_) {
  other.leader_ = false;
}

SingleFlight::Ticket::~Ticket() {
  if (leader_ && flight_ != nullptr) {
    owner_->End(flight_, absl::UnavailableError(
                             "the first attempt of this request ended without an answer; retry "
                             "with the same request_id"));
  }
}

void SingleFlight::Ticket::Publish(absl::StatusOr<std::string> answer) {
  if (!leader_ || flight_ == nullptr) return;
  owner_->End(flight_, std::move(answer));
  leader_ = false;
}

boost::asio::awaitable<absl::StatusOr<std::string>> SingleFlight::Ticket::Wait(CallBounds bounds,
                                                                               const Clock& clock) {
  if (!same_request_) {
    co_return absl::AbortedError(
        "This request_id is already in use for a different request in this call, still "
        "running; send a new request_id for a new action, or the original parameters to retry "
        "it.");
  }
  const absl::Duration timeout =
      bounds.deadline == absl::InfiniteFuture() ? absl::Hours(1) : bounds.deadline - clock.Now();
  switch (co_await flight_->done.Wait(timeout, bounds.cancel.get())) {
    case WaitResult::kSet: {
      std::lock_guard<std::mutex> lock(flight_->mu);
      co_return flight_->answer;
    }
    case WaitResult::kCancelled:
      co_return absl::CancelledError(
          "the call was cancelled while the first attempt of this request was still running");
    case WaitResult::kTimedOut:
      break;
  }
  co_return absl::DeadlineExceededError(
      "the first attempt of this request is still running; retry with the same request_id");
}

SingleFlight::Ticket SingleFlight::Join(const std::string& key, const std::string& fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = flights_.try_emplace(key);
  if (inserted) {
    it->second = std::make_shared<Flight>();
    it->second->key = key;
    it->second->fingerprint = fingerprint;
    return Ticket(this, it->second, /*leader=*/true, /*same_request=*/true);
  }
  return Ticket(this, it->second, /*leader=*/false, it->second->fingerprint == fingerprint);
}

size_t SingleFlight::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return flights_.size();
}

void SingleFlight::End(const std::shared_ptr<Flight>& flight, absl::StatusOr<std::string> answer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = flights_.find(flight->key);
    if (it != flights_.end() && it->second == flight) flights_.erase(it);
  }
  {
    std::lock_guard<std::mutex> lock(flight->mu);
    flight->answer = std::move(answer);
  }
  flight->done.Set();
}

}  // namespace payvox
