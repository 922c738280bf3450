#include "tools/conversation_bench.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "app/app.h"
#include "app/config.h"
#include "client/resilient_stripe_client.h"
#include "client/stripe_api.h"
#include "common/idempotency_key.h"
#include "common/sandbox_tokens.h"
#include "common/status_macros.h"
#include "payvox/v1/actions.grpc.pb.h"
#include "sandbox/emulator.h"
#include "sandbox/http_server.h"
#include "tools/auth_channel.h"
#include "tools/bench_support.h"
#include "tools/latency.h"

namespace payvox::bench {
namespace {

namespace asio = boost::asio;

constexpr const char* kKey = kBenchKey;
constexpr const char* kCustomer = kBenchCustomer;
constexpr char kEmail[] = "jenny.rosen@example.com";
constexpr char kCharge[] = "ch_BenchConversation";
constexpr int kTurns = 4;
constexpr const char* kTurnNames[kTurns] = {"find_customer", "verify_identity", "list_charges",
                                            "create_refund"};

double MillisSince(absl::Time start) { return absl::ToDoubleMilliseconds(absl::Now() - start); }

// One side's measurements over the conversations.
struct Side {
  std::vector<double> total_ms;
  std::vector<double> turn_ms[kTurns];
  std::vector<double> stripe_requests;  // during the turns, per conversation
  int failures = 0;
  std::string first_failure;

  void Fail(const absl::Status& status) {
    if (failures++ == 0) first_failure = status.ToString();
  }
};

std::string Ms(const Percentiles& p) {
  return absl::StrFormat("p50 %.1f ms  p90 %.1f ms", p.p50, p.p90);
}

// Direct is the orchestrator that calls Stripe itself, with payvox's own
// pooled client (the fairest client there is to compare against).
class Direct {
 public:
  static absl::StatusOr<std::unique_ptr<Direct>> Create(const std::string& base_url,
                                                        const Clock& clock) {
    auto direct = std::unique_ptr<Direct>(new Direct(clock));
    stripe::StripeClientOptions options;
    options.pool = {.base_url = base_url, .api_key = kKey};
    options.rate_limits = stripe::RateLimits{.read_per_second = 1e5,
                                             .write_per_second = 1e5,
                                             .search_per_second = 1e5,
                                             .endpoint_per_second = 1e5};
    PAYVOX_ASSIGN_OR_RETURN(direct->client_, stripe::ResilientStripeClient::Create(
                                                 direct->io_.get_executor(), clock, options));
    direct->api_ = std::make_unique<stripe::StripeApi>(*direct->client_);
    direct->thread_ = std::thread([io = &direct->io_] { io->run(); });
    return direct;
  }
  ~Direct() {
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  // Conversation makes the four business calls in sequence; `turns` gets
  // each one's milliseconds.
  absl::Status Conversation(int i, double* turns) {
    return asio::co_spawn(asio::make_strand(io_), Turns(i, turns), asio::use_future).get();
  }
  // FirstCall is the conversation's first request alone.
  absl::Status FirstCall() {
    double turns[kTurns] = {};
    return asio::co_spawn(asio::make_strand(io_), Find(turns), asio::use_future).get();
  }

 private:
  explicit Direct(const Clock& clock) : clock_(clock), work_(asio::make_work_guard(io_)) {}

  asio::awaitable<absl::Status> Find(double* turns) {
    const stripe::CallOptions read{.bounds = CallBounds(clock_.Now() + absl::Seconds(10))};
    const absl::Time start = absl::Now();
    PAYVOX_CO_ASSIGN_OR_RETURN(const auto customers,
                               co_await api_->ListCustomersByEmail(kEmail, 10, read));
    turns[0] = MillisSince(start);
    if (customers.data.size() != 1) co_return absl::NotFoundError("Jenny was not found");
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> Turns(int i, double* turns) {
    PAYVOX_CO_RETURN_IF_ERROR(co_await Find(turns));
    const stripe::CallOptions read{.bounds = CallBounds(clock_.Now() + absl::Seconds(10))};
    absl::Time start = absl::Now();
    PAYVOX_CO_ASSIGN_OR_RETURN(const auto cards, co_await api_->ListCards(kCustomer, read));
    bool verified = false;
    for (const stripe::PaymentMethod& card : cards.data) verified |= card.card.last4 == "4242";
    turns[1] = MillisSince(start);
    if (!verified) co_return absl::FailedPreconditionError("the last 4 did not match");
    start = absl::Now();
    stripe::ChargeFilter filter{.customer = kCustomer, .limit = 10};
    PAYVOX_CO_ASSIGN_OR_RETURN(const auto charges,
                               co_await api_->ListCharges(std::move(filter), read));
    turns[2] = MillisSince(start);
    if (charges.data.empty()) co_return absl::NotFoundError("no charges");
    start = absl::Now();
    const std::string request_id = absl::StrCat("direct-", i);
    stripe::RefundParams params{.charge = kCharge, .amount = 1, .reason = "requested_by_customer"};
    const stripe::CallOptions write{
        .bounds = read.bounds,
        .idempotency_key = DeriveIdempotencyKey({"bench", "direct", request_id, "refund"})};
    absl::StatusOr<stripe::Refund> refund = co_await api_->CreateRefund(std::move(params), write);
    turns[3] = MillisSince(start);
    co_return refund.status();
  }

  const Clock& clock_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<stripe::ResilientStripeClient> client_;
  std::unique_ptr<stripe::StripeApi> api_;
  std::thread thread_;
};

// Payvox is the orchestrator that calls payvoxd.
class Payvox {
 public:
  explicit Payvox(const std::string& target)
      : channel_(CreateBenchChannel(target, "bench")),
        stub_(v1::ActionService::NewStub(channel_)),
        generic_(channel_) {}

  static v1::CallContext Call(const std::string& call_id, const std::string& request_id = "") {
    v1::CallContext context;
    context.set_call_id(call_id);
    context.set_request_id(request_id);
    context.set_agent_id("payvox-bench");
    return context;
  }

  absl::StatusOr<v1::BeginCallResponse> BeginCall(const std::string& call_id) {
    grpc::ClientContext context;
    Deadline(context);
    v1::BeginCallRequest request;
    *request.mutable_context() = Call(call_id);
    request.set_email(kEmail);
    request.set_caller_phone("+14155550101");
    v1::BeginCallResponse response;
    PAYVOX_RETURN_IF_ERROR(FromGrpc(stub_->BeginCall(&context, request, &response)));
    return response;
  }

  absl::Status Find(const std::string& call_id) {
    grpc::ClientContext context;
    Deadline(context);
    v1::FindCustomerRequest request;
    *request.mutable_context() = Call(call_id);
    request.set_email(kEmail);
    v1::FindCustomerResponse response;
    PAYVOX_RETURN_IF_ERROR(FromGrpc(stub_->FindCustomer(&context, request, &response)));
    if (response.customers_size() != 1) return absl::NotFoundError("Jenny was not found");
    return absl::OkStatus();
  }

  absl::Status Charges(const std::string& call_id) {
    grpc::ClientContext context;
    Deadline(context);
    v1::ListChargesRequest request;
    *request.mutable_context() = Call(call_id);
    request.set_customer_id(kCustomer);
    v1::ListChargesResponse response;
    PAYVOX_RETURN_IF_ERROR(FromGrpc(stub_->ListCharges(&context, request, &response)));
    if (response.charges_size() == 0) return absl::NotFoundError("no charges");
    return absl::OkStatus();
  }

  // Turns runs the four tool calls of one conversation.
  absl::Status Turns(const std::string& call_id, int i, double* turns) {
    absl::Time start = absl::Now();
    PAYVOX_RETURN_IF_ERROR(Find(call_id));
    turns[0] = MillisSince(start);
    start = absl::Now();
    {
      grpc::ClientContext context;
      Deadline(context);
      v1::VerifyIdentityRequest request;
      *request.mutable_context() = Call(call_id);
      request.set_customer_id(kCustomer);
      request.set_last4("4242");
      v1::VerifyIdentityResponse response;
      PAYVOX_RETURN_IF_ERROR(FromGrpc(stub_->VerifyIdentity(&context, request, &response)));
      if (!response.verified()) return absl::FailedPreconditionError("the last 4 did not match");
    }
    turns[1] = MillisSince(start);
    start = absl::Now();
    PAYVOX_RETURN_IF_ERROR(Charges(call_id));
    turns[2] = MillisSince(start);
    start = absl::Now();
    {
      grpc::ClientContext context;
      Deadline(context);
      v1::CreateRefundRequest request;
      *request.mutable_context() = Call(call_id, absl::StrCat("refund-", i));
      request.set_charge_id(kCharge);
      request.set_amount_minor(1);
      request.set_reason("requested_by_customer");
      v1::CreateRefundResponse response;
      PAYVOX_RETURN_IF_ERROR(FromGrpc(stub_->CreateRefund(&context, request, &response)));
      if (!response.has_refund()) return absl::InternalError("no refund in the answer");
    }
    turns[3] = MillisSince(start);
    return absl::OkStatus();
  }

  absl::Status ListActions() {
    grpc::ClientContext context;
    Deadline(context);
    v1::ListActionsResponse response;
    return FromGrpc(stub_->ListActions(&context, v1::ListActionsRequest(), &response));
  }

  // Health is grpc.health.v1.Health/Check for the whole server (an empty
  // request), the cheapest call the server answers.
  absl::Status Health() { return Raw("/grpc.health.v1.Health/Check"); }
  // ListActionsBytes is ListActions without the client's parse of the
  // ~37 KB answer: what the server and the wire cost.
  absl::Status ListActionsBytes() { return Raw("/payvox.v1.ActionService/ListActions"); }

 private:
  // Raw sends an empty request to `method` and drops the answer's bytes.
  absl::Status Raw(const std::string& method) {
    grpc::ClientContext context;
    Deadline(context);
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic_.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                       [&done](grpc::Status status) { done.set_value(status); });
    return FromGrpc(done.get_future().get());
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ActionService::Stub> stub_;
  grpc::GenericStub generic_;
};

// Timed runs `call` once and adds its microseconds to `micros`.
template <typename Call>
void Timed(Call call, std::vector<double>& micros, Side& side) {
  const absl::Time start = absl::Now();
  if (absl::Status status = call(); !status.ok()) side.Fail(status);
  micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
}

std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

}  // namespace

int RunConversationBench(const ConversationOptions& options) {
  SystemClock clock;
  const absl::Time stop_at = absl::Now() + options.max_time;
  sandbox::StripeEmulator emulator(clock, {.id_seed = 1});
  sandbox::SeedDemoData(emulator);
  AddRoomyCharge(emulator, clock, kCharge);
  sandbox::SandboxServer server(emulator);
  if (absl::Status started =
          server.Start({.port = 0, .threads = 2, .latency = options.stripe_latency});
      !started.ok()) {
    std::cerr << "payvox-bench: sandbox: " << started << "\n";
    return 1;
  }
  absl::StatusOr<v1::ServerConfig> config = ParseConfig(absl::StrCat(
      R"({"grpc_listen_address": "127.0.0.1:0", "io_threads": 2, "log_level": "warning",)",
      R"("tenant_id": "bench",)", R"("store_path": ":memory:", "stripe": {"api_base_url": ")",
      server.base_url(),
      R"(", "read_per_second": 10000, "write_per_second": 10000, "search_per_second": 10000, "endpoint_per_second": 10000},)",
      R"("policy": {"enabled_actions": ["all"], "refunds": {)",
      R"("max_auto_refund": [{"currency": "usd", "amount_minor": 50000}],)",
      R"("daily_limit": [{"currency": "usd", "amount_minor": 10000000}],)",
      R"("daily_limit_per_customer": [{"currency": "usd", "amount_minor": 10000000}]}}})"));
  if (!config.ok()) {
    std::cerr << "payvox-bench: " << config.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<PayvoxApp>> app =
      PayvoxApp::Start({.config = *config,
                        .stripe_api_key = kKey,
                        .keyring = Keyring(*MasterKey::Generate()),
                        .tenant_token = SandboxTenantToken("bench"),
                        .operator_token = ""},
                       clock);
  absl::StatusOr<std::unique_ptr<Direct>> direct = Direct::Create(server.base_url(), clock);
  if (!app.ok() || !direct.ok()) {
    std::cerr << "payvox-bench: " << (app.ok() ? direct.status() : app.status()) << "\n";
    return 1;
  }
  Payvox payvox(absl::StrCat("127.0.0.1:", (*app)->grpc_port()));
  auto sandbox_requests = [&] { return static_cast<double>(emulator.RequestsHandled()); };

  // The conversations, alternating sides so both see the same machine.
  Side plain, through;
  std::vector<double> begin_ms, begin_requests;
  const int conversations = std::max(options.conversations, 20);
  for (int i = 0; i < conversations && absl::Now() < stop_at; ++i) {
    double turns[kTurns] = {};
    double before = sandbox_requests();
    absl::Time start = absl::Now();
    if (absl::Status status = (*direct)->Conversation(i, turns); !status.ok()) {
      plain.Fail(status);
    } else {
      plain.total_ms.push_back(MillisSince(start));
      plain.stripe_requests.push_back(sandbox_requests() - before);
      for (int t = 0; t < kTurns; ++t) plain.turn_ms[t].push_back(turns[t]);
    }

    const std::string call_id = absl::StrCat("bench-conversation-", i);
    before = sandbox_requests();
    start = absl::Now();
    absl::StatusOr<v1::BeginCallResponse> begun = payvox.BeginCall(call_id);
    if (!begun.ok() || !begun->prefetch_complete()) {
      through.Fail(begun.ok() ? absl::DeadlineExceededError("BeginCall's prefetch did not finish")
                              : begun.status());
      continue;
    }
    begin_ms.push_back(MillisSince(start));
    begin_requests.push_back(sandbox_requests() - before);
    before = sandbox_requests();
    start = absl::Now();
    if (absl::Status status = payvox.Turns(call_id, i, turns); !status.ok()) {
      through.Fail(status);
      continue;
    }
    through.total_ms.push_back(MillisSince(start));
    through.stripe_requests.push_back(sandbox_requests() - before);
    for (int t = 0; t < kTurns; ++t) through.turn_ms[t].push_back(turns[t]);
  }

  // The caller who speaks before the prefetch finished.
  Side early;
  std::vector<double> early_find_ms, early_requests;
  for (int i = 0; i < 5; ++i) {
    const std::string call_id = absl::StrCat("bench-early-", i);
    const double before = sandbox_requests();
    auto begun = std::async(std::launch::async, [&] { return payvox.BeginCall(call_id); });
    absl::SleepFor(absl::Milliseconds(2));  // BeginCall is on its way
    const absl::Time start = absl::Now();
    if (absl::Status status = payvox.Find(call_id); !status.ok()) early.Fail(status);
    early_find_ms.push_back(MillisSince(start));
    if (absl::StatusOr<v1::BeginCallResponse> answer = begun.get(); !answer.ok()) {
      early.Fail(answer.status());
    }
    early_requests.push_back(sandbox_requests() - before);
  }

  // ListActions and a cached read against the cheapest call, interleaved.
  Side reads;
  if (absl::StatusOr<v1::BeginCallResponse> begun = payvox.BeginCall("bench-cached"); !begun.ok()) {
    reads.Fail(begun.status());
  }
  // One of each in turn, so the machine's noise falls on all alike.
  std::vector<double> health_us, list_actions_us, list_bytes_us, cached_us;
  for (int i = 0; i < options.samples && absl::Now() < stop_at; ++i) {
    Timed([&] { return payvox.Health(); }, health_us, reads);
    Timed([&] { return payvox.ListActions(); }, list_actions_us, reads);
    Timed([&] { return payvox.ListActionsBytes(); }, list_bytes_us, reads);
    Timed([&] { return payvox.Charges("bench-cached"); }, cached_us, reads);
  }

  // The first call after a quiet spell, on both sides.
  Side idle;
  double direct_idle_ms = 0, payvox_idle_ms = 0;
  if (options.idle > absl::ZeroDuration()) {
    absl::SleepFor(options.idle);
    absl::Time start = absl::Now();
    if (absl::Status status = (*direct)->FirstCall(); !status.ok()) idle.Fail(status);
    direct_idle_ms = MillisSince(start);
    start = absl::Now();
    if (absl::Status status = payvox.Find("bench-after-idle"); !status.ok()) idle.Fail(status);
    payvox_idle_ms = MillisSince(start);
  }
  direct->reset();
  (*app)->Shutdown();
  server.Stop();

  const int failures =
      plain.failures + through.failures + early.failures + reads.failures + idle.failures;
  if (failures > 0) {
    for (const Side* side : {&plain, &through, &early, &reads, &idle}) {
      if (side->failures > 0) std::cerr << "payvox-bench: FAILED: " << side->first_failure << "\n";
    }
    std::cerr << "payvox-bench: " << failures << " requests failed; no figures\n";
    return 1;
  }
  if (plain.total_ms.empty() || through.total_ms.empty()) {
    std::cerr << "payvox-bench: no conversation completed in time\n";
    return 1;
  }

  const Percentiles direct_total = Summarize(plain.total_ms);
  const Percentiles payvox_total = Summarize(through.total_ms);
  const Percentiles direct_requests = Summarize(plain.stripe_requests);
  const Percentiles payvox_requests = Summarize(through.stripe_requests);
  const Percentiles health = Summarize(health_us);
  const Percentiles listed = Summarize(list_actions_us);
  const Percentiles listed_bytes = Summarize(list_bytes_us);
  const Percentiles cached = Summarize(cached_us);
  const double ratio = payvox_total.p50 / direct_total.p50;
  const double list_ratio = listed.p50 / health.p50;
  const double cached_ratio = cached.p99 / health.p99;

  std::cout << "The refund conversation (find by email, verify the last 4, list charges, refund "
               "1 cent), Stripe +"
            << absl::ToInt64Milliseconds(options.stripe_latency) << " ms per request, "
            << plain.total_ms.size() << " conversations each, alternating\n";
  std::cout << "  direct (the Stripe client, no payvox): tool time " << Ms(direct_total)
            << ", Stripe requests " << direct_requests.p50 << " per conversation\n";
  for (int t = 0; t < kTurns; ++t) {
    std::cout << "      " << kTurnNames[t] << ": " << Ms(Summarize(plain.turn_ms[t])) << "\n";
  }
  std::cout << "  payvox: BeginCall while the greeting plays " << Ms(Summarize(begin_ms)) << " ("
            << Summarize(begin_requests).p50 << " Stripe requests)\n"
            << "          tool time during the turns " << Ms(payvox_total) << ", Stripe requests "
            << payvox_requests.p50 << " per conversation (max " << payvox_requests.max << ")\n";
  for (int t = 0; t < kTurns; ++t) {
    std::cout << "      " << kTurnNames[t] << ": " << Ms(Summarize(through.turn_ms[t])) << "\n";
  }
  std::cout << absl::StrFormat(
      "  ratio payvox/direct tool time (p50): %.2fx  [target <= 0.30x: %s]\n", ratio,
      Verdict(ratio <= 0.30));
  std::cout << absl::StrFormat("  Stripe requests during the turns: %.0f  [target <= 1: %s]\n",
                               payvox_requests.max, Verdict(payvox_requests.max <= 1));
  std::cout << "  caller speaks 2 ms after BeginCall was sent: FindCustomer "
            << Ms(Summarize(early_find_ms)) << ", Stripe requests for the call "
            << Summarize(early_requests).p50 << " (BeginCall's included)\n";
  std::cout << absl::StrFormat(
      "  ListActions p50 %.0f us vs grpc.health Check p50 %.0f us: %.2fx  [target <= 1.5x: "
      "%s]\n",
      listed.p50, health.p50, list_ratio, Verdict(list_ratio <= 1.5));
  std::cout << absl::StrFormat(
      "      the same without the client's parse of the ~37 KB answer: p50 %.0f us, %.2fx\n",
      listed_bytes.p50, listed_bytes.p50 / health.p50);
  std::cout << absl::StrFormat(
      "  cached ListCharges p99 %.0f us vs grpc.health Check p99 %.0f us: %.2fx  [target <= "
      "1.5x: %s]\n",
      cached.p99, health.p99, cached_ratio, Verdict(cached_ratio <= 1.5));
  if (options.idle > absl::ZeroDuration()) {
    std::cout << absl::StrFormat(
        "  first call after %d s idle: direct %.1f ms, payvox FindCustomer %.1f ms (one Stripe "
        "request each; the latency alone is %d ms)\n",
        static_cast<int>(absl::ToInt64Seconds(options.idle)), direct_idle_ms, payvox_idle_ms,
        static_cast<int>(absl::ToInt64Milliseconds(options.stripe_latency)));
  }
  const bool met =
      ratio <= 0.30 && payvox_requests.max <= 1 && list_ratio <= 1.5 && cached_ratio <= 1.5;
  return met ? 0 : 3;
}

}  // namespace payvox::bench
