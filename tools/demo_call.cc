#include "tools/demo_call.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/error_detail.h"
#include "payvox/v1/types.pb.h"

namespace payvox {
namespace {

// Call runs one unary RPC with a 5 s deadline and turns a failure into an
// absl::Status that carries the speakable text when payvox sent one.
template <typename Request, typename Response, typename Method>
absl::Status Call(Method method, const Request& request, Response& response,
                  absl::string_view rpc) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::Status status = method(&context, request, &response);
  if (status.ok()) return absl::OkStatus();
  const v1::ErrorDetail detail =
      ErrorDetailOfRich(status.error_details()).value_or(v1::ErrorDetail());
  return absl::Status(
      static_cast<absl::StatusCode>(status.error_code()),
      absl::StrCat(
          rpc, ": ", status.error_message(),
          detail.say().empty() ? "" : absl::StrCat(" (agent would say: \"", detail.say(), "\")")));
}

v1::CallContext Context(const DemoCallOptions& options, absl::string_view request_id) {
  v1::CallContext context;
  context.set_call_id(options.call_id);
  context.set_request_id(std::string(request_id));
  context.set_agent_id("payvoxctl-demo");
  context.set_confirmed(true);
  return context;
}

}  // namespace

absl::Status PlayDemoCall(v1::ActionService::StubInterface& stub, const DemoCallOptions& options,
                          std::ostream& out) {
  auto caller = [&](absl::string_view line) { out << "caller> " << line << "\n"; };
  auto agent = [&](absl::string_view line) { out << "agent>  " << line << "\n"; };

  caller(absl::StrCat("Hi, I think I was charged twice. My email is ", options.email, "."));
  v1::FindCustomerRequest find;
  *find.mutable_context() = Context(options, "find-1");
  find.set_email(options.email);
  v1::FindCustomerResponse found;
  if (absl::Status s = Call([&](auto* c, auto& r, auto* p) { return stub.FindCustomer(c, r, p); },
                            find, found, "FindCustomer");
      !s.ok()) {
    return s;
  }
  agent(found.say());
  if (found.customers_size() != 1) {
    return absl::FailedPreconditionError("the demo needs exactly one customer for the email");
  }
  const std::string customer_id = found.customers(0).id();
  agent("To make sure it's you, what are the last four digits of the card on file?");

  caller(absl::StrCat("It's ", options.last4, "."));
  v1::VerifyIdentityRequest verify;
  *verify.mutable_context() = Context(options, "verify-1");
  verify.set_customer_id(customer_id);
  verify.set_last4(options.last4);
  v1::VerifyIdentityResponse verified;
  if (absl::Status s = Call([&](auto* c, auto& r, auto* p) { return stub.VerifyIdentity(c, r, p); },
                            verify, verified, "VerifyIdentity");
      !s.ok()) {
    return s;
  }
  agent(verified.say());
  if (!verified.verified()) return absl::PermissionDeniedError("the caller was not verified");

  caller("Can you check my recent charges?");
  v1::ListChargesRequest list;
  *list.mutable_context() = Context(options, "charges-1");
  list.set_customer_id(customer_id);
  list.set_limit(5);
  v1::ListChargesResponse charges;
  if (absl::Status s = Call([&](auto* c, auto& r, auto* p) { return stub.ListCharges(c, r, p); },
                            list, charges, "ListCharges");
      !s.ok()) {
    return s;
  }
  agent(charges.say());
  const v1::Charge* latest = nullptr;
  for (const v1::Charge& charge : charges.charges()) {
    if (charge.refundable().amount_minor() > 0) {
      latest = &charge;
      break;
    }
  }
  if (latest == nullptr) return absl::NotFoundError("no refundable charge to refund");

  caller("That latest one is a duplicate. Please refund it.");
  v1::CreateRefundRequest refund;
  *refund.mutable_context() = Context(options, "refund-1");
  refund.set_charge_id(latest->id());
  refund.set_reason("duplicate");
  v1::CreateRefundResponse refunded;
  if (absl::Status s = Call([&](auto* c, auto& r, auto* p) { return stub.CreateRefund(c, r, p); },
                            refund, refunded, "CreateRefund");
      !s.ok()) {
    return s;
  }
  agent(refunded.say());

  // The orchestrator's network hiccups and it sends the same refund again.
  v1::CreateRefundResponse retried;
  if (absl::Status s = Call([&](auto* c, auto& r, auto* p) { return stub.CreateRefund(c, r, p); },
                            refund, retried, "CreateRefund (retry)");
      !s.ok()) {
    return s;
  }
  if (retried.refund().id() != refunded.refund().id()) {
    return absl::InternalError("the retried refund created a second refund");
  }
  out << "        (the orchestrator retried the refund with the same request_id; payvox returned "
      << "the same refund " << retried.refund().id() << ", so the caller was refunded once)\n";
  caller("Great, thanks!");
  return absl::OkStatus();
}

}  // namespace payvox
