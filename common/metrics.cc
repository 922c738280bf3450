#include "common/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace payvox::metrics {

void Counter::Increment(double value) {
  if (!(value >= 0)) return;
  value_.fetch_add(value, std::memory_order_relaxed);
}

void Gauge::Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

struct Registry::Entry {
  std::string help;
  std::string type;
  std::unique_ptr<Family<Counter>> counters;
  std::unique_ptr<Family<Gauge>> gauges;
  std::unique_ptr<Family<Histogram>> histograms;
  struct Callback {
    std::function<double()> read;
    const void* owner;
  };
  std::vector<Callback> callbacks;
};

namespace {

[[noreturn]] void Misuse(const std::string& what) {
  std::cerr << "payvox metrics: " << what << "\n";
  std::abort();
}

void CheckLabels(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (!ValidName(name) || name.find(':') != std::string::npos || name.rfind("__", 0) == 0 ||
        name == "le") {
      Misuse(absl::StrCat("invalid label name \"", name, "\""));
    }
  }
}

std::string EscapeHelp(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double.
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

// Labels writes {a="x",b="y"} (with `extra` appended), or nothing when empty.
std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"",
                    EscapeLabelValue(i < values.size() ? values[i] : ""), "\"");
  }
  if (!extra.empty()) absl::StrAppend(&out, out.empty() ? "" : ",", extra);
  return out.empty() ? "" : absl::StrCat("{", out, "}");
}

}  // namespace

bool ValidName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::Find(const std::string& name, const std::string& help,
                                const char* type) {
  if (!ValidName(name)) Misuse(absl::StrCat("invalid metric name \"", name, "\""));
  auto& slot = entries_[name];
  if (!slot) {
    slot = std::make_unique<Entry>();
    slot->help = help;
    slot->type = type;
  } else if (slot->type != type) {
    Misuse(absl::StrCat(name, " is registered as a ", slot->type, ", not a ", type));
  }
  return *slot;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  CheckLabels(label_names);
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = Find(name, help, "counter");
  if (!entry.counters) {
    entry.counters = std::make_unique<Family<Counter>>(std::move(label_names),
                                                       [] { return std::make_unique<Counter>(); });
  }
  return *entry.counters;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  CheckLabels(label_names);
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = Find(name, help, "gauge");
  if (!entry.gauges) {
    entry.gauges = std::make_unique<Family<Gauge>>(std::move(label_names),
                                                   [] { return std::make_unique<Gauge>(); });
  }
  return *entry.gauges;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  CheckLabels(label_names);
  for (size_t i = 1; i < bounds.size(); ++i) {
    if (!(bounds[i] > bounds[i - 1])) Misuse(absl::StrCat(name, ": bounds must increase"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = Find(name, help, "histogram");
  if (!entry.histograms) {
    entry.histograms = std::make_unique<Family<Histogram>>(
        std::move(label_names), [bounds] { return std::make_unique<Histogram>(bounds); });
  }
  return *entry.histograms;
}

void Registry::AddGaugeCallback(const std::string& name, const std::string& help,
                                std::function<double()> read, const void* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = Find(name, help, "gauge");
  entry.callbacks.push_back({std::move(read), owner});
}

void Registry::RemoveCallbacks(const void* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, entry] : entries_) {
    std::erase_if(entry->callbacks, [&](const Entry::Callback& c) { return c.owner == owner; });
  }
}

std::string Registry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  // Named references, not structured bindings: clang 14 (the fuzz build)
  // cannot capture those in the lambdas below.
  for (const auto& item : entries_) {
    const std::string& name = item.first;
    const Entry* entry = item.second.get();
    absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(entry->help), "\n# TYPE ", name, " ",
                    entry->type, "\n");
    if (entry->counters) {
      entry->counters->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
        absl::StrAppend(&out, name, Labels(entry->counters->label_names(), values), " ",
                        FormatValue(c.value()), "\n");
      });
    }
    if (entry->gauges) {
      entry->gauges->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
        absl::StrAppend(&out, name, Labels(entry->gauges->label_names(), values), " ",
                        FormatValue(g.value()), "\n");
      });
    }
    if (!entry->callbacks.empty()) {
      double total = 0;
      for (const Entry::Callback& callback : entry->callbacks) total += callback.read();
      absl::StrAppend(&out, name, " ", FormatValue(total), "\n");
    }
    if (entry->histograms) {
      const std::vector<std::string>& names = entry->histograms->label_names();
      entry->histograms->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
        const std::vector<uint64_t> counts = h.CumulativeCounts();
        for (size_t i = 0; i < counts.size(); ++i) {
          const std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
          absl::StrAppend(&out, name, "_bucket", Labels(names, values, "le=\"" + le + "\""), " ",
                          counts[i], "\n");
        }
        absl::StrAppend(&out, name, "_sum", Labels(names, values), " ", FormatValue(h.sum()), "\n",
                        name, "_count", Labels(names, values), " ", counts.back(), "\n");
      });
    }
  }
  return out;
}

}  // namespace payvox::metrics
