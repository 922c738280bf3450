// fake_stripe_client.h: a StripeClient that answers from a script.
//
//   FakeStripeClient stripe;
//   stripe.Answer("GET /v1/customers/cus_1", 200, R"({"id":"cus_1", ...})");
//   stripe.Fail("POST /v1/refunds", absl::UnavailableError("down"));
//
// Requests are matched on "METHOD path" (no query). Unscripted requests get
// NOT_FOUND with Stripe's resource_missing body. Every request is recorded.
// Thread-safe.
#ifndef PAYVOX_CLIENT_TESTING_FAKE_STRIPE_CLIENT_H_
#define PAYVOX_CLIENT_TESTING_FAKE_STRIPE_CLIENT_H_

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "client/stripe_client.h"
#include "client/stripe_errors.h"

namespace payvox::stripe::testing {

class FakeStripeClient final : public StripeClient {
 public:
  explicit FakeStripeClient(Mode mode = Mode::kTest) : mode_(mode) {}

  void Answer(const std::string& route, int http_status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[route] = Scripted{http_status, std::move(body), absl::OkStatus()};
  }
  void Fail(const std::string& route, absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[route] = Scripted{0, "", std::move(status)};
  }
  // AnswerOnce: the next request of `route` gets this answer (answers given
  // once are used in order, before the standing one of Answer).
  void AnswerOnce(const std::string& route, int http_status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    once_[route].push_back(Scripted{http_status, std::move(body), absl::OkStatus()});
  }
  std::vector<StripeRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  boost::asio::awaitable<absl::StatusOr<StripeResponse>> Send(StripeRequest request) override {
    Scripted scripted{
        404,
        R"({"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such object"}})",
        absl::OkStatus()};
    {
      std::lock_guard<std::mutex> lock(mu_);
      const std::string route = absl::StrCat(MethodName(request.method), " ", request.path);
      if (auto once = once_.find(route); once != once_.end() && !once->second.empty()) {
        scripted = std::move(once->second.front());
        once->second.pop_front();
      } else if (auto it = routes_.find(route); it != routes_.end()) {
        scripted = it->second;
      }
      requests_.push_back(std::move(request));
    }
    if (!scripted.status.ok()) co_return scripted.status;
    if (scripted.http_status >= 300) {
      co_return StripeErrorToStatus(scripted.http_status, scripted.body, "req_fake");
    }
    co_return StripeResponse{scripted.http_status, std::move(scripted.body), "req_fake", false};
  }
  Mode mode() const override { return mode_; }

 private:
  struct Scripted {
    int http_status;
    std::string body;
    absl::Status status;
  };

  const Mode mode_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Scripted> routes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::deque<Scripted>> once_ ABSL_GUARDED_BY(mu_);
  std::vector<StripeRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace payvox::stripe::testing

#endif  // PAYVOX_CLIENT_TESTING_FAKE_STRIPE_CLIENT_H_
