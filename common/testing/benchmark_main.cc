// benchmark_main.cc: main() for payvox's Google Benchmark binaries. As
// benchmark_main, but a benchmark that reported an error (SkipWithError:
// its work failed) makes the binary exit 1, so a failing benchmark cannot
// pass for a measurement.
#include <benchmark/benchmark.h>

#include <iostream>
#include <vector>

namespace {

class ErrorCountingReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) ++errors_;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  int errors() const { return errors_; }

 private:
  int errors_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ErrorCountingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (reporter.errors() > 0) {
    std::cerr << reporter.errors() << " benchmark(s) failed: their work returned an error\n";
    return 1;
  }
  return 0;
}
