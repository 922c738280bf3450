// Three payvoxd replicas on one PostgreSQL and one payvox-sandbox, as real
// processes on loopback: the caller verified on one replica is verified on
// all; 30 senders spread over the replicas refund 1 cent at a time against
// a $5.00 daily limit, and exactly $5.00 is refunded (the limit's ledger is
// the sandbox's); a retry sent to another replica gets the first answer and
// no second refund; PostgreSQL restarted under the load makes calls fail
// UNAVAILABLE, then succeed, with nothing lost; the trail is one intact
// chain with one completion per refund the sandbox made. Paths of the
// binaries come from the environment (set by CTest); PostgreSQL is a
// throwaway one (scripts/postgres.sh).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "common/testing/http_exchange.h"
#include "common/testing/run_coroutine.h"
#include "gtest/gtest.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "payvox/v1/admin.grpc.pb.h"
#include "payvox/v1/events.grpc.pb.h"
#include "store/testing/throwaway_postgres.h"
#include "tests/ledger.h"
#include "tests/processes.h"
#include "tools/auth_channel.h"
#include "webhooks/signature.h"

namespace payvox {
namespace {

using testing::FreePort;
using testing::Process;
using testing::WaitForPortFile;

constexpr char kCall[] = "replica-call";
constexpr char kCharge[] = "ch_DemoJennyPlan";
constexpr int64_t kDailyLimit = 500;
constexpr int kReplicas = 3;
constexpr int kSenders = 30;
constexpr char kTenantToken[] = "pvxt_acme.replica-test-token-0123456789abcdefgh";
constexpr char kOperatorToken[] = "pvxo_replica-test-operator-0123456789abcdef";
constexpr char kWebhookSecret[] = "whsec_replicas_test";

struct Replica {
  std::unique_ptr<Process> process;
  std::unique_ptr<v1::ActionService::Stub> actions;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::EventService::Stub> events;
};

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* payvoxd = std::getenv("PAYVOXD");
    const char* sandbox = std::getenv("PAYVOX_SANDBOX");
    ASSERT_TRUE(payvoxd != nullptr && sandbox != nullptr)
        << "PAYVOXD and PAYVOX_SANDBOX must name the binaries (CTest sets them)";
    ASSERT_TRUE(postgres_.status().ok()) << postgres_.status();
    dir_ = ::testing::TempDir() + "/payvox_replicas";
    ASSERT_EQ(std::system(("rm -rf " + dir_ + " && mkdir -p " + dir_).c_str()), 0);
    sandbox_port_ = FreePort();
    sandbox_ = std::make_unique<Process>(
        std::vector<std::string>{sandbox, absl::StrCat("--port=", sandbox_port_), "--seed=9"});
    setenv("PAYVOX_REPLICA_KEY", "sk_test_replicas", 1);
    setenv("PAYVOX_TENANT_TOKEN", kTenantToken, 1);
    setenv("PAYVOX_OPERATOR_TOKEN", kOperatorToken, 1);
    setenv("PAYVOX_MASTER_KEY", std::string(64, 'a').c_str(), 1);
    setenv("PAYVOX_WEBHOOK_SECRETS", kWebhookSecret, 1);
    // One config per replica: each has a webhook listener of its own.
    for (int i = 0; i < kReplicas; ++i) {
      webhook_ports_.push_back(FreePort());
      std::ofstream(absl::StrCat(dir_, "/payvoxd-", i, ".json")) << absl::StrCat(
          R"({"grpc_listen_address": "127.0.0.1:0", "tenant_id": "acme", "shutdown_grace_seconds": 1,)",
          R"("webhooks": {"listen_address": "127.0.0.1:)", webhook_ports_.back(), R"("},)",
          R"("store": {"postgres": {"conninfo": ")", postgres_.options().conninfo,
          R"(", "password_file": ")", postgres_.directory(), R"(/password", "pool_size": 6}},)",
          R"("stripe": {"api_base_url": "http://127.0.0.1:)", sandbox_port_,
          R"(", "api_key_env": "PAYVOX_REPLICA_KEY", "read_per_second": 5000,)",
          R"("write_per_second": 5000, "endpoint_per_second": 5000, "warm_connections": 0},)",
          R"("policy": {"refunds": {"daily_limit": [{"currency": "usd", "amount_minor": )",
          kDailyLimit, "}]}}}");
    }
    // Started together: they migrate the empty database once, between them.
    std::vector<std::thread> starting;
    for (int i = 0; i < kReplicas; ++i) {
      replicas_.emplace_back();
      starting.emplace_back([this, i, payvoxd] {
        const std::string port_file = absl::StrCat(dir_, "/port-", i);
        replicas_[static_cast<size_t>(i)].process =
            std::make_unique<Process>(std::vector<std::string>{
                payvoxd, absl::StrCat("--config=", dir_, "/payvoxd-", i, ".json"),
                "--port_file=" + port_file});
      });
    }
    for (std::thread& thread : starting) thread.join();
    for (int i = 0; i < kReplicas; ++i) {
      int port = 0;
      ASSERT_TRUE(WaitForPortFile(absl::StrCat(dir_, "/port-", i), &port))
          << "replica " << i << " did not start";
      auto channel =
          CreateAuthChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
                            {.tenant = kTenantToken, .operator_token = kOperatorToken});
      replicas_[static_cast<size_t>(i)].actions = v1::ActionService::NewStub(channel);
      replicas_[static_cast<size_t>(i)].admin = v1::AdminService::NewStub(channel);
      replicas_[static_cast<size_t>(i)].events = v1::EventService::NewStub(channel);
    }
  }

  Replica& At(int i) { return replicas_[static_cast<size_t>(i % kReplicas)]; }

  grpc::Status Refund(int replica, const std::string& request_id, int64_t amount,
                      v1::CreateRefundResponse* response) {
    v1::CreateRefundRequest request;
    request.mutable_context()->set_call_id(kCall);
    request.mutable_context()->set_request_id(request_id);
    request.set_charge_id(kCharge);
    request.set_amount_minor(amount);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
    return At(replica).actions->CreateRefund(&context, request, response);
  }

  // Trail: the tenant's whole audit trail, read through `replica`.
  testing::ThrowawayPostgres postgres_;
  std::string dir_;
  int sandbox_port_ = 0;
  std::unique_ptr<Process> sandbox_;
  std::vector<Replica> replicas_;
  std::vector<int> webhook_ports_;
};

TEST_F(ReplicasTest, RefundsSpreadOverReplicasStayWithinTheSharedLimitAndTheTrailAgrees) {
  // Verified on replica 0: the verification is the store's, so replicas 1
  // and 2 refund for the same call.
  {
    v1::VerifyIdentityRequest verify;
    verify.mutable_context()->set_call_id(kCall);
    verify.set_customer_id("cus_DemoJennyRosen");
    verify.set_last4("4242");
    v1::VerifyIdentityResponse verified;
    grpc::ClientContext context;
    ASSERT_TRUE(At(0).actions->VerifyIdentity(&context, verify, &verified).ok());
    ASSERT_TRUE(verified.verified());
  }
  // The same request sent to every replica at once: one carries it out,
  // the others are told it is in flight (UNAVAILABLE) until its answer is
  // saved, then get that answer. One refund each.
  std::set<std::string> retried_refunds;
  int in_flight_answers = 0;
  for (int k = 0; k < 5; ++k) {
    std::vector<std::string> ids(kReplicas);
    std::vector<int> waits(kReplicas);
    std::vector<std::thread> together;
    for (int replica = 0; replica < kReplicas; ++replica) {
      together.emplace_back([&, k, replica] {
        const size_t at = static_cast<size_t>(replica);
        for (int attempt = 0; attempt < 200; ++attempt) {
          v1::CreateRefundResponse response;
          const grpc::Status status = Refund(replica, absl::StrCat("retried-", k), 1, &response);
          if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
            ++waits[at];
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
          }
          EXPECT_TRUE(status.ok()) << status.error_message();
          ids[at] = response.refund().id();
          return;
        }
      });
    }
    for (std::thread& thread : together) thread.join();
    for (size_t replica = 0; replica < ids.size(); ++replica) {
      EXPECT_EQ(ids[replica], ids[0]) << "request retried-" << k;
      in_flight_answers += waits[replica];
    }
    retried_refunds.insert(ids[0]);
  }
  EXPECT_EQ(retried_refunds.size(), 5u);
  EXPECT_EQ(retried_refunds.count(""), 0u);
  RecordProperty("in_flight_answers", in_flight_answers);

  // 30 senders until the limit refuses them; PostgreSQL restarts once
  // under them.
  std::atomic<int64_t> refunded{5};
  std::atomic<int> unavailable{0};
  std::atomic<int> unexpected{0};
  std::atomic<int> sent{0};
  std::vector<std::thread> senders;
  for (int sender = 0; sender < kSenders; ++sender) {
    senders.emplace_back([&, sender] {
      for (int i = 0; i < 200; ++i) {
        const std::string request_id = absl::StrCat("load-", sender, "-", i);
        grpc::Status status;
        // UNAVAILABLE (the database restarting): the same request again,
        // as a caller would, on the next replica.
        for (int attempt = 0; attempt < 100; ++attempt) {
          v1::CreateRefundResponse response;
          status = Refund(sender + attempt, request_id, 1, &response);
          ++sent;
          if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
          ++unavailable;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return;  // the limit
        if (status.ok()) {
          ++refunded;
        } else {
          ++unexpected;
          ADD_FAILURE() << request_id << ": " << status.error_code() << " "
                        << status.error_message();
          return;
        }
      }
    });
  }
  while (refunded.load() < 150 && unexpected.load() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(postgres_.Stop().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(postgres_.Start().ok());
  for (std::thread& sender : senders) sender.join();
  RecordProperty("calls_sent", sent.load());
  RecordProperty("unavailable_during_restart", unavailable.load());
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(refunded.load(), kDailyLimit);

  // The sandbox refunded exactly the limit, once per refund payvox
  // answered.
  const std::map<std::string, int64_t> ledger =
      testing::SandboxRefunds(sandbox_port_, "sk_test_replicas", kCharge);
  int64_t at_stripe = 0;
  for (const auto& [id, amount] : ledger) at_stripe += amount;
  EXPECT_EQ(at_stripe, kDailyLimit);
  EXPECT_EQ(ledger.size(), static_cast<size_t>(kDailyLimit));

  // One trail, read through any replica: an ok completion per refund, the
  // chain intact. An intent left open is an attempt whose completion the
  // restart cut off: its request's retry (same key) completed it.
  const std::vector<v1::AuditRecord> trail = testing::ReadTrail(*At(2).admin, "acme");
  std::map<int64_t, std::string> open;  // sequence -> idempotency key
  std::set<std::string> completed_keys;
  std::map<std::string, int> completions;
  for (const v1::AuditRecord& record : trail) {
    if (record.action() != "create_refund") continue;
    if (record.kind() == "intent") open[record.sequence()] = record.idempotency_key();
    if (record.kind() != "completion") continue;
    const auto intent = open.find(record.completes_sequence());
    ASSERT_NE(intent, open.end()) << record.ShortDebugString();
    if (record.ok()) {
      ++completions[record.result()];
      completed_keys.insert(intent->second);
    }
    open.erase(intent);
  }
  for (const auto& [sequence, key] : open) {
    EXPECT_TRUE(completed_keys.contains(key)) << "intent " << sequence << " is open, unretried";
  }
  RecordProperty("attempts_cut_off_by_the_restart", static_cast<int>(open.size()));
  for (const auto& [id, amount] : ledger) {
    std::string records;
    for (const v1::AuditRecord& record : trail) {
      if (record.result() == id || (record.kind() == "intent" && completions[id] != 1)) {
        absl::StrAppend(&records, "\n  ", record.ShortDebugString());
      }
    }
    EXPECT_EQ(completions[id], 1) << id << " is in the sandbox's ledger but not once in the trail"
                                  << (completions[id] != 1 ? records : "");
  }
  EXPECT_EQ(completions.size(), ledger.size());
  for (int replica = 0; replica < kReplicas; ++replica) {
    v1::VerifyAuditChainRequest verify;
    verify.set_tenant_id("acme");
    v1::VerifyAuditChainResponse chain;
    grpc::ClientContext context;
    ASSERT_TRUE(At(replica).admin->VerifyAuditChain(&context, verify, &chain).ok());
    EXPECT_TRUE(chain.intact());
    EXPECT_EQ(chain.records_checked(), static_cast<int64_t>(trail.size()));
  }
  // The limit holds for every replica: not one cent more today.
  for (int replica = 0; replica < kReplicas; ++replica) {
    v1::CreateRefundResponse response;
    EXPECT_EQ(Refund(replica, absl::StrCat("over-", replica), 1, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
}

// A webhook delivered to replica 0 reaches the subscribers on replicas 1
// and 2 exactly once, in the tenant's one sequence, though Stripe delivers
// it twice (the second time to replica 1).
TEST_F(ReplicasTest, AnEventIngestedOnOneReplicaStreamsToSubscribersOnTheOthersOnce) {
  const std::string event = absl::StrCat(
      R"({"id": "evt_replicas_1", "object": "event", "type": "charge.refunded", "created": )",
      absl::ToUnixSeconds(absl::Now()),
      R"(, "data": {"object": {"id": "ch_DemoJennyPlan", "object": "charge", "amount": 4900,)",
      R"( "currency": "usd", "customer": "cus_DemoJennyRosen", "amount_refunded": 100}}})");
  struct Heard {
    std::vector<v1::PaymentEvent> events;
    absl::Time at = absl::InfinitePast();
  };
  std::vector<Heard> heard(kReplicas);
  std::vector<std::thread> subscribers;
  std::atomic<int> subscribed{0};
  for (int replica = 1; replica < kReplicas; ++replica) {
    subscribers.emplace_back([&, replica] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      v1::SubscribeRequest request;
      auto reader = At(replica).events->Subscribe(&context, request);
      // The stream has begun once its start metadata arrived.
      reader->WaitForInitialMetadata();
      ++subscribed;
      v1::PaymentEvent next;
      while (reader->Read(&next)) {
        if (next.type() == "heartbeat") continue;
        Heard& mine = heard[static_cast<size_t>(replica)];
        if (mine.events.empty()) mine.at = absl::Now();
        mine.events.push_back(next);
      }
    });
  }
  while (subscribed.load() < kReplicas - 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto deliver = [&](int replica) {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return testing::HttpExchange(
        webhook_ports_[static_cast<size_t>(replica)], boost::beast::http::verb::post,
        "/v1/webhooks/stripe/acme", event,
        {{"Stripe-Signature",
          absl::StrCat("t=", now, ",v1=", webhooks::SignPayload(kWebhookSecret, now, event))},
         {"Content-Type", "application/json"}});
  };
  const absl::Time posted = absl::Now();
  const testing::HttpResponse first = deliver(0);
  EXPECT_EQ(first.result_int(), 200) << first.body();
  const testing::HttpResponse again = deliver(1);
  EXPECT_EQ(again.result_int(), 200) << again.body();
  for (std::thread& subscriber : subscribers) subscriber.join();
  for (int replica = 1; replica < kReplicas; ++replica) {
    const Heard& mine = heard[static_cast<size_t>(replica)];
    ASSERT_EQ(mine.events.size(), 1u) << "replica " << replica;
    EXPECT_EQ(mine.events[0].stripe_event_id(), "evt_replicas_1");
    EXPECT_EQ(mine.events[0].sequence(), 1);
    RecordProperty(absl::StrCat("post_to_replica_", replica, "_ms"),
                   static_cast<int>(absl::ToInt64Milliseconds(mine.at - posted)));
  }
}

// A call's session on replica 1 holds Jenny's charges (BeginCall); the
// charge is refunded in Stripe's dashboard and the webhook lands on replica
// 0: replica 1's session forgets the charge through its event feed, so its
// next read is fresh at once, not after the freshness limit (a minute).
TEST_F(ReplicasTest, AnEventIngestedOnOneReplicaRefreshesCallSessionsOnTheOthers) {
  v1::CallContext call;
  call.set_call_id("session-call");
  {
    v1::BeginCallRequest begin;
    *begin.mutable_context() = call;
    begin.set_email("jenny.rosen@example.com");
    v1::BeginCallResponse begun;
    grpc::ClientContext context;
    const grpc::Status status = At(1).actions->BeginCall(&context, begin, &begun);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(begun.prefetch_complete());
  }
  const auto plan_refunded = [&] {
    v1::ListChargesRequest list;
    *list.mutable_context() = call;
    list.set_customer_id("cus_DemoJennyRosen");
    list.set_limit(10);
    v1::ListChargesResponse charges;
    grpc::ClientContext context;
    EXPECT_TRUE(At(1).actions->ListCharges(&context, list, &charges).ok());
    for (const v1::Charge& charge : charges.charges()) {
      if (charge.id() == kCharge) return charge.refunded();
    }
    ADD_FAILURE() << kCharge << " is not among Jenny's charges";
    return false;
  };
  ASSERT_FALSE(plan_refunded());
  const auto at_stripe = [&](boost::beast::http::verb method, const std::string& target,
                             const std::string& body) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer sk_test_replicas"}};
    if (method == boost::beast::http::verb::post) {
      headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return testing::HttpExchange(sandbox_port_, method, target, body, headers);
  };
  ASSERT_EQ(
      at_stripe(boost::beast::http::verb::post, "/v1/refunds", absl::StrCat("charge=", kCharge))
          .result_int(),
      200);
  // The session holds what it read: stale until the event.
  EXPECT_FALSE(plan_refunded());
  const std::string list =
      at_stripe(boost::beast::http::verb::get, "/v1/events?limit=1&type=charge.refunded", "")
          .body();
  const size_t at = list.find("\"id\":\"evt_");
  ASSERT_NE(at, std::string::npos) << list;
  const std::string id = list.substr(at + 6, list.find('"', at + 6) - at - 6);
  const std::string event =
      at_stripe(boost::beast::http::verb::get, absl::StrCat("/v1/events/", id), "").body();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const testing::HttpResponse delivered = testing::HttpExchange(
      webhook_ports_[0], boost::beast::http::verb::post, "/v1/webhooks/stripe/acme", event,
      {{"Stripe-Signature",
        absl::StrCat("t=", now, ",v1=", webhooks::SignPayload(kWebhookSecret, now, event))},
       {"Content-Type", "application/json"}});
  ASSERT_EQ(delivered.result_int(), 200) << delivered.body();
  // Replica 1 hears of it through its feed (milliseconds; polled here for
  // at most two seconds, far below the one-minute freshness limit).
  bool fresh = false;
  for (int i = 0; i < 40 && !fresh; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fresh = plan_refunded();
  }
  EXPECT_TRUE(fresh);
}

}  // namespace
}  // namespace payvox
