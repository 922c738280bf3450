#include "rpc/grpc_metrics.h"

#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>

#include <string>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "actions/tenants.h"
#include "payvox/v1/types.pb.h"
#include "rpc/services.h"

namespace payvox {
namespace {

// gRPC's codes are numbered as absl's: NOT_FOUND, DEADLINE_EXCEEDED...
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

struct GrpcFamilies {
  metrics::Family<metrics::Counter>& requests;
  metrics::Family<metrics::Histogram>& duration;
  Logger* log;
};

// Ids is what a request says of its call: CallContext's ids, or an admin
// request's tenant_id. Read by reflection, from payvox's own messages only.
struct Ids {
  std::string tenant;
  std::string call_id;
  std::string request_id;
};

void ReadIds(const google::protobuf::Message& message, Ids& ids) {
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  const google::protobuf::FieldDescriptor* tenant = type->FindFieldByName("tenant_id");
  if (tenant != nullptr && tenant->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !tenant->is_repeated()) {
    ids.tenant = reflection->GetString(message, tenant);
  }
  const google::protobuf::FieldDescriptor* context = type->FindFieldByName("context");
  if (context == nullptr || context->message_type() != v1::CallContext::descriptor() ||
      context->is_repeated()) {
    return;
  }
  const auto& call = static_cast<const v1::CallContext&>(reflection->GetMessage(message, context));
  ids.call_id = call.call_id();
  ids.request_id = call.request_id();
}

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
    if (!recorded_) Record(grpc::StatusCode::CANCELLED, "");
  }

  // Record counts, times and logs the call once: when its status is about
  // to go out (so the line is written before the client sees the answer),
  // or when it ends without one.
  void Record(grpc::StatusCode code, const std::string& message) {
    recorded_ = true;
    const absl::Time now = clock_.Now();
    // A handler cancelled at the deadline may answer CANCELLED. The client's
    // own timer usually fires first (the server's deadline is the timeout
    // counted from arrival), so its cancellation arrives a moment before the
    // server's deadline: that counts as running out of time too.
    if (code == grpc::StatusCode::CANCELLED && now >= deadline_ - absl::Milliseconds(100)) {
      code = grpc::StatusCode::DEADLINE_EXCEEDED;
    }
    families_.requests.With({method_, CodeName(code), GrpcOutcome(code)}).Increment();
    families_.duration.With({method_}).Observe(absl::ToDoubleSeconds(now - started_));
    const LogLevel level = OutcomeLevel(static_cast<absl::StatusCode>(code));
    if (families_.log != nullptr && families_.log->Enabled(level)) {
      families_.log->Log(level, "rpc",
                         {{"method", method_},
                          {"code", CodeName(code)},
                          {"outcome", GrpcOutcome(code)},
                          {"ms", absl::StrCat(absl::ToInt64Milliseconds(now - started_))},
                          {"tenant", ids_.tenant},
                          {"call_id", ids_.call_id},
                          {"request_id", ids_.request_id},
                          {"error", code == grpc::StatusCode::OK ? "" : message}});
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto deadline = info_->server_context()->deadline();
      if (deadline != std::chrono::system_clock::time_point::max()) {
        deadline_ = absl::FromChrono(deadline);
      }
      if (families_.log != nullptr) {
        for (const auto& [key, value] : *methods->GetRecvInitialMetadata()) {
          if (key == "authorization") {
            absl::string_view token(value.data(), value.size());
            absl::ConsumePrefix(&token, "Bearer ");
            ids_.tenant = TokenTenant(token);
          }
        }
      }
    }
    // Only payvox's services: their messages are protobuf's (the health
    // service's are raw bytes). The first message of a stream names it.
    if (families_.log != nullptr && payvox_service_ && !read_ids_ &&
        methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (const void* message = methods->GetRecvMessage(); message != nullptr) {
        read_ids_ = true;
        const std::string token_tenant = ids_.tenant;
        ReadIds(*static_cast<const google::protobuf::Message*>(message), ids_);
        if (ids_.tenant.empty()) ids_.tenant = token_tenant;
      }
    }
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      Record(status.error_code(), status.error_message());
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
  bool recorded_ = false;
  const bool payvox_service_ =
      absl::StartsWith(method_, "/payvox.v1.") && !absl::c_linear_search(kRawMethods, method_);
  bool read_ids_ = false;
  Ids ids_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MetricsInterceptorFactory(metrics::Registry& registry, const Clock& clock, Logger* log)
      : families_{registry.AddCounter(
                      "payvox_grpc_requests_total",
                      "gRPC calls by method, status code and outcome (ok, error, cancelled, "
                      "deadline_exceeded)",
                      {"method", "code", "outcome"}),
                  registry.AddHistogram("payvox_grpc_request_duration_seconds",
                                        "Time from a gRPC call's start to its end, by method",
                                        {"method"}, metrics::LatencyBuckets()),
                  log},
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
GrpcMetricsInterceptors(metrics::Registry& registry, const Clock& clock, Logger* log) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<MetricsInterceptorFactory>(registry, clock, log));
  return out;
}

}  // namespace payvox
