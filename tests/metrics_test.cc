// payvoxd's Prometheus metrics end to end: calls, errors, cancellations,
// webhooks and streams show up at GET /metrics on the metrics port and the
// webhook port; `promtool check metrics` (Debian's prometheus package)
// accepts the text; no customer, payment or secret value is in it. And a
// real Prometheus server on loopback scrapes payvoxd and answers a query.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payvox/v1/events.grpc.pb.h"
#include "tests/payvoxd_fixture.h"
#include "webhooks/signature.h"

extern char** environ;

namespace payvox::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

// Shell runs a shell command and returns its exit code and output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// HasStripeId: "cus_", "ch_", "re_", ... (not inside a word) followed by six
// letters or digits, as Stripe's ids are.
bool HasStripeId(const std::string& text) {
  for (const char* prefix : {"cus_", "ch_", "re_", "pi_", "py_", "in_", "sub_", "we_", "evt_"}) {
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      if (at > 0 && std::isalpha(static_cast<unsigned char>(text[at - 1]))) continue;
      size_t end = at + std::strlen(prefix);
      size_t run = 0;
      while (end + run < text.size() && std::isalnum(static_cast<unsigned char>(text[end + run]))) {
        ++run;
      }
      if (run >= 6) return true;
    }
  }
  return false;
}

class MetricsTest : public PayvoxdTest {
 protected:
  std::string ConfigJson() const override {
    return R"({"grpc_listen_address": "127.0.0.1:0", "shutdown_grace_seconds": 2,
               "policy": {"enabled_actions": ["all"]},
               "webhooks": {"listen_address": "127.0.0.1:0"},
               "metrics_listen_address": "127.0.0.1:0"})";
  }

  std::string Scrape(int port) {
    const HttpResponse response = HttpExchange(port, http::verb::get, "/metrics");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    return response.body();
  }

  // Traffic makes one of each kind of call payvoxd counts.
  void Traffic() {
    VerifyJenny();
    v1::CreateRefundResponse refunded;
    ASSERT_TRUE(Refund("metrics-refund", "ch_DemoJennyDuplicate", 0, &refunded).ok());
    v1::GetPaymentRequest missing;
    *missing.mutable_context() = Context();
    missing.set_payment_id("ch_NoSuchCharge");
    v1::GetPaymentResponse unused;
    EXPECT_EQ(Invoke(&v1::ActionService::Stub::GetPayment, missing, &unused).error_code(),
              grpc::StatusCode::NOT_FOUND);
    // A stream whose deadline passes while it is open.
    auto events = v1::EventService::NewStub(channel_);
    grpc::ClientContext short_lived;
    short_lived.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    auto reader = events->Subscribe(&short_lived, v1::SubscribeRequest());
    v1::PaymentEvent event;
    while (reader->Read(&event)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    // A forged webhook.
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    EXPECT_EQ(
        HttpExchange(app_->webhook_port(), http::verb::post, "/v1/webhooks/stripe/default", "{}",
                     {{"Stripe-Signature", absl::StrCat("t=", now, ",v1=", std::string(64, '0'))}})
            .result(),
        http::status::bad_request);
  }
};

TEST_F(MetricsTest, CountsWhatHappenedWithoutCustomerOrSecretValues) {
  auto events = v1::EventService::NewStub(channel_);
  grpc::ClientContext stream_context;
  v1::SubscribeRequest subscribe;
  auto reader = events->Subscribe(&stream_context, subscribe);
  Traffic();

  // The server counts a call when it ends, a moment after the client saw
  // the end.
  const std::string expired =
      R"(payvox_grpc_requests_total{method="/payvox.v1.EventService/Subscribe",code="DEADLINE_EXCEEDED",outcome="deadline_exceeded"} 1)";
  for (int i = 0; i < 100 && !absl::StrContains(Scrape(app_->metrics_port()), expired); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string text = Scrape(app_->metrics_port());
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(payvox_grpc_requests_total{method="/payvox.v1.ActionService/CreateRefund",code="OK",outcome="ok"} 1)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(payvox_grpc_requests_total{method="/payvox.v1.ActionService/GetPayment",code="NOT_FOUND",outcome="error"} 1)"));
  EXPECT_THAT(text, HasSubstr(expired));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(payvox_grpc_request_duration_seconds_count{method="/payvox.v1.ActionService/CreateRefund"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_stripe_requests_total{family="refunds",status="200"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_stripe_requests_total{family="charges",status="404"})"));
  EXPECT_THAT(text, HasSubstr("payvox_stripe_request_duration_seconds_bucket{family=\"refunds\""));
  EXPECT_THAT(text, HasSubstr("payvox_stripe_breakers_open 0"));
  EXPECT_THAT(text, HasSubstr("payvox_stripe_pool_connections_open "));
  EXPECT_THAT(
      text,
      HasSubstr(R"(payvox_policy_decisions_total{action="create_refund",verdict="allow"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_refunded_amount_minor_units_total{currency="usd"} 4900)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_refunds_total{tenant="default"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_audit_append_duration_seconds_count{kind="intent"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_webhook_requests_total{result="bad_signature"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(payvox_webhook_signature_failures_total{reason="invalid"} 1)"));
  EXPECT_THAT(text, HasSubstr("payvox_event_stream_subscribers 1"));
  // Nothing about who or what: no Stripe object id, email, card or key.
  ASSERT_TRUE(HasStripeId("the refund re_3MmlLrLkdIwHu7ix0snN0B15"));
  ASSERT_FALSE(HasStripeId("payvox_webhook_signature_failures_total"));
  EXPECT_FALSE(HasStripeId(text));
  // Names, labels and help text; sample values are numbers, in which "4242"
  // can occur by chance (a duration sum of 0.0042421 s).
  std::string names_and_labels;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&names_and_labels, line.substr(0, line.rfind(' ')), "\n");
  }
  for (const char* value : {"@", "sk_test", "whsec_", "4242", "Jenny"}) {
    EXPECT_FALSE(absl::StrContains(names_and_labels, value)) << value;
  }
  // The public webhook port never serves them (they hold refunded totals).
  EXPECT_EQ(HttpExchange(app_->webhook_port(), http::verb::get, "/metrics").result_int(), 404);
  // A stream the client hangs up on is counted as cancelled, not an error.
  stream_context.TryCancel();
  v1::PaymentEvent ignored;
  while (reader->Read(&ignored)) {
  }
  const std::string cancelled =
      R"(payvox_grpc_requests_total{method="/payvox.v1.EventService/Subscribe",code="CANCELLED",outcome="cancelled"})";
  for (int i = 0; i < 100 && !absl::StrContains(Scrape(app_->metrics_port()), cancelled); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(Scrape(app_->metrics_port()), HasSubstr(cancelled));

  // promtool from Debian's prometheus package accepts the exposition.
  const std::string path = ::testing::TempDir() + "/payvox_metrics.txt";
  std::ofstream(path) << text;
  const auto [code, output] = Shell("promtool check metrics < " + path);
  EXPECT_EQ(code, 0) << output;
}

// Every payvox_ metric an alerting rule reads (deploy/prometheus) is one
// payvoxd exports, so a renamed metric cannot leave an alert that never
// fires. Families render their TYPE line before any sample exists.
TEST_F(MetricsTest, EveryMetricTheAlertingRulesReadIsExported) {
  std::ifstream rules(PAYVOX_ALERTS_FILE);
  ASSERT_TRUE(rules.good()) << PAYVOX_ALERTS_FILE;
  const std::string text = Scrape(app_->metrics_port());
  std::set<std::string> read;
  for (std::string line; std::getline(rules, line);) {
    const absl::string_view code = absl::string_view(line).substr(0, line.find('#'));
    for (size_t at = code.find("payvox_"); at != absl::string_view::npos;
         at = code.find("payvox_", at + 1)) {
      size_t end = at;
      while (end < code.size() &&
             (std::islower(static_cast<unsigned char>(code[end])) || code[end] == '_')) {
        ++end;
      }
      read.insert(std::string(code.substr(at, end - at)));
      at = end;
    }
  }
  EXPECT_GE(read.size(), 9u);
  for (const std::string& name : read) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", name, " "))) << name;
  }
}

// FreePort asks the kernel for a port nobody listens on.
int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST_F(MetricsTest, ARealPrometheusScrapesPayvoxdAndAnswersAQuery) {
  Traffic();
  const std::string dir = ::testing::TempDir() + "/payvox_prometheus";
  ASSERT_EQ(Shell("rm -rf " + dir + " && mkdir -p " + dir).first, 0);
  std::ofstream(dir + "/prometheus.yml") << absl::StrCat(
      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      "scrape_configs:\n  - job_name: payvoxd\n    static_configs:\n"
      "      - targets: ['127.0.0.1:",
      app_->metrics_port(), "']\n");
  const int port = FreePort();
  const std::string config = dir + "/prometheus.yml";
  std::string storage = absl::StrCat("--storage.tsdb.path=", dir, "/data");
  std::string listen = absl::StrCat("--web.listen-address=127.0.0.1:", port);
  std::string config_flag = "--config.file=" + config;
  std::string program = "prometheus";
  const std::string log = dir + "/prometheus.log";
  std::vector<char*> argv = {program.data(), config_flag.data(), storage.data(), listen.data(),
                             nullptr};
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawnp(&pid, "prometheus", &files, nullptr, argv.data(), environ), 0)
      << "prometheus is not installed (scripts/install-deps.sh installs it)";
  posix_spawn_file_actions_destroy(&files);

  // Ask until the scrape landed: at most 30 s.
  std::string answer;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    boost::system::error_code error;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket probe(io);
    probe.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}, error);
    if (error) continue;
    answer = HttpExchange(port, http::verb::get,
                          "/api/v1/query?query=payvox_grpc_requests_total%7Bcode%3D%22OK%22%7D")
                 .body();
    if (absl::StrContains(answer, "CreateRefund")) break;
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_THAT(answer, HasSubstr(R"("status":"success")"));
  EXPECT_THAT(answer, HasSubstr(R"("job":"payvoxd")"));
  EXPECT_THAT(answer, HasSubstr("/payvox.v1.ActionService/CreateRefund"))
      << Shell("tail -20 " + log).second;
}

}  // namespace
}  // namespace payvox::testing
