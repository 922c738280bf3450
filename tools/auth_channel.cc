#include "tools/auth_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/client_interceptor.h>

#include <cstdlib>
#include <vector>

#include "common/sandbox_tokens.h"

namespace payvox {
namespace {

class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(std::string header) : header_(std::move(header)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!header_.empty() &&
        methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", header_});
    }
    methods->Proceed();
  }

 private:
  const std::string header_;
};

class BearerInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(ChannelTokens tokens) : tokens_(std::move(tokens)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    const std::string method = info->method();
    const std::string& token =
        method.rfind("/payvox.v1.AdminService/", 0) == 0 ? tokens_.operator_token : tokens_.tenant;
    return new BearerInterceptor(token.empty() ? "" : "Bearer " + token);
  }

 private:
  const ChannelTokens tokens_;
};

}  // namespace

std::shared_ptr<grpc::Channel> CreateAuthChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    ChannelTokens tokens, const grpc::ChannelArguments& arguments) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<BearerInterceptorFactory>(std::move(tokens)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, credentials, arguments,
                                                                 std::move(creators));
}

std::shared_ptr<grpc::Channel> CreateBenchChannel(const std::string& target,
                                                  const std::string& tenant) {
  auto from_env = [](const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
  };
  return CreateAuthChannel(
      target, grpc::InsecureChannelCredentials(),
      {.tenant = from_env("PAYVOX_TENANT_TOKEN", SandboxTenantToken(tenant)),
       .operator_token = from_env("PAYVOX_OPERATOR_TOKEN", kSandboxOperatorToken)});
}

}  // namespace payvox
