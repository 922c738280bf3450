// latency.h: percentiles of measured latencies, for payvox-bench.
#ifndef PAYVOX_TOOLS_LATENCY_H_
#define PAYVOX_TOOLS_LATENCY_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace payvox::bench {

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  size_t count = 0;

  std::string ToString() const {
    return absl::StrFormat("p50 %.0f  p90 %.0f  p99 %.0f  max %.0f", p50, p90, p99, max);
  }
};

// Summarize sorts `micros` and reads its percentiles; empty gives zeros.
inline Percentiles Summarize(std::vector<double> micros) {
  Percentiles out;
  if (micros.empty()) return out;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double p) {
    return micros[std::min(micros.size() - 1,
                           static_cast<size_t>(p * static_cast<double>(micros.size())))];
  };
  out.p50 = at(0.50);
  out.p90 = at(0.90);
  out.p99 = at(0.99);
  out.max = micros.back();
  out.count = micros.size();
  return out;
}

}  // namespace payvox::bench

#endif  // PAYVOX_TOOLS_LATENCY_H_
