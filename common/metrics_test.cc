#include "common/metrics.h"

#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersAndGaugesInTheTextFormat) {
  Registry registry;
  auto& requests = registry.AddCounter("payvox_requests_total", "Requests by method\nand code",
                                       {"method", "code"});
  requests.With({"/a.B/C", "OK"}).Increment();
  requests.With({"/a.B/C", "OK"}).Increment(2);
  requests.With({"/a.B/C", "NOT_FOUND"}).Increment();
  requests.With({"/a.B/C", "OK"}).Increment(-5);  // ignored: counters only go up
  registry.AddGauge("payvox_up", "Whether payvoxd serves").With().Set(1);
  EXPECT_EQ(registry.Render(),
            "# HELP payvox_requests_total Requests by method\\nand code\n"
            "# TYPE payvox_requests_total counter\n"
            "payvox_requests_total{method=\"/a.B/C\",code=\"NOT_FOUND\"} 1\n"
            "payvox_requests_total{method=\"/a.B/C\",code=\"OK\"} 3\n"
            "# HELP payvox_up Whether payvoxd serves\n"
            "# TYPE payvox_up gauge\n"
            "payvox_up 1\n");
}

TEST(MetricsTest, HistogramsHaveCumulativeBucketsSumAndCount) {
  Registry registry;
  auto& latency =
      registry.AddHistogram("payvox_latency_seconds", "Latency", {"family"}, {0.01, 0.1, 1});
  Histogram& h = latency.With({"refunds"});
  for (double v : {0.005, 0.01, 0.05, 0.5, 7.0}) h.Observe(v);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_bucket{family=\"refunds\",le=\"0.01\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_bucket{family=\"refunds\",le=\"0.1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_bucket{family=\"refunds\",le=\"1\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_bucket{family=\"refunds\",le=\"+Inf\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_sum{family=\"refunds\"} 7.56"));
  EXPECT_THAT(text, HasSubstr("payvox_latency_seconds_count{family=\"refunds\"} 5\n"));
}

TEST(MetricsTest, EscapesLabelValues) {
  Registry registry;
  registry.AddCounter("payvox_x_total", "x", {"v"}).With({"a\"b\\c\nd"}).Increment();
  EXPECT_THAT(registry.Render(), HasSubstr("payvox_x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsTest, SeriesPerFamilyAreBounded) {
  Registry registry;
  auto& family = registry.AddCounter("payvox_bounded_total", "b", {"v"});
  for (size_t i = 0; i < kMaxSeriesPerFamily + 50; ++i) {
    family.With({std::to_string(i)}).Increment();
  }
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("payvox_bounded_total{v=\"other\"} 50\n"));
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, kMaxSeriesPerFamily + 1 + 2);
}

TEST(MetricsTest, GaugeCallbacksAreReadWhenRenderingUntilRemoved) {
  Registry registry;
  int owner = 0;
  double subscribers = 3;
  registry.AddGaugeCallback(
      "payvox_subscribers", "Open streams", [&] { return subscribers; }, &owner);
  EXPECT_THAT(registry.Render(), HasSubstr("payvox_subscribers 3\n"));
  subscribers = 5;
  EXPECT_THAT(registry.Render(), HasSubstr("payvox_subscribers 5\n"));
  registry.RemoveCallbacks(&owner);
  EXPECT_FALSE(absl::StrContains(registry.Render(), "payvox_subscribers 5"));
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  auto& family = registry.AddCounter("payvox_concurrent_total", "c", {"t"});
  auto& histogram = registry.AddHistogram("payvox_concurrent_seconds", "h", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        family.With({"x"}).Increment();
        histogram.With().Observe(0.5);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(family.With({"x"}).value(), 40000);
  EXPECT_EQ(histogram.With().CumulativeCounts().back(), 40000u);
}

TEST(MetricsTest, NamesFollowPrometheusRules) {
  EXPECT_TRUE(ValidName("payvox_grpc_requests_total"));
  EXPECT_TRUE(ValidName("a:b_c9"));
  EXPECT_FALSE(ValidName(""));
  EXPECT_FALSE(ValidName("9lives"));
  EXPECT_FALSE(ValidName("has-dash"));
  EXPECT_FALSE(ValidName("has space"));
}

}  // namespace
}  // namespace payvox::metrics
