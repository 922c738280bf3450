// grpc_metrics.h: a gRPC server interceptor that counts every call by
// method and status code, times it (payvox_grpc_*) and logs it. Calls the
// client cancelled and calls past their deadline are counted apart from
// errors in the `outcome` label (ok, error, cancelled, deadline_exceeded),
// so a caller hanging up does not look like payvox failing.
//
// The log line ("rpc") names the method, code, outcome, latency, the tenant
// its bearer token names (never the token), and the request's call and
// request ids; info, or warning when payvox failed (INTERNAL, UNKNOWN,
// DATA_LOSS, UNAVAILABLE) or the token was refused (UNAUTHENTICATED).
//
//   builder.experimental().SetInterceptorCreators(GrpcMetricsInterceptors(registry, clock, &log));
#ifndef PAYVOX_RPC_GRPC_METRICS_H_
#define PAYVOX_RPC_GRPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"

namespace payvox {

// GrpcOutcome is the `outcome` label of a final status code.
const char* GrpcOutcome(grpc::StatusCode code);

// `registry`, `clock` and `log` (null: no log lines) must outlive the
// server.
std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetricsInterceptors(metrics::Registry& registry, const Clock& clock, Logger* log = nullptr);

}  // namespace payvox

#endif  // PAYVOX_RPC_GRPC_METRICS_H_
