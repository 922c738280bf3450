#include "tools/load.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace payvox::bench {

std::string LoadResult::ToString() const {
  if (failures > 0) {
    // Failed requests are fast: their latencies and rate measure nothing.
    return absl::StrFormat("FAILED: %d of %d requests failed, no figures (first: %s)", failures,
                           latency_us.count, first_failure);
  }
  return absl::StrFormat("%s  | %.0f req/s, 0 of %d failed", latency_us.ToString(), per_second,
                         latency_us.count);
}

LoadResult RunLoad(const LoadOptions& options, const SenderFactory& make_sender) {
  const int concurrency = std::max(1, options.concurrency);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(concurrency));
  std::atomic<int> next_warmup{0};
  std::atomic<int> next{0};
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  std::mutex failure_mu;
  std::string first_failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      const Sender send = make_sender(t);
      for (int i = next_warmup.fetch_add(1); i < options.warmup; i = next_warmup.fetch_add(1)) {
        (void)send(options.requests + i);  // numbered after the measured ones
      }
      ++ready;
      while (ready.load() < concurrency) std::this_thread::yield();
      std::vector<double>& mine = latencies[static_cast<size_t>(t)];
      for (int i = next.fetch_add(1); i < options.requests && absl::Now() < options.stop_at;
           i = next.fetch_add(1)) {
        const absl::Time begin = absl::Now();
        const absl::Status status = send(i);
        mine.push_back(absl::ToDoubleMicroseconds(absl::Now() - begin));
        if (!status.ok() && failures.fetch_add(1) == 0) {
          std::lock_guard<std::mutex> lock(failure_mu);
          first_failure = status.ToString();
        }
      }
    });
  }
  while (ready.load() < concurrency) std::this_thread::yield();
  const absl::Time measured_from = absl::Now();
  for (std::thread& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - measured_from);

  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  LoadResult result;
  result.latency_us = Summarize(std::move(all));
  result.failures = failures.load();
  result.first_failure = std::move(first_failure);
  result.per_second = seconds > 0 ? static_cast<double>(result.latency_us.count) / seconds : 0;
  return result;
}

}  // namespace payvox::bench
