#include "rpc/grpc_metrics.h"

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace payvox {
namespace {

// gRPC's codes are numbered as absl's: NOT_FOUND, DEADLINE_EXCEEDED...
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

struct GrpcFamilies {
  metrics::Family<metrics::Counter>& requests;
  metrics::Family<metrics::Histogram>& duration;
};

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(const GrpcFamilies& families, const Clock& clock,
                     grpc::experimental::ServerRpcInfo* info)
      : families_(families),
        clock_(clock),
        info_(info),
        method_(info->method()),
        started_(clock.Now()) {}

  // A call that ends without sending a status was cancelled, or ran out of
  // time.
  ~MetricsInterceptor() override {
    const absl::Time now = clock_.Now();
    grpc::StatusCode code = sent_ ? code_ : grpc::StatusCode::CANCELLED;
    // A handler cancelled at the deadline may answer CANCELLED. The client's
    // own timer usually fires first (the server's deadline is the timeout
    // counted from arrival), so its cancellation arrives a moment before the
    // server's deadline: that counts as running out of time too.
    if (code == grpc::StatusCode::CANCELLED && now >= deadline_ - absl::Milliseconds(100)) {
      code = grpc::StatusCode::DEADLINE_EXCEEDED;
    }
    families_.requests.With({method_, CodeName(code), GrpcOutcome(code)}).Increment();
    families_.duration.With({method_}).Observe(absl::ToDoubleSeconds(now - started_));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto deadline = info_->server_context()->deadline();
      if (deadline != std::chrono::system_clock::time_point::max()) {
        deadline_ = absl::FromChrono(deadline);
      }
    }
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      sent_ = true;
      code_ = methods->GetSendStatus().error_code();
    }
    methods->Proceed();
  }

 private:
  const GrpcFamilies& families_;
  const Clock& clock_;
  grpc::experimental::ServerRpcInfo* const info_;
  const std::string method_;
  const absl::Time started_;
  absl::Time deadline_ = absl::InfiniteFuture();
  bool sent_ = false;
  grpc::StatusCode code_ = grpc::StatusCode::OK;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MetricsInterceptorFactory(metrics::Registry& registry, const Clock& clock)
      : families_{registry.AddCounter(
                      "payvox_grpc_requests_total",
                      "gRPC calls by method, status code and outcome (ok, error, cancelled, "
                      "deadline_exceeded)",
                      {"method", "code", "outcome"}),
                  registry.AddHistogram("payvox_grpc_request_duration_seconds",
                                        "Time from a gRPC call's start to its end, by method",
                                        {"method"}, metrics::LatencyBuckets())},
        clock_(clock) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(families_, clock_, info);
  }

 private:
  const GrpcFamilies families_;
  const Clock& clock_;
};

}  // namespace

const char* GrpcOutcome(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "cancelled";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    default:
      return "error";
  }
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetricsInterceptors(metrics::Registry& registry, const Clock& clock) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<MetricsInterceptorFactory>(registry, clock));
  return out;
}

}  // namespace payvox
