// stripe_client.h: the I/O boundary between payvox and Stripe's HTTP API.
//
// A StripeClient sends one Stripe request and completes a coroutine with the
// 2xx answer or an absl::Status already mapped by client/stripe_errors.h. It
// never blocks the calling thread: coroutines run on the client's Asio
// executor, and gRPC handlers are completed from there.
//
// Implementations: ResilientStripeClient (client/resilient_stripe_client.h:
// retries, rate limits, breaker and coalescing over the keep-alive
// connection pool) and tests' FakeStripeClient
// (client/testing/fake_stripe_client.h).
#ifndef PAYVOX_CLIENT_STRIPE_CLIENT_H_
#define PAYVOX_CLIENT_STRIPE_CLIENT_H_

#include <string>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/cancellation.h"
#include "common/form_codec.h"

namespace payvox::stripe {

// kLongestRequest bounds one Stripe request, its retries included, whatever
// the call's deadline: an action's audit intent is answered within it, so
// the reconciler may take an older unanswered intent for one whose attempt
// has ended (app/reconciler.h).
inline constexpr absl::Duration kLongestRequest = absl::Minutes(2);

enum class HttpMethod { kGet, kPost, kDelete };
absl::string_view MethodName(HttpMethod method);

// Mode: Stripe test and live data are separate worlds; a customer found in
// one is absent in the other.
enum class Mode { kTest, kLive };

// ModeOfKey: sk_live_ and rk_live_ keys are live, everything else test.
Mode ModeOfKey(absl::string_view api_key);
absl::string_view ModeName(Mode mode);

struct StripeRequest {
  HttpMethod method = HttpMethod::kGet;
  // Path under the API base, starting with "/v1/". Ids in it are validated
  // by the caller (StripeApi).
  std::string path;
  // Query parameters for GET and DELETE, the form body for POST.
  FormParams params;
  // Required for POST; ignored otherwise. Every retry reuses it.
  std::string idempotency_key;
  // Deadline for everything (rate-limit waits, connect, write, read,
  // backoff, retries) and the cancel signal of the gRPC call. An infinite
  // deadline means the client's default timeout.
  CallBounds bounds;
};

struct StripeResponse {
  int http_status = 0;
  std::string body;
  // Stripe's Request-Id header, "req_...".
  std::string request_id;
  // Stripe answered from its idempotency cache (Idempotent-Replayed: true).
  bool idempotent_replayed = false;
};

// StripeClient sends requests with one tenant's API key. Implementations are
// thread-safe; the client must outlive every coroutine it returned.
class StripeClient {
 public:
  virtual ~StripeClient() = default;

  // Send returns the 2xx answer, or: Stripe's error mapped by
  // StripeErrorToStatus; UNAVAILABLE when Stripe could not be reached;
  // DEADLINE_EXCEEDED when the deadline passed; CANCELLED when the call was
  // cancelled; RESOURCE_EXHAUSTED when the rate limit leaves no room before
  // the deadline; INVALID_ARGUMENT for a request payvox should never build
  // (a POST without idempotency key). Must be awaited from a strand.
  virtual boost::asio::awaitable<absl::StatusOr<StripeResponse>> Send(StripeRequest request) = 0;

  // mode is the test/live mode of the key this client uses.
  virtual Mode mode() const = 0;
};

}  // namespace payvox::stripe

#endif  // PAYVOX_CLIENT_STRIPE_CLIENT_H_
