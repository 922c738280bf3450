// event_stream.h: one EventService.Subscribe stream.
//
// The stream registers with the hub first, then sends the tenant's stored
// events after `resume_after` (or, with zero, only events stored from now
// on), then the live events the hub offers. Every event passes through one
// rule: the next one sent is the one with sequence last+1, read from the
// live queue when it is there and from the store otherwise (at start, after
// the queue overflowed, or when the queue skips a sequence). So the seam
// between replay and live has no gap and no duplicate, a slow reader costs
// ingestion nothing, and the queue is bounded (`queue_capacity`). Events
// the filters leave out advance the sequence silently. Idle streams get
// heartbeats (type "heartbeat", the last sequence). When payvoxd stops, the
// stream ends OK after its current write, with trailing metadata
// `payvox-last-sequence`. Its initial metadata, sent once the stream is
// live, carries `payvox-start-sequence`. Store reads (the starting point, catch-up pages)
// run on the StoreExecutor's threads, never on a gRPC reaction.
#ifndef PAYVOX_RPC_EVENT_STREAM_H_
#define PAYVOX_RPC_EVENT_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "payvox/v1/events.pb.h"
#include "store/store.h"
#include "store/store_executor.h"
#include "webhooks/event_hub.h"

namespace payvox {

struct EventStreamOptions {
  // Live events a stream holds while its reader is slow.
  size_t queue_capacity = 256;
  // Stored events read at once when catching up.
  int page_size = 200;
};

// ValidateSubscribe: INVALID_ARGUMENT naming the field at fault.
absl::Status ValidateSubscribe(const v1::SubscribeRequest& request);

class EventStream final : public grpc::ServerWriteReactor<v1::PaymentEvent>,
                          public webhooks::Subscriber {
 public:
  // Start returns the reactor for gRPC; it keeps itself alive until OnDone.
  static grpc::ServerWriteReactor<v1::PaymentEvent>* Start(grpc::CallbackServerContext* context,
                                                           const v1::SubscribeRequest& request,
                                                           std::string tenant, StoreExecutor& store,
                                                           webhooks::EventHub& hub,
                                                           EventStreamOptions options);

  EventStream(grpc::CallbackServerContext* context, const v1::SubscribeRequest& request,
              std::string tenant, StoreExecutor& store, webhooks::EventHub& hub,
              EventStreamOptions options);

  // webhooks::Subscriber
  void Offer(const v1::PaymentEvent& event) override;
  void Heartbeat() override;
  void Closing() override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Pump sends what is next, one write at a time; any thread may call it.
  void Pump();
  // Live sends the initial metadata once the starting point is known:
  // `payvox-start-sequence`, the last sequence before the stream's first
  // event, so a client knows from when nothing will be missed (mu_ held).
  void Live(std::unique_lock<std::mutex>& lock);
  // Started sets the starting point read from the store, then pumps.
  void Started(absl::StatusOr<int64_t> last);
  // Read takes a page of stored events read for catching up, then pumps.
  void Read(absl::StatusOr<std::vector<v1::PaymentEvent>> page);
  bool Wanted(const v1::PaymentEvent& event) const;
  // FinishOnce ends the call with `status` the first time (mu_ held on
  // entry and exit; released around Finish).
  void FinishOnce(std::unique_lock<std::mutex>& lock, const grpc::Status& status);

  grpc::CallbackServerContext* const context_;
  const v1::SubscribeRequest request_;
  const std::string tenant_;
  StoreExecutor& store_;
  webhooks::EventHub& hub_;
  const EventStreamOptions options_;
  // Alive until OnDone: the hub and Pump hold it only through weak and
  // local references.
  std::shared_ptr<EventStream> self_;

  std::mutex mu_;
  int64_t last_sequence_ = 0;
  std::deque<v1::PaymentEvent> live_;
  std::deque<v1::PaymentEvent> replay_;
  bool catch_up_ = true;
  bool heartbeat_due_ = false;
  bool sent_since_tick_ = false;
  bool closing_ = false;
  bool writing_ = false;
  // A store read is under way (the starting point, or a catch-up page).
  bool reading_ = false;
  // The lowest sequence the hub offered since registration (0: none yet).
  int64_t first_offered_ = 0;
  bool pumping_ = false;
  bool again_ = false;
  bool finished_ = false;
  v1::PaymentEvent current_;
};

}  // namespace payvox

#endif  // PAYVOX_RPC_EVENT_STREAM_H_
