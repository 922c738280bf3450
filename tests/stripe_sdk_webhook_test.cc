// payvox's webhook signatures against the official Stripe SDK (npm
// `stripe`, pinned in tests/node): headers the SDK makes with
// generateTestHeaderString pass payvox's verification and its listener, and
// headers payvox makes pass the SDK's constructEvent. Needs Node.js and
// `scripts/install-node-deps.sh` (dev.sh runs both).
#include "absl/strings/str_cat.h"
#include "common/testing/fake_clock.h"
#include "common/testing/http_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"
#include "tests/node_peer.h"
#include "webhooks/ingestor.h"
#include "webhooks/listener.h"
#include "webhooks/signature.h"

namespace payvox::webhooks {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1800000000;
constexpr char kSecret[] = "whsec_sdk_test_secret_1";

// Sdk runs tests/node/sign_webhook.js with `payload` on its standard input
// and returns what it printed.
std::string Sdk(const std::string& mode, const std::string& secret, const std::string& arg,
                const std::string& payload) {
  return testing::RunNodePeer("sign_webhook.js", {mode, secret, arg}, payload);
}

std::string Event(const std::string& id) {
  return absl::StrCat(
      R"({"id":")", id, R"(","object":"event","created":)", kNow,
      R"(,"type":"charge.failed","data":{"object":{"id":"ch_1","object":"charge",)",
      R"("amount":1250,"currency":"usd","customer":"cus_1",)",
      R"("description":"Caf\u00e9 \u2615 order","failure_code":"card_declined"}}})");
}

TEST(StripeSdkWebhookTest, HeadersTheSdkMakesPassPayvoxsVerification) {
  for (const std::string& payload :
       {Event("evt_sdk_1"), std::string(R"({"id":"evt_x","note":"ünïcödé ✓"})"),
        std::string(200000, 'a')}) {
    const std::string header = Sdk("sign", kSecret, absl::StrCat(kNow), payload);
    ASSERT_THAT(header, ::testing::StartsWith(absl::StrCat("t=", kNow, ",v1=")));
    const std::string secrets[] = {kSecret};
    EXPECT_TRUE(VerifySignature(header, payload, secrets, absl::FromUnixSeconds(kNow)).ok());
    // The rotated-out secret still listed: any matching one passes.
    const std::string rotated[] = {"whsec_previous_secret", kSecret};
    EXPECT_TRUE(VerifySignature(header, payload, rotated, absl::FromUnixSeconds(kNow)).ok());
    const std::string wrong[] = {"whsec_someone_else"};
    EXPECT_EQ(VerifySignature(header, payload, wrong, absl::FromUnixSeconds(kNow)).code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_FALSE(VerifySignature(header, payload + " ", secrets, absl::FromUnixSeconds(kNow)).ok());
  }
  // Signed 301 s before now: stale.
  const std::string old = Sdk("sign", kSecret, absl::StrCat(kNow - 301), Event("evt_old"));
  const std::string secrets[] = {kSecret};
  EXPECT_THAT(
      VerifySignature(old, Event("evt_old"), secrets, absl::FromUnixSeconds(kNow)).message(),
      HasSubstr("old"));
}

TEST(StripeSdkWebhookTest, HeadersPayvoxMakesPassTheSdksConstructEvent) {
  const std::string payload = Event("evt_payvox_1");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string header = absl::StrCat("t=", now, ",v1=", SignPayload(kSecret, now, payload));
  EXPECT_EQ(Sdk("verify", kSecret, header, payload), "ok");
  EXPECT_THAT(Sdk("verify", "whsec_someone_else", header, payload), HasSubstr("refused"));
  EXPECT_THAT(Sdk("verify", kSecret, header, payload + "x"), HasSubstr("refused"));
}

TEST(StripeSdkWebhookTest, TheListenerStoresAnEventTheSdkSigned) {
  testing::FakeClock clock(absl::FromUnixSeconds(kNow));
  auto store = SqliteStore::Open({.path = ":memory:"}, clock);
  ASSERT_TRUE(store.ok()) << store.status();
  StoreExecutor executor(**store, {.threads = 1});
  EventIngestor ingestor(executor, clock, {.configured = {{"acme", {kSecret}}}});
  WebhookListener listener(ingestor, clock);
  ASSERT_TRUE(listener.Start({.http = {.port = 0}}).ok());

  const std::string payload = Event("evt_sdk_listener");
  const std::string header = Sdk("sign", kSecret, absl::StrCat(kNow), payload);
  const testing::HttpResponse response = testing::HttpExchange(
      listener.port(), http::verb::post, "/v1/webhooks/stripe/acme", payload,
      {{"Content-Type", "application/json; charset=utf-8"}, {"Stripe-Signature", header}});
  EXPECT_EQ(response.result(), http::status::ok) << response.body();

  auto events = (*store)->ReadEvents("acme", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].stripe_event_id(), "evt_sdk_listener");
  EXPECT_EQ((*events)[0].type(), "charge.failed");
  listener.Stop();
  executor.Join();  // before the listener's io_context goes (webhooks/listener.h)
}

}  // namespace
}  // namespace payvox::webhooks
