// single_flight.h: concurrent calls of one write request become one call.
//
// An orchestrator's retry racing its original, or a voice platform sending
// the same tool call twice, arrive as two calls with the same idempotency
// key while the first is still running. SingleFlight lets the first (the
// leader) run the action; the others wait for it and get its answer, so
// one request makes one Stripe POST, one audit intent and completion, and
// one increment of every metric.
//
//   SingleFlight::Ticket ticket = flights.Join(key, fingerprint);
//   if (!ticket.leader()) co_return co_await ticket.Wait(bounds, clock);  // the leader's answer
//   absl::StatusOr<std::string> answer = ...run the action...;
//   ticket.Publish(answer);
//
// Calls that come after the leader finished are not its followers: they
// find the saved answer (actions/action_guard.h) as any retry does.
//
// Thread-safe. Waiting coroutines must run on a strand (common/async_wait.h).
#ifndef PAYVOX_ACTIONS_SINGLE_FLIGHT_H_
#define PAYVOX_ACTIONS_SINGLE_FLIGHT_H_

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/async_wait.h"
#include "common/cancellation.h"
#include "common/clock.h"

namespace payvox {

class SingleFlight {
 private:
  struct Flight;

 public:
  // Ticket is one call's place in a flight. A leader's ticket publishes
  // UNAVAILABLE (retry with the same request_id) if it is dropped without
  // Publish, so followers never wait for an answer that will not come.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

    bool leader() const { return leader_; }
    // Publish hands the leader's answer (a serialized response, or the
    // status it ended with) to its followers and ends the flight.
    void Publish(absl::StatusOr<std::string> answer);
    // Wait (followers only) returns the leader's answer; ABORTED when the
    // leader runs a different request under the same key (a request_id
    // reused with other parameters); DEADLINE_EXCEEDED or CANCELLED when
    // `bounds` end first (the leader goes on).
    boost::asio::awaitable<absl::StatusOr<std::string>> Wait(CallBounds bounds, const Clock& clock);

   private:
    friend class SingleFlight;
    Ticket(SingleFlight* owner, std::shared_ptr<Flight> flight, bool leader, bool same_request);

    SingleFlight* owner_;
    std::shared_ptr<Flight> flight_;
    bool leader_;
    bool same_request_;
  };

  // Join makes the caller the leader of `key`'s flight when none is under
  // way, else a follower of it. `fingerprint` identifies the request's
  // parameters (RequestFingerprint).
  Ticket Join(const std::string& key, const std::string& fingerprint);

  // InFlight is how many flights are under way (tests, metrics).
  size_t InFlight() const;

 private:
  struct Flight {
    std::string key;
    std::string fingerprint;
    AsyncEvent done;
    std::mutex mu;
    absl::StatusOr<std::string> answer ABSL_GUARDED_BY(mu) = absl::UnavailableError("unset");
  };

  void End(const std::shared_ptr<Flight>& flight, absl::StatusOr<std::string> answer);

  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_SINGLE_FLIGHT_H_
