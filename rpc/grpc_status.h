// grpc_status.h: the one place an absl::Status becomes a grpc::Status.
//
// The code is kept (absl and gRPC share the canonical codes), the message is
// kept, and error_details always carry a google.rpc.Status (the standard
// rich error model, sent as grpc-status-details-bin) whose details pack a
// payvox.v1.ErrorDetail as Any: the one attached inside payvox, or a new one
// whose `retryable` follows the code. Clients read it with
// ErrorDetailOfRich (common/error_detail.h) or their language's helpers.
#ifndef PAYVOX_RPC_GRPC_STATUS_H_
#define PAYVOX_RPC_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace payvox {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace payvox

#endif  // PAYVOX_RPC_GRPC_STATUS_H_
