// webhook_sender.h: WebhookSender posts the sandbox's webhook deliveries to
// their endpoints as Stripe does: the event JSON, signed with the
// endpoint's secret in a Stripe-Signature header (t=<now>,v1=<hex>), one at
// a time in the order events happened. A delivery answered other than 2xx,
// or not answered within the timeout, is retried with growing pauses, up to
// max_attempts; then it is given up and counted.
//
//   WebhookSender sender(emulator, clock, {});
//   sender.Start();   // a thread of its own
//   ...
//   sender.Stop();
#ifndef PAYVOX_SANDBOX_WEBHOOK_SENDER_H_
#define PAYVOX_SANDBOX_WEBHOOK_SENDER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "sandbox/emulator.h"

namespace payvox::sandbox {

struct WebhookSenderOptions {
  int max_attempts = 4;
  // Pause before the second attempt; doubled for each later one.
  absl::Duration first_retry_pause = absl::Milliseconds(200);
  // For one attempt: connect, TLS, request and answer.
  absl::Duration timeout = absl::Seconds(5);
  // PEM file trusted for https:// endpoints besides the system's CAs.
  std::string extra_ca_file;
};

struct WebhookSenderStats {
  int64_t delivered = 0;
  int64_t failed_attempts = 0;
  int64_t given_up = 0;
};

class WebhookSender {
 public:
  // `emulator` and `clock` must outlive the sender.
  WebhookSender(StripeEmulator& emulator, const Clock& clock, WebhookSenderOptions options);
  ~WebhookSender();  // Stops.

  void Start();
  // Stop ends the thread after the attempt in progress; deliveries still
  // queued stay in the emulator.
  void Stop();

  WebhookSenderStats stats() const;

  // PostSigned makes one signed attempt of `delivery` and returns OK on a
  // 2xx answer; otherwise why not.
  absl::Status PostSigned(const WebhookDelivery& delivery);

 private:
  void Run();
  // Pause waits `duration` unless stopped first; false when stopped.
  bool Pause(absl::Duration duration);

  StripeEmulator& emulator_;
  const Clock& clock_;
  const WebhookSenderOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_attempts_{0};
  std::atomic<int64_t> given_up_{0};
};

}  // namespace payvox::sandbox

#endif  // PAYVOX_SANDBOX_WEBHOOK_SENDER_H_
