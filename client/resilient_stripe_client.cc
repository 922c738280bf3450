#include "client/resilient_stripe_client.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/stripe_errors.h"
#include "common/error_detail.h"

namespace payvox::stripe {
namespace {

double ThreadLocalRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// CoalescingKey identifies requests that must produce the same answer.
std::string CoalescingKey(const StripeRequest& request) {
  return absl::StrCat(MethodName(request.method), " ", request.path, "?",
                      EncodeForm(request.params), "#", request.idempotency_key);
}

absl::Status RateLimited(RequestClass request_class) {
  return FlowError(
      absl::StatusCode::kResourceExhausted,
      absl::StrCat("This business's Stripe ", RequestClassName(request_class),
                   " requests are at their rate limit and no slot frees up before the call's "
                   "deadline; retry in a moment with the same request_id."),
      "rate_limited", "The payment system is busy right now. Give me a moment and I'll try again.",
      /*retryable=*/true);
}

BreakerOutcome OutcomeOf(const absl::StatusOr<HttpAnswer>& answer) {
  if (answer.ok()) {
    return answer->http_status >= 500 ? BreakerOutcome::kFailure : BreakerOutcome::kSuccess;
  }
  return answer.status().code() == absl::StatusCode::kCancelled ? BreakerOutcome::kNeutral
                                                                : BreakerOutcome::kFailure;
}

}  // namespace

// InFlight is one request being sent for several identical Send calls.
struct ResilientStripeClient::InFlight {
  AsyncEvent done;
  absl::StatusOr<StripeResponse> result;  // written before done.Set()
};

absl::StatusOr<std::unique_ptr<ResilientStripeClient>> ResilientStripeClient::Create(
    boost::asio::any_io_executor executor, const Clock& clock, StripeClientOptions options) {
  if (options.retry.max_retries < 0 || options.retry.max_retries > 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_retries must be 0 to 10; got ", options.retry.max_retries));
  }
  if (options.default_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("default_timeout must be positive");
  }
  if (options.breaker.failure_threshold < 1) {
    return absl::InvalidArgumentError("the breaker's failure threshold must be at least 1");
  }
  if (options.rate_limits.has_value() &&
      (options.rate_limits->read_per_second <= 0 || options.rate_limits->write_per_second <= 0 ||
       options.rate_limits->search_per_second <= 0 ||
       options.rate_limits->endpoint_per_second <= 0)) {
    return absl::InvalidArgumentError("rate limits must be positive");
  }
  absl::StatusOr<std::unique_ptr<HttpConnectionPool>> pool =
      HttpConnectionPool::Create(std::move(executor), clock, options.pool);
  if (!pool.ok()) return pool.status();
  const Mode mode = ModeOfKey(options.pool.api_key);
  auto sleeper = std::make_unique<AsioSleeper>(clock);
  auto client = std::make_unique<ResilientStripeClient>(*std::move(pool), mode, clock, *sleeper,
                                                        std::move(options), ThreadLocalRandom);
  client->owned_sleeper_ = std::move(sleeper);
  return client;
}

ResilientStripeClient::ResilientStripeClient(std::unique_ptr<StripeTransport> transport, Mode mode,
                                             const Clock& clock, Sleeper& sleeper,
                                             StripeClientOptions options,
                                             std::function<double()> random)
    : transport_(std::move(transport)),
      mode_(mode),
      clock_(clock),
      sleeper_(sleeper),
      options_(std::move(options)),
      random_(std::move(random)),
      limiter_(options_.rate_limits.value_or(RateLimits::ForMode(mode)), clock.Now()),
      breaker_(options_.breaker) {
  RegisterMetrics();
}

void ResilientStripeClient::RegisterMetrics() {
  metrics::Registry* registry = options_.metrics;
  if (registry == nullptr) return;
  requests_metric_ = &registry->AddCounter(
      "payvox_stripe_requests_total",
      "Requests sent to Stripe by endpoint family and HTTP status (no_answer: no response)",
      {"family", "status"});
  duration_metric_ = &registry->AddHistogram(
      "payvox_stripe_request_duration_seconds",
      "Time from sending a request to Stripe to its answer, by endpoint family", {"family"},
      metrics::LatencyBuckets());
  retries_metric_ = &registry->AddCounter(
      "payvox_stripe_retries_total", "Requests sent again after a retryable failure", {"family"});
  rate_limit_metric_ = &registry->AddCounter(
      "payvox_stripe_rate_limit_total",
      "Requests that waited for (wait) or were refused by (refused) the client-side rate "
      "limits (the account's and the endpoint's), by endpoint family",
      {"family", "result"});
  rate_limit_wait_metric_ = &registry->AddCounter(
      "payvox_stripe_rate_limit_wait_seconds_total",
      "Time requests waited for the client-side rate limits, by endpoint family", {"family"});
  breaker_refusals_metric_ = &registry->AddCounter(
      "payvox_stripe_breaker_refusals_total", "Requests failed fast by an open circuit breaker");
  registry->AddGaugeCallback(
      "payvox_stripe_breakers_open", "Stripe clients whose circuit breaker is open",
      [this] { return breaker_.state(clock_.Now()) == BreakerState::kOpen ? 1.0 : 0.0; }, this);
  registry->AddGaugeCallback(
      "payvox_stripe_breakers_half_open", "Stripe clients whose circuit breaker is probing",
      [this] { return breaker_.state(clock_.Now()) == BreakerState::kHalfOpen ? 1.0 : 0.0; }, this);
  registry->AddGaugeCallback(
      "payvox_stripe_pool_connections_open", "Open connections to Stripe",
      [this] {
        const std::optional<PoolStats> stats = transport_->stats();
        return stats ? static_cast<double>(stats->open_connections) : 0.0;
      },
      this);
  registry->AddGaugeCallback(
      "payvox_stripe_pool_connections_idle", "Open connections to Stripe waiting for a request",
      [this] {
        const std::optional<PoolStats> stats = transport_->stats();
        return stats ? static_cast<double>(stats->idle_connections) : 0.0;
      },
      this);
}

namespace {

// ResourceName: a path segment that names a resource ("refunds",
// "billing_portal"): lower-case letters and underscores; anything else is an
// id.
bool ResourceName(absl::string_view segment) {
  return !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                         [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

std::string EndpointFamily(absl::string_view path) {
  absl::string_view rest = path;
  absl::ConsumePrefix(&rest, "/v1/");
  rest = rest.substr(0, rest.find_first_of("/?"));
  return rest.size() <= 40 && ResourceName(rest) ? std::string(rest) : "other";
}

std::string PathTemplate(absl::string_view path) {
  path = path.substr(0, path.find('?'));
  std::string out;
  if (absl::ConsumePrefix(&path, "/v1")) out = "/v1";
  for (absl::string_view segment : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&out, "/", ResourceName(segment) ? segment : absl::string_view("{id}"));
  }
  return out;
}

ResilientStripeClient::~ResilientStripeClient() {
  if (options_.metrics != nullptr) options_.metrics->RemoveCallbacks(this);
}

void ResilientStripeClient::SetBudgetShare(double share) { limiter_.SetShare(share, clock_.Now()); }

ClientStats ResilientStripeClient::stats() const {
  return {.requests = requests_.load(),
          .attempts = attempts_.load(),
          .retries = retries_.load(),
          .coalesced = coalesced_.load(),
          .rate_limit_waits = rate_limit_waits_.load(),
          .rate_limit_refusals = rate_limit_refusals_.load(),
          .breaker_refusals = breaker_refusals_.load()};
}

std::optional<PoolStats> ResilientStripeClient::pool_stats() const { return transport_->stats(); }

boost::asio::awaitable<absl::Status> ResilientStripeClient::WarmUp() {
  if (options_.warm_connections <= 0) co_return absl::OkStatus();
  co_return co_await transport_->Warm(options_.warm_connections,
                                      CallBounds(clock_.Now() + options_.default_timeout));
}

boost::asio::awaitable<absl::StatusOr<StripeResponse>> ResilientStripeClient::Send(
    StripeRequest request) {
  ++requests_;
  if (request.method == HttpMethod::kPost && request.idempotency_key.empty()) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("POST ", request.path, " has no Idempotency-Key"));
  }
  if (request.bounds.deadline == absl::InfiniteFuture()) {
    request.bounds.deadline = clock_.Now() + options_.default_timeout;
  }
  request.bounds.deadline = std::min(request.bounds.deadline, clock_.Now() + kLongestRequest);
  const std::string key = CoalescingKey(request);
  for (;;) {
    std::shared_ptr<InFlight> leader_of;
    std::shared_ptr<InFlight> follower_of;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto [it, inserted] = in_flight_.try_emplace(key);
      if (inserted) {
        it->second = std::make_shared<InFlight>();
        leader_of = it->second;
      } else {
        follower_of = it->second;
      }
    }
    if (leader_of != nullptr) {
      absl::StatusOr<StripeResponse> result = co_await SendWithRetries(request);
      {
        std::lock_guard<std::mutex> lock(mu_);
        in_flight_.erase(key);
        leader_of->result = result;
      }
      leader_of->done.Set();
      co_return result;
    }
    const WaitResult waited = co_await follower_of->done.Wait(
        request.bounds.deadline - clock_.Now(), request.bounds.cancel.get());
    if (waited == WaitResult::kCancelled) {
      co_return absl::CancelledError("the call was cancelled before Stripe answered");
    }
    if (waited == WaitResult::kTimedOut) {
      co_return TransportError(true, "an identical request was still waiting for Stripe");
    }
    // The leader's own call was cancelled: that says nothing about this
    // call, which sends the request itself.
    if (follower_of->result.status().code() == absl::StatusCode::kCancelled) continue;
    ++coalesced_;
    co_return follower_of->result;
  }
}

boost::asio::awaitable<ResilientStripeClient::Attempt> ResilientStripeClient::OneAttempt(
    const StripeRequest& request, int attempt) {
  Attempt out;
  if (request.bounds.cancelled()) {
    out.refusal = absl::CancelledError("the call was cancelled before Stripe answered");
    co_return out;
  }
  const RequestClass request_class = ClassOf(request);
  const absl::Time asked = clock_.Now();
  const std::optional<absl::Time> ready = limiter_.Reserve(
      request_class, absl::StrCat(MethodName(request.method), " ", PathTemplate(request.path)),
      asked, request.bounds.deadline);
  if (!ready.has_value()) {
    ++rate_limit_refusals_;
    if (rate_limit_metric_) {
      rate_limit_metric_->With({EndpointFamily(request.path), "refused"}).Increment();
    }
    out.refusal = RateLimited(request_class);
    co_return out;
  }
  if (*ready > asked) {
    ++rate_limit_waits_;
    if (rate_limit_metric_) {
      const std::string family = EndpointFamily(request.path);
      rate_limit_metric_->With({family, "wait"}).Increment();
      rate_limit_wait_metric_->With({family}).Increment(absl::ToDoubleSeconds(*ready - asked));
    }
    if (!co_await sleeper_.SleepUntil(*ready, request.bounds.cancel.get())) {
      out.refusal = absl::CancelledError("the call was cancelled while waiting for its rate limit");
      co_return out;
    }
  }
  absl::StatusOr<BreakerTicket> ticket = breaker_.Admit(clock_.Now());
  if (!ticket.ok()) {
    ++breaker_refusals_;
    if (breaker_refusals_metric_) breaker_refusals_metric_->With().Increment();
    out.refusal = ticket.status();
    co_return out;
  }
  ++attempts_;
  const absl::Time sent = clock_.Now();
  out.answer = co_await transport_->RoundTrip(request);
  breaker_.Record(*ticket, OutcomeOf(out.answer), clock_.Now());
  const bool answered = out.answer.ok();
  const bool fine = answered && out.answer->http_status >= 200 && out.answer->http_status < 300;
  const LogLevel level = fine ? LogLevel::kDebug : LogLevel::kWarning;
  // Checked first: at info, the 2xx lines (most of them) cost nothing.
  if (options_.log != nullptr && options_.log->Enabled(level)) {
    options_.log->Log(
        level, fine ? "stripe request" : "stripe request failed",
        {{"method", std::string(MethodName(request.method))},
         {"path", PathTemplate(request.path)},
         {"status", answered ? absl::StrCat(out.answer->http_status)
                             : absl::StrCat("no_answer: ", out.answer.status().message())},
         {"stripe_request_id", answered ? out.answer->request_id : ""},
         {"attempt", absl::StrCat(attempt)},
         {"ms", absl::StrCat(absl::ToInt64Milliseconds(clock_.Now() - sent))}});
  }
  if (requests_metric_) {
    const std::string family = EndpointFamily(request.path);
    requests_metric_
        ->With({family, out.answer.ok() ? absl::StrCat(out.answer->http_status) : "no_answer"})
        .Increment();
    duration_metric_->With({family}).Observe(absl::ToDoubleSeconds(clock_.Now() - sent));
  }
  if (!out.answer.ok() && out.answer.status().code() == absl::StatusCode::kCancelled) {
    out.refusal = out.answer.status();
  }
  co_return out;
}

boost::asio::awaitable<absl::StatusOr<StripeResponse>> ResilientStripeClient::SendWithRetries(
    const StripeRequest& request) {
  for (int retries = 0;; ++retries) {
    Attempt attempt = co_await OneAttempt(request, retries + 1);
    if (!attempt.refusal.ok()) co_return attempt.refusal;
    absl::StatusOr<HttpAnswer>& answer = attempt.answer;
    AttemptOutcome outcome;
    if (answer.ok()) {
      if (answer->http_status >= 200 && answer->http_status < 300) {
        co_return StripeResponse{answer->http_status, std::move(answer->body),
                                 std::move(answer->request_id), answer->idempotent_replayed};
      }
      outcome = {.http_status = answer->http_status,
                 .should_retry_header = answer->should_retry,
                 .retry_after_seconds = answer->retry_after_seconds};
    } else {
      outcome = {.no_answer = true};
    }
    const absl::Status final_status =
        answer.ok() ? StripeErrorToStatus(answer->http_status, answer->body, answer->request_id)
                    : answer.status();
    if (const std::optional<v1::ErrorDetail> detail = GetErrorDetail(final_status)) {
      outcome.stripe_code = detail->stripe_code();
    }
    if (!ShouldRetry(options_.retry, retries, outcome)) co_return final_status;
    const absl::Duration delay =
        BackoffDelay(options_.retry, retries + 1, random_(), outcome.retry_after_seconds);
    const absl::Time wake = clock_.Now() + delay;
    // A retry must have time to run after the backoff.
    if (wake >= request.bounds.deadline) co_return final_status;
    if (!co_await sleeper_.SleepUntil(wake, request.bounds.cancel.get())) {
      co_return absl::CancelledError("the call was cancelled while waiting to retry");
    }
    ++retries_;
    if (retries_metric_) retries_metric_->With({EndpointFamily(request.path)}).Increment();
  }
}

}  // namespace payvox::stripe
