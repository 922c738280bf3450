// cancellation.h: how a cancelled gRPC call reaches the Stripe request it
// started.
//
// The gRPC reactor owns a CancelSignal and calls Cancel() from OnCancel; the
// code doing I/O for that call subscribes for as long as an operation is in
// flight and stops it when told:
//
//   CancelSignal::Registration hook = signal.Subscribe([&] { post(strand, close_socket); });
//
// CallBounds carries the deadline and the signal together down every layer.
#ifndef PAYVOX_COMMON_CANCELLATION_H_
#define PAYVOX_COMMON_CANCELLATION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace payvox {

// CancelSignal is a one-way latch with callbacks. Thread-safe.
class CancelSignal {
 public:
  class Registration;

  CancelSignal() = default;
  CancelSignal(const CancelSignal&) = delete;
  CancelSignal& operator=(const CancelSignal&) = delete;

  // Cancel runs every subscribed callback once, on the calling thread.
  // Later calls do nothing.
  void Cancel();
  bool cancelled() const;

  // Subscribe runs `callback` on Cancel(), or at once when already
  // cancelled. Callbacks must be short and must not call Subscribe or drop a
  // Registration of this signal. Once the Registration is destroyed the
  // callback is not running and never will.
  [[nodiscard]] Registration Subscribe(std::function<void()> callback) const;

 private:
  void Unsubscribe(uint64_t id) const;

  mutable std::mutex mu_;
  mutable bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  mutable uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  mutable absl::flat_hash_map<uint64_t, std::function<void()>> callbacks_ ABSL_GUARDED_BY(mu_);
};

class CancelSignal::Registration {
 public:
  Registration() = default;
  Registration(Registration&& other) noexcept;
  Registration& operator=(Registration&& other) noexcept;
  ~Registration();

 private:
  friend class CancelSignal;
  Registration(const CancelSignal* signal, uint64_t id) : signal_(signal), id_(id) {}
  const CancelSignal* signal_ = nullptr;
  uint64_t id_ = 0;
};

// CallBounds limits one unit of work done for a call: nothing may run past
// `deadline`, and everything stops soon after `cancel` fires. Implicit from a
// deadline alone, for callers that cannot be cancelled.
struct CallBounds {
  CallBounds() = default;
  // NOLINTNEXTLINE(google-explicit-constructor)
  CallBounds(absl::Time deadline_in) : deadline(deadline_in) {}
  CallBounds(absl::Time deadline_in, std::shared_ptr<const CancelSignal> cancel_in)
      : deadline(deadline_in), cancel(std::move(cancel_in)) {}

  bool cancelled() const { return cancel != nullptr && cancel->cancelled(); }

  absl::Time deadline = absl::InfiniteFuture();
  // Null: cannot be cancelled.
  std::shared_ptr<const CancelSignal> cancel;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_CANCELLATION_H_
