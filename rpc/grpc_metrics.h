// grpc_metrics.h: a gRPC server interceptor that counts every call by
// method and status code and times it (payvox_grpc_*). Calls the client
// cancelled and calls past their deadline are counted apart from errors in
// the `outcome` label (ok, error, cancelled, deadline_exceeded), so a
// caller hanging up does not look like payvox failing.
//
//   builder.experimental().SetInterceptorCreators(GrpcMetricsInterceptors(registry));
#ifndef PAYVOX_RPC_GRPC_METRICS_H_
#define PAYVOX_RPC_GRPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"

namespace payvox {

// GrpcOutcome is the `outcome` label of a final status code.
const char* GrpcOutcome(grpc::StatusCode code);

// `registry` and `clock` must outlive the server.
std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetricsInterceptors(metrics::Registry& registry, const Clock& clock);

}  // namespace payvox

#endif  // PAYVOX_RPC_GRPC_METRICS_H_
