#include "tools/agent_commands.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/error_detail.h"

namespace payvox {
namespace {

absl::Status Failed(absl::string_view rpc, const grpc::Status& status) {
  std::string message = absl::StrCat(rpc, ": ", status.error_message());
  if (std::optional<v1::ErrorDetail> detail = ErrorDetailOfRich(status.error_details())) {
    if (!detail->reason().empty()) absl::StrAppend(&message, " [", detail->reason(), "]");
    if (!detail->say().empty())
      absl::StrAppend(&message, " (agent would say: \"", detail->say(), "\")");
    if (detail->retryable()) absl::StrAppend(&message, " (retryable with the same request_id)");
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), message);
}

std::chrono::system_clock::time_point In(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoSeconds(timeout);
}

absl::Status ListActions(v1::ActionService::StubInterface& stub, std::ostream& out) {
  grpc::ClientContext context;
  context.set_deadline(In(absl::Seconds(10)));
  v1::ListActionsResponse response;
  const grpc::Status status = stub.ListActions(&context, v1::ListActionsRequest(), &response);
  if (!status.ok()) return Failed("ListActions", status);
  for (const v1::ActionDescriptor& action : response.actions()) {
    const char* kind = action.read_only() ? "read" : action.destructive() ? "destructive" : "write";
    const std::string description = action.description().substr(0, action.description().find(". "));
    out << action.name() << "  [" << kind << (action.enabled() ? "" : ", not enabled") << "]  "
        << description << "\n";
  }
  return absl::OkStatus();
}

absl::Status Execute(v1::ActionService::StubInterface& stub, const std::string& name,
                     const AgentFlags& flags, std::ostream& out) {
  const std::string stamp =
      absl::StrCat(std::chrono::system_clock::now().time_since_epoch().count());
  v1::ExecuteRequest request;
  request.set_action(name);
  request.set_arguments_json(flags.args);
  v1::CallContext& call = *request.mutable_context();
  call.set_call_id(flags.call_id.empty() ? absl::StrCat("payvoxctl-", stamp) : flags.call_id);
  call.set_request_id(flags.request_id.empty() ? absl::StrCat("payvoxctl-", stamp)
                                               : flags.request_id);
  call.set_agent_id("payvoxctl");
  call.set_confirmed(flags.confirmed);
  grpc::ClientContext context;
  context.set_deadline(In(absl::Seconds(30)));
  v1::ExecuteResponse response;
  const grpc::Status status = stub.Execute(&context, request, &response);
  if (!status.ok()) return Failed("Execute", status);
  out << response.result_json() << "\n";
  if (!response.say().empty()) out << "say: " << response.say() << "\n";
  return absl::OkStatus();
}

absl::Status TailEvents(v1::EventService::StubInterface& stub, const AgentFlags& flags,
                        std::ostream& out) {
  v1::SubscribeRequest request;
  request.set_resume_after(flags.resume_after);
  grpc::ClientContext context;
  context.set_deadline(In(flags.timeout));
  std::unique_ptr<grpc::ClientReaderInterface<v1::PaymentEvent>> reader =
      stub.Subscribe(&context, request);
  v1::PaymentEvent event;
  int seen = 0;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  while (reader->Read(&event)) {
    if (event.type() == "heartbeat") continue;
    std::string line;
    (void)google::protobuf::util::MessageToJsonString(event, &line, print);
    out << line << "\n" << std::flush;
    if (flags.max_events > 0 && ++seen >= flags.max_events) {
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  // Stopping by our own bound is the normal end.
  if (status.ok() || status.error_code() == grpc::StatusCode::CANCELLED ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::OkStatus();
  }
  return Failed("Subscribe", status);
}

}  // namespace

bool IsAgentCommand(const std::vector<std::string>& args) {
  return !args.empty() && (args[0] == "actions" || args[0] == "execute" || args[0] == "events");
}

absl::Status RunAgentCommand(v1::ActionService::StubInterface& actions,
                             v1::EventService::StubInterface& events,
                             const std::vector<std::string>& args, const AgentFlags& flags,
                             std::ostream& out) {
  if (args.size() == 1 && args[0] == "actions") return ListActions(actions, out);
  if (args.size() == 2 && args[0] == "execute") return Execute(actions, args[1], flags, out);
  if (args.size() == 2 && args[0] == "events" && args[1] == "tail") {
    if (flags.max_events < 0 || flags.timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("events tail: --max_events >= 0, --timeout_seconds > 0");
    }
    return TailEvents(events, flags, out);
  }
  return absl::InvalidArgumentError(
      "usage: payvoxctl actions | execute NAME --args=JSON | events tail [--resume_after=N]");
}

}  // namespace payvox
