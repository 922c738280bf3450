// metrics.h: a small Prometheus metrics registry (prometheus-cpp is not
// packaged for Debian 12): counters, gauges and histograms with explicit
// buckets, in families with fixed label names, written in the Prometheus
// text exposition format 0.0.4.
//
//   metrics::Registry registry;
//   auto& requests = registry.AddCounter("payvox_grpc_requests_total",
//                                        "gRPC calls by method and code", {"method", "code"});
//   requests.With({"/payvox.v1.ActionService/CreateRefund", "OK"}).Increment();
//   std::string text = registry.Render();   // GET /metrics
//
// Label values must be bounded sets chosen by payvox (method names, status
// codes, currencies, event types): never customer, payment or secret values.
// A family holds at most kMaxSeriesPerFamily label combinations; values
// beyond that are counted under the value "other" so memory stays bounded.
//
// Thread-safe: updates are lock-free on a series once it exists; finding a
// series takes the family's mutex.
#ifndef PAYVOX_COMMON_METRICS_H_
#define PAYVOX_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"

namespace payvox::metrics {

inline constexpr size_t kMaxSeriesPerFamily = 1000;

class Counter {
 public:
  // Increment adds `value`, which must not be negative (ignored if it is).
  void Increment(double value = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: strictly increasing upper bounds; +Inf is implied.
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  // For rendering: cumulative counts per bound (then +Inf), sum, count.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Family is one metric name with its label names; With() finds or makes
// the series for a combination of label values (as many as label names).
template <typename Metric>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Metric>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  Metric& With(const std::vector<std::string>& values) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
    std::vector<std::string> key = values;
    key.resize(label_names_.size());
    if (series_.size() >= kMaxSeriesPerFamily) {
      for (std::string& value : key) value = "other";
    }
    auto& slot = series_[key];
    if (!slot) slot = make_();
    return *slot;
  }
  Metric& With() { return With({}); }

  const std::vector<std::string>& label_names() const { return label_names_; }
  // ForEach calls `visit(label values, metric)` for every series, in label
  // order.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [values, metric] : series_) visit(values, *metric);
  }

 private:
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names: [a-zA-Z_:][a-zA-Z0-9_:]*, each registered once (a second
  // registration of the same name and kind returns the first).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names, std::vector<double> bounds);
  // AddGaugeCallback: a gauge read when rendering (pool sizes, subscriber
  // counts). `read` must stay callable for the registry's life, or until
  // RemoveCallbacks(owner).
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        std::function<double()> read, const void* owner = nullptr);
  void RemoveCallbacks(const void* owner);

  // Render writes every family in the text format 0.0.4, sorted by name.
  std::string Render() const;

 private:
  struct Entry;
  Entry& Find(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

// Bucket bounds for latencies in seconds: 100 µs to 30 s.
std::vector<double> LatencyBuckets();

// ValidName: a metric or label name Prometheus accepts.
bool ValidName(absl::string_view name);

}  // namespace payvox::metrics

#endif  // PAYVOX_COMMON_METRICS_H_
