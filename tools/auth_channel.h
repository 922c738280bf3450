// auth_channel.h: a gRPC channel to payvoxd whose calls carry payvox's
// bearer tokens ("authorization: Bearer <token>"): the operator token on
// AdminService calls, the tenant token on every other call.
//
//   auto channel = CreateAuthChannel("127.0.0.1:50051", grpc::InsecureChannelCredentials(),
//                                    {.tenant = tenant_token, .operator_token = operator_token});
#ifndef PAYVOX_TOOLS_AUTH_CHANNEL_H_
#define PAYVOX_TOOLS_AUTH_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace payvox {

struct ChannelTokens {
  std::string tenant;
  std::string operator_token;
};

std::shared_ptr<grpc::Channel> CreateAuthChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    ChannelTokens tokens, const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

// CreateBenchChannel: a plaintext channel for payvox-bench, with the tokens
// of $PAYVOX_TENANT_TOKEN and $PAYVOX_OPERATOR_TOKEN, else those payvoxd --sandbox
// accepts for `tenant`.
std::shared_ptr<grpc::Channel> CreateBenchChannel(const std::string& target,
                                                  const std::string& tenant = "default");

}  // namespace payvox

#endif  // PAYVOX_TOOLS_AUTH_CHANNEL_H_
