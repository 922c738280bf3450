#include "rpc/event_stream.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "rpc/grpc_status.h"

namespace payvox {

absl::Status ValidateSubscribe(const v1::SubscribeRequest& request) {
  if (request.resume_after() < 0) {
    return absl::InvalidArgumentError("resume_after must be 0 (new events only) or a sequence");
  }
  if (request.types_size() > 50) return absl::InvalidArgumentError("types holds at most 50 types");
  for (const std::string& type : request.types()) {
    if (type.empty() || type.size() > 100 ||
        type.find_first_not_of("abcdefghijklmnopqrstuvwxyz_.") != std::string::npos) {
      return absl::InvalidArgumentError(
          "types must be Stripe event types such as charge.failed (lower case, '.' and '_')");
    }
  }
  if (!request.customer_id().empty() && !absl::StartsWith(request.customer_id(), "cus_")) {
    return absl::InvalidArgumentError("customer_id must be a Stripe customer id, cus_...");
  }
  return ValidateToken("call_id", request.call_id(), false);
}

grpc::ServerWriteReactor<v1::PaymentEvent>* EventStream::Start(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest& request, std::string tenant,
    StoreExecutor& store, webhooks::EventHub& hub, EventStreamOptions options) {
  auto stream =
      std::make_shared<EventStream>(context, request, std::move(tenant), store, hub, options);
  stream->self_ = stream;
  std::unique_lock<std::mutex> lock(stream->mu_);
  if (const absl::Status valid = ValidateSubscribe(request); !valid.ok()) {
    stream->FinishOnce(lock, ToGrpcStatus(valid));
    return stream.get();
  }
  // Registered before the starting point is read: nothing stored from now
  // on can be missed.
  if (!hub.Add(stream->tenant_, stream, stream.get())) {
    stream->FinishOnce(lock, ToGrpcStatus(absl::UnavailableError("payvoxd is shutting down")));
    return stream.get();
  }
  if (request.resume_after() > 0) {
    stream->last_sequence_ = request.resume_after();
    stream->Live(lock);
    lock.unlock();
    stream->Pump();
    return stream.get();
  }
  // Only events stored from now on: the starting point is the last stored.
  stream->reading_ = true;
  lock.unlock();
  store.Post([tenant = stream->tenant_](Store& s) { return s.LastEventSequence(tenant); },
             [stream](absl::StatusOr<int64_t> last) { stream->Started(std::move(last)); });
  return stream.get();
}

void EventStream::Started(absl::StatusOr<int64_t> last) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!last.ok()) {
      reading_ = false;
      FinishOnce(
          lock,
          ToGrpcStatus(absl::UnavailableError("the event store cannot be read; subscribe again")));
      return;
    }
    // Events the hub offered since the stream registered are new to it,
    // even when they were stored before the starting point was read.
    last_sequence_ = first_offered_ > 0 ? std::min(*last, first_offered_ - 1) : *last;
    Live(lock);
    reading_ = false;
  }
  Pump();
}

void EventStream::Live(std::unique_lock<std::mutex>& lock) {
  if (finished_) return;
  context_->AddInitialMetadata("payvox-start-sequence", absl::StrCat(last_sequence_));
  // No write starts before the metadata goes (a write would send it first).
  const bool was_reading = reading_;
  reading_ = true;
  lock.unlock();
  StartSendInitialMetadata();
  lock.lock();
  reading_ = was_reading;
}

void EventStream::Read(absl::StatusOr<std::vector<v1::PaymentEvent>> page) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    reading_ = false;
    if (!page.ok()) {
      FinishOnce(lock, ToGrpcStatus(absl::UnavailableError(
                           "the event store cannot be read; subscribe again with resume_after")));
      return;
    }
    if (page->empty()) catch_up_ = false;
    for (v1::PaymentEvent& event : *page) replay_.push_back(std::move(event));
  }
  Pump();
}

EventStream::EventStream(grpc::CallbackServerContext* context, const v1::SubscribeRequest& request,
                         std::string tenant, StoreExecutor& store, webhooks::EventHub& hub,
                         EventStreamOptions options)
    : context_(context),
      request_(request),
      tenant_(std::move(tenant)),
      store_(store),
      hub_(hub),
      options_(options) {}

bool EventStream::Wanted(const v1::PaymentEvent& event) const {
  if (!request_.types().empty() && std::find(request_.types().begin(), request_.types().end(),
                                             event.type()) == request_.types().end()) {
    return false;
  }
  if (!request_.customer_id().empty() && event.customer_id() != request_.customer_id()) {
    return false;
  }
  return request_.call_id().empty() || event.call_id() == request_.call_id();
}

void EventStream::Offer(const v1::PaymentEvent& event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    if (first_offered_ == 0 || event.sequence() < first_offered_) {
      first_offered_ = event.sequence();
    }
    if (live_.size() >= options_.queue_capacity) {
      // Too slow: drop the queue, read from the store instead.
      live_.clear();
      catch_up_ = true;
      return;
    }
    live_.push_back(event);
  }
  Pump();
}

void EventStream::Heartbeat() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!sent_since_tick_) heartbeat_due_ = true;
    sent_since_tick_ = false;
  }
  Pump();
}

void EventStream::Closing() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  Pump();
}

void EventStream::FinishOnce(std::unique_lock<std::mutex>& lock, const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  context_->AddTrailingMetadata("payvox-last-sequence", absl::StrCat(last_sequence_));
  lock.unlock();
  Finish(status);
  lock.lock();
}

void EventStream::Pump() {
  // Keep this alive even if gRPC ends the call while Pump runs.
  std::shared_ptr<EventStream> keep;
  std::unique_lock<std::mutex> lock(mu_);
  keep = self_;
  if (pumping_) {
    again_ = true;
    return;
  }
  pumping_ = true;
  while (!finished_ && !writing_ && !reading_) {
    again_ = false;
    if (closing_) {
      FinishOnce(lock, grpc::Status::OK);
      break;
    }
    if (replay_.empty() && catch_up_) {
      reading_ = true;
      const int64_t after = last_sequence_;
      lock.unlock();
      store_.Post([tenant = tenant_, after, page_size = options_.page_size](
                      Store& s) { return s.ReadEvents(tenant, after, page_size); },
                  [keep](absl::StatusOr<std::vector<v1::PaymentEvent>> page) {
                    keep->Read(std::move(page));
                  });
      lock.lock();
      continue;  // the loop ends while the read runs; Read pumps again
    }
    v1::PaymentEvent next;
    bool heartbeat = false;
    if (!replay_.empty()) {
      next = std::move(replay_.front());
      replay_.pop_front();
    } else if (!live_.empty()) {
      next = std::move(live_.front());
      live_.pop_front();
      if (next.sequence() <= last_sequence_) continue;  // already sent from the store
      if (next.sequence() != last_sequence_ + 1) {      // something was skipped
        live_.clear();
        catch_up_ = true;
        continue;
      }
    } else if (heartbeat_due_) {
      heartbeat_due_ = false;
      heartbeat = true;
      next.set_type("heartbeat");
      next.set_sequence(last_sequence_);
    } else {
      if (again_) continue;
      break;
    }
    if (!heartbeat) {
      last_sequence_ = next.sequence();
      if (!Wanted(next)) continue;
    }
    current_ = std::move(next);
    writing_ = true;
    sent_since_tick_ = true;
    lock.unlock();
    StartWrite(&current_);
    lock.lock();
  }
  pumping_ = false;
}

void EventStream::OnWriteDone(bool ok) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {  // the client is gone
      FinishOnce(lock, grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away"));
      return;
    }
  }
  Pump();
}

void EventStream::OnCancel() {
  std::unique_lock<std::mutex> lock(mu_);
  FinishOnce(lock, grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber cancelled"));
}

void EventStream::OnDone() {
  hub_.Remove(tenant_, this);
  std::shared_ptr<EventStream> last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = std::move(self_);
  }
  // `last` may be the final reference: this is destroyed on return.
}

}  // namespace payvox
