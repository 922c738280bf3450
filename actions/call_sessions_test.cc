#include "actions/call_sessions.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include "actions/call_facts.h"
#include "actions/testing/action_test_env.h"
#include "client/testing/fake_stripe_client.h"
#include "common/testing/fake_clock.h"
#include "common/testing/run_coroutine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::FakeClock;
using ::payvox::testing::kJennyCharges;
using ::payvox::testing::RunCoroutine;
using ::testing::HasSubstr;

// GatedStripeClient holds requests to one route until Open(), so a test
// can have a read arrive while a fetch is under way.
class GatedStripeClient final : public stripe::StripeClient {
 public:
  GatedStripeClient(stripe::StripeClient& inner, std::string route)
      : inner_(inner), route_(std::move(route)) {}
  void Open() { gate_.Set(); }

  boost::asio::awaitable<absl::StatusOr<stripe::StripeResponse>> Send(
      stripe::StripeRequest request) override {
    if (absl::StrCat(stripe::MethodName(request.method), " ", request.path) == route_) {
      co_await gate_.Wait(absl::Seconds(30), nullptr);
    }
    co_return co_await inner_.Send(std::move(request));
  }
  stripe::Mode mode() const override { return inner_.mode(); }

 private:
  stripe::StripeClient& inner_;
  const std::string route_;
  AsyncEvent gate_;
};

int Requests(const stripe::testing::FakeStripeClient& stripe, const std::string& path) {
  int count = 0;
  for (const stripe::StripeRequest& request : stripe.requests()) count += request.path == path;
  return count;
}

v1::PaymentEvent Event(const std::string& type, const std::string& object,
                       const std::string& customer) {
  v1::PaymentEvent event;
  event.set_type(type);
  event.set_object_id(object);
  event.set_customer_id(customer);
  return event;
}

class CallSessionsTest : public ::testing::Test {
 protected:
  CallSessionsTest() {
    stripe_.Answer("GET /v1/charges", 200, kJennyCharges);
    stripe_.Answer("GET /v1/customers/cus_1/payment_methods", 200, ::payvox::testing::kJennyCards);
  }

  CallFacts Facts(const std::shared_ptr<CallSession>& session, const char* action = "test") {
    return CallFacts(api_, &sessions_, session ? session->tenant_id() : "acme", session, action);
  }
  absl::StatusOr<stripe::List<stripe::Charge>> Charges(CallFacts facts, int limit = 10) {
    return RunCoroutine(
        facts.ListCharges({.customer = "cus_1", .limit = limit}, stripe::CallOptions{}));
  }

  FakeClock clock_;
  metrics::Registry metrics_;
  stripe::testing::FakeStripeClient stripe_;
  stripe::StripeApi api_{stripe_};
  CallSessions sessions_{clock_, {.metrics = &metrics_}};
};

TEST_F(CallSessionsTest, AReadFillsTheSessionAndTheNextIsAnsweredFromIt) {
  auto [session, created] = sessions_.Begin("acme", "call-1");
  ASSERT_TRUE(created);
  ASSERT_TRUE(Charges(Facts(session)).ok());
  absl::StatusOr<stripe::List<stripe::Charge>> again = Charges(Facts(session));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->data.size(), 2u);
  EXPECT_EQ(again->data[0].id, "ch_2");
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 1);
  // The fetch asked for more than the read did, so later reads of up to
  // that many are answered too.
  EXPECT_EQ(stripe_.requests().front().params.Find("limit"), "20");
  EXPECT_GT(session->bytes(), 0u);
  EXPECT_EQ(sessions_.total_bytes(), session->bytes());
  const std::string rendered = metrics_.Render();
  EXPECT_THAT(rendered,
              HasSubstr(R"(payvox_call_session_reads_total{action="test",result="miss"} 1)"));
  EXPECT_THAT(rendered,
              HasSubstr(R"(payvox_call_session_reads_total{action="test",result="hit"} 1)"));
  EXPECT_THAT(rendered, HasSubstr("payvox_call_sessions_active 1"));
}

TEST_F(CallSessionsTest, WithoutASessionEveryReadGoesToStripe) {
  ASSERT_TRUE(Charges(Facts(nullptr)).ok());
  ASSERT_TRUE(Charges(Facts(nullptr)).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);
}

TEST_F(CallSessionsTest, AReadArrivingDuringAFetchWaitsForItInsteadOfSendingAnother) {
  GatedStripeClient gated(stripe_, "GET /v1/charges");
  stripe::StripeApi api(gated);
  auto [session, created] = sessions_.Begin("acme", "call-1");
  boost::asio::io_context io;
  auto strand = boost::asio::make_strand(io);
  // The facts outlive their coroutines, as an action's do.
  CallFacts prefetch(api, &sessions_, "acme", session, "begin_call");
  CallFacts read(api, &sessions_, "acme", session, "list_charges");
  auto first = boost::asio::co_spawn(strand, prefetch.ListCharges({.customer = "cus_1"}, {}),
                                     boost::asio::use_future);
  auto second = boost::asio::co_spawn(strand, read.ListCharges({.customer = "cus_1"}, {}),
                                      boost::asio::use_future);
  io.poll();  // both reads started; the first holds the fetch
  EXPECT_EQ(stripe_.requests().size(), 0u);
  gated.Open();
  io.run();
  ASSERT_TRUE(first.get().ok());
  absl::StatusOr<stripe::List<stripe::Charge>> waited = second.get();
  ASSERT_TRUE(waited.ok());
  EXPECT_EQ(waited->data.size(), 2u);
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 1);
  EXPECT_THAT(
      metrics_.Render(),
      HasSubstr(R"(payvox_call_session_reads_total{action="list_charges",result="wait"} 1)"));
}

TEST_F(CallSessionsTest, AFetchUnderWayWhenAnEventArrivesIsNotKeptAndIsFetchedAgain) {
  GatedStripeClient gated(stripe_, "GET /v1/charges");
  stripe::StripeApi api(gated);
  auto [session, created] = sessions_.Begin("acme", "call-1");
  boost::asio::io_context io;
  CallFacts facts(api, &sessions_, "acme", session, "t");
  auto read = boost::asio::co_spawn(io, facts.ListCharges({.customer = "cus_1"}, {}),
                                    boost::asio::use_future);
  io.poll();
  // The charge changed in Stripe while the list was on its way.
  sessions_.Forget("acme", Event("charge.refunded", "ch_2", "cus_1"));
  gated.Open();
  io.run();
  ASSERT_TRUE(read.get().ok());
  // The reader's answer predated the event, so it asked again.
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);
}

TEST_F(CallSessionsTest, FactsOlderThanTheirFreshnessLimitAreFetchedAgain) {
  auto [session, created] = sessions_.Begin("acme", "call-1");
  ASSERT_TRUE(Charges(Facts(session)).ok());
  ASSERT_TRUE(RunCoroutine(Facts(session).ListCards("cus_1", {})).ok());
  clock_.Advance(absl::Seconds(61));  // past money facts' 60 s, within cards' 5 min
  ASSERT_TRUE(Charges(Facts(session)).ok());
  ASSERT_TRUE(RunCoroutine(Facts(session).ListCards("cus_1", {})).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);
  EXPECT_EQ(Requests(stripe_, "/v1/customers/cus_1/payment_methods"), 1);
}

TEST_F(CallSessionsTest, AListAnswersUpToWhatItHoldsAndALongerReadFetchesAgain) {
  stripe_.Answer("GET /v1/charges", 200,
                 R"({"object":"list","has_more":true,"data":[
                      {"id":"ch_3","amount":100,"currency":"usd","customer":"cus_1","status":"succeeded"},
                      {"id":"ch_2","amount":100,"currency":"usd","customer":"cus_1","status":"succeeded"}]})");
  auto [session, created] = sessions_.Begin("acme", "call-1");
  ASSERT_TRUE(Charges(Facts(session), 2).ok());
  absl::StatusOr<stripe::List<stripe::Charge>> one = Charges(Facts(session), 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->data.size(), 1u);
  EXPECT_TRUE(one->has_more);
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 1);
  ASSERT_TRUE(Charges(Facts(session), 50).ok());  // more than held, and Stripe has more
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);
  // A next page is never held.
  ASSERT_TRUE(RunCoroutine(Facts(session).ListCharges(
                               {.customer = "cus_1", .limit = 2, .starting_after = "ch_2"}, {}))
                  .ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 3);
}

TEST_F(CallSessionsTest, AChargeIsFoundInTheCallsCustomersCharges) {
  auto [session, created] = sessions_.Begin("acme", "call-1");
  session->set_customer_id("cus_1");
  ASSERT_TRUE(Charges(Facts(session)).ok());
  absl::StatusOr<stripe::Charge> charge = RunCoroutine(Facts(session).GetCharge("ch_2", {}));
  ASSERT_TRUE(charge.ok());
  EXPECT_EQ(charge->amount, 4900);
  EXPECT_EQ(Requests(stripe_, "/v1/charges/ch_2"), 0);
}

TEST_F(CallSessionsTest, EventsDropWhatTheyTouchAndOnlyInTheirTenantsSessions) {
  auto [acme, created_acme] = sessions_.Begin("acme", "call-1");
  auto [other, created_other] = sessions_.Begin("other", "call-1");
  ASSERT_TRUE(Charges(Facts(acme)).ok());
  ASSERT_TRUE(Charges(Facts(other)).ok());
  ASSERT_TRUE(RunCoroutine(Facts(acme).ListCards("cus_1", {})).ok());
  sessions_.Forget("acme", Event("charge.refunded", "ch_2", "cus_1"));
  ASSERT_TRUE(Charges(Facts(acme)).ok());
  ASSERT_TRUE(Charges(Facts(other)).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 3);  // acme's again; other's still held
  ASSERT_TRUE(RunCoroutine(Facts(acme).ListCards("cus_1", {})).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/customers/cus_1/payment_methods"), 1);  // untouched
  // A detached card no longer names its customer: every held card list goes.
  sessions_.Forget("acme", Event("payment_method.detached", "pm_1", ""));
  ASSERT_TRUE(RunCoroutine(Facts(acme).ListCards("cus_1", {})).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/customers/cus_1/payment_methods"), 2);
}

TEST_F(CallSessionsTest, ARefundIsHeldOnItsChargeOnce) {
  auto [session, created] = sessions_.Begin("acme", "call-1");
  session->set_customer_id("cus_1");
  ASSERT_TRUE(Charges(Facts(session)).ok());
  const stripe::Refund refund{.id = "re_1", .amount = 900, .charge = "ch_2", .status = "succeeded"};
  Facts(session).Refunded(refund);
  Facts(session).Refunded(refund);  // the same answer replayed
  absl::StatusOr<stripe::Charge> charge = RunCoroutine(Facts(session).GetCharge("ch_2", {}));
  ASSERT_TRUE(charge.ok());
  EXPECT_EQ(charge->amount_refunded, 900);
  EXPECT_FALSE(charge->refunded);
  absl::StatusOr<stripe::List<stripe::Charge>> list = Charges(Facts(session));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->data[0].amount_refunded, 900);
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 1);
}

TEST_F(CallSessionsTest, AWriteInOneCallDropsWhatItChangedInTheTenantsOtherCalls) {
  auto [writer, a] = sessions_.Begin("acme", "call-1");
  auto [other, b] = sessions_.Begin("acme", "call-2");
  auto [elsewhere, c] = sessions_.Begin("globex", "call-3");
  writer->set_customer_id("cus_1");
  for (const auto& session : {writer, other, elsewhere}) ASSERT_TRUE(Charges(Facts(session)).ok());
  const stripe::Refund refund{.id = "re_1", .amount = 900, .charge = "ch_2", .status = "succeeded"};
  Facts(writer).Refunded(refund);
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 3);
  ASSERT_TRUE(Charges(Facts(writer)).ok());     // holds Stripe's answer
  ASSERT_TRUE(Charges(Facts(elsewhere)).ok());  // another tenant: untouched
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 3);
  ASSERT_TRUE(Charges(Facts(other)).ok());  // the tenant's other call asks again
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 4);
}

TEST_F(CallSessionsTest, AnInvoiceLeavesTheListsItNoLongerBelongsIn) {
  stripe_.Answer("GET /v1/invoices", 200,
                 R"({"object":"list","has_more":false,"data":[
                      {"id":"in_1","customer":"cus_1","status":"open","amount_due":500,"currency":"usd"}]})");
  auto [session, created] = sessions_.Begin("acme", "call-1");
  ASSERT_TRUE(RunCoroutine(Facts(session).ListInvoices("cus_1", "open", 10, {})).ok());
  ASSERT_TRUE(RunCoroutine(Facts(session).ListInvoices("cus_1", "", 10, {})).ok());
  stripe::Invoice voided{.id = "in_1", .customer = "cus_1", .status = "void"};
  Facts(session).InvoiceIs(voided);
  absl::StatusOr<stripe::List<stripe::Invoice>> open =
      RunCoroutine(Facts(session).ListInvoices("cus_1", "open", 10, {}));
  absl::StatusOr<stripe::List<stripe::Invoice>> all =
      RunCoroutine(Facts(session).ListInvoices("cus_1", "", 10, {}));
  absl::StatusOr<stripe::Invoice> one = RunCoroutine(Facts(session).GetInvoice("in_1", {}));
  ASSERT_TRUE(open.ok() && all.ok() && one.ok());
  EXPECT_TRUE(open->data.empty());
  ASSERT_EQ(all->data.size(), 1u);
  EXPECT_EQ(all->data[0].status, "void");
  EXPECT_EQ(one->status, "void");
  EXPECT_EQ(Requests(stripe_, "/v1/invoices"), 2);
  EXPECT_EQ(Requests(stripe_, "/v1/invoices/in_1"), 0);
}

TEST_F(CallSessionsTest, SessionsBelongToTheirTenantAndEndOnEndCallOrWhenIdle) {
  auto [session, created] = sessions_.Begin("acme", "call-1");
  EXPECT_EQ(sessions_.Find("other", "call-1"), nullptr);
  EXPECT_EQ(sessions_.Find("acme", "call-2"), nullptr);
  EXPECT_EQ(sessions_.Find("acme", "call-1"), session);
  EXPECT_EQ(sessions_.Begin("acme", "").first, nullptr);
  auto [again, created_again] = sessions_.Begin("acme", "call-1");
  EXPECT_FALSE(created_again);
  EXPECT_EQ(again, session);

  EXPECT_TRUE(sessions_.End("acme", "call-1"));
  EXPECT_EQ(sessions_.Find("acme", "call-1"), nullptr);
  EXPECT_TRUE(session->cancel()->cancelled());
  // A read through an ended session goes to Stripe and keeps nothing.
  ASSERT_TRUE(Charges(Facts(session)).ok());
  ASSERT_TRUE(Charges(Facts(session)).ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);

  sessions_.Begin("acme", "call-3");
  clock_.Advance(absl::Minutes(29));
  EXPECT_NE(sessions_.Find("acme", "call-3"), nullptr);  // use keeps it alive
  clock_.Advance(absl::Minutes(31));
  EXPECT_EQ(sessions_.Find("acme", "call-3"), nullptr);
  EXPECT_THAT(metrics_.Render(),
              HasSubstr(R"(payvox_call_session_evictions_total{reason="idle"} 1)"));
}

TEST_F(CallSessionsTest, MemoryRunningShortEndsTheLeastRecentlyUsedSession) {
  // What one session holding the charges takes, measured.
  auto [probe, created] = sessions_.Begin("acme", "probe");
  ASSERT_TRUE(Charges(Facts(probe)).ok());
  const size_t one = probe->bytes();
  ASSERT_GT(one, 0u);
  // Room for two such sessions, not three.
  CallSessions small(
      clock_, {.max_session_bytes = one, .max_total_bytes = one * 5 / 2, .metrics = &metrics_});
  auto fill = [&](const char* call) {
    std::shared_ptr<CallSession> session = small.Find("acme", call);
    return RunCoroutine(
        CallFacts(api_, &small, "acme", session, "t").ListCharges({.customer = "cus_1"}, {}));
  };
  small.Begin("acme", "call-1");
  small.Begin("acme", "call-2");
  small.Begin("acme", "call-3");
  ASSERT_TRUE(fill("call-1").ok());
  ASSERT_TRUE(fill("call-2").ok());
  small.Find("acme", "call-1");  // call-2 is now the least recently used
  ASSERT_TRUE(fill("call-3").ok());
  EXPECT_LE(small.total_bytes(), one * 5 / 2);
  EXPECT_EQ(small.Find("acme", "call-2"), nullptr);
  EXPECT_NE(small.Find("acme", "call-1"), nullptr);
  EXPECT_NE(small.Find("acme", "call-3"), nullptr);
  EXPECT_THAT(metrics_.Render(),
              HasSubstr(R"(payvox_call_session_evictions_total{reason="memory"} 1)"));
  // The evicted call's next read is only a miss: it goes to Stripe.
  const int before = Requests(stripe_, "/v1/charges");
  ASSERT_TRUE(fill("call-2").ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), before + 1);
}

TEST_F(CallSessionsTest, AFactLargerThanTheSessionMayHoldIsAnsweredButNotKept) {
  CallSessions tiny(clock_, {.max_session_bytes = 64, .max_total_bytes = 1 << 20});
  auto [session, created] = tiny.Begin("acme", "call-1");
  ASSERT_TRUE(
      RunCoroutine(
          CallFacts(api_, &tiny, "acme", session, "t").ListCharges({.customer = "cus_1"}, {}))
          .ok());
  ASSERT_TRUE(
      RunCoroutine(
          CallFacts(api_, &tiny, "acme", session, "t").ListCharges({.customer = "cus_1"}, {}))
          .ok());
  EXPECT_EQ(Requests(stripe_, "/v1/charges"), 2);
  EXPECT_EQ(session->bytes(), 0u);
}

TEST(CallSessionOptionsTest, BadOptionsAreNamed) {
  EXPECT_THAT(ValidateCallSessionOptions({.idle_timeout = absl::ZeroDuration()}).message(),
              HasSubstr("idle_timeout"));
  EXPECT_THAT(ValidateCallSessionOptions({.max_session_bytes = 10, .max_total_bytes = 5}).message(),
              HasSubstr("max_session_bytes"));
  EXPECT_TRUE(ValidateCallSessionOptions({}).ok());
}

}  // namespace
}  // namespace payvox
