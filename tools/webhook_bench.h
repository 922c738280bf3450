// webhook_bench.h: payvox-bench --mode=webhooks, Stripe webhooks in and
// payment events out.
//
// An in-process payvoxd (SQLite file store, synchronous=FULL) with its
// webhook listener on loopback. Two senders POST `requests` signed events on
// kept-alive connections; each is verified, decoded, durably stored and
// fanned out before its 200. With 1 and with 100 subscribers reading
// EventService.Subscribe streams, it reports ingestion throughput (events
// per second until every subscriber has every event) and webhook-to-
// subscriber latency (from the start of the POST to the stream's read).
// Then it opens 1,000 idle streams and reports the process's resident
// memory growth per stream (client and server share the process, so the
// figure includes the client's side).
#ifndef PAYVOX_TOOLS_WEBHOOK_BENCH_H_
#define PAYVOX_TOOLS_WEBHOOK_BENCH_H_

#include <string>

#include "absl/time/time.h"
#include "tools/latency.h"

namespace payvox::bench {

int RunWebhookBench(int requests, absl::Duration max_time);

// The signing secret the benches' payvoxd verify with; tenant "bench".
inline constexpr char kWebhookBenchSecret[] = "whsec_payvox_bench";

struct WebhookRun {
  double events_per_second = 0;
  Percentiles latency_us;
  bool complete = false;
};

// MeasureWebhooks opens `subscribers` streams at `target` (gRPC), then two
// senders POST `requests` signed charge.failed events to `webhook_port` on
// kept-alive connections: events per second until every subscriber has
// every event, and each event's latency from its POST to a stream's read.
WebhookRun MeasureWebhooks(int webhook_port, const std::string& target, int requests,
                           int subscribers, absl::Duration max_time);

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_WEBHOOK_BENCH_H_
