#include "actions/invoices.h"

#include <algorithm>
#include <array>
#include <functional>

#include "absl/strings/str_cat.h"
#include "actions/action_checks.h"
#include "actions/sentences.h"
#include "actions/stripe_to_proto.h"
#include "common/error_detail.h"
#include "common/money.h"
#include "common/speech.h"
#include "common/status_macros.h"

namespace payvox {

namespace {

absl::Status ValidateInvoiceId(const std::string& id) {
  return stripe::ValidateStripeId("invoice_id", id, {"in_"});
}

}  // namespace

Action<v1::ListInvoicesResponse> InvoiceActions::ListInvoices(v1::ListInvoicesRequest request,
                                                              CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("list_invoices");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateLimit(request.limit()));
  static constexpr std::array<absl::string_view, 6> kStatuses = {"",     "draft",         "open",
                                                                 "paid", "uncollectible", "void"};
  if (std::find(kStatuses.begin(), kStatuses.end(), request.status()) == kStatuses.end()) {
    co_return absl::InvalidArgumentError(
        "status must be draft, open, paid, uncollectible or void (or empty for all)");
  }
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "list_invoices");
  PAYVOX_CO_ASSIGN_OR_RETURN(
      const auto list,
      co_await facts.ListInvoices(request.customer_id(), request.status(),
                                  request.limit() == 0 ? 10 : request.limit(), read));
  v1::ListInvoicesResponse response;
  for (const stripe::Invoice& invoice : list.data) *response.add_invoices() = ToProto(invoice);
  if (list.data.empty()) {
    response.set_say("I don't see any invoices on this account.");
  } else {
    response.set_say(
        absl::StrCat("I see ", Plural(response.invoices_size(), "invoice"),
                     ". The latest: ", InvoiceSay(list.data.front(), env_.speaking())));
  }
  co_return response;
}

Action<v1::GetInvoiceResponse> InvoiceActions::GetInvoice(v1::GetInvoiceRequest request,
                                                          CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("get_invoice");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "get_invoice");
  PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice invoice,
                             co_await facts.GetInvoice(request.invoice_id(), read));
  v1::GetInvoiceResponse response;
  *response.mutable_invoice() = ToProto(invoice);
  response.set_say(InvoiceSay(invoice, env_.speaking()));
  co_return response;
}

Action<v1::GetUpcomingInvoiceResponse> InvoiceActions::GetUpcomingInvoice(
    v1::GetUpcomingInvoiceRequest request, CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), false));
  const absl::Status allowed = co_await env_.Enabled("get_upcoming_invoice");
  PAYVOX_CO_RETURN_IF_ERROR(allowed);
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  if (!request.subscription_id().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("subscription_id", request.subscription_id(), {"sub_"}));
  }
  stripe::InvoicePreview preview{.customer = request.customer_id(),
                                 .subscription = request.subscription_id()};
  const stripe::CallOptions read{.bounds = bounds};
  CallFacts facts = env_.Facts(request.context(), "get_upcoming_invoice");
  absl::StatusOr<stripe::Invoice> upcoming =
      co_await facts.PreviewInvoice(std::move(preview), read);
  if (upcoming.status().code() == absl::StatusCode::kNotFound) {
    co_return FlowError(absl::StatusCode::kNotFound,
                        "This customer has no upcoming invoice: no subscription will renew.",
                        "no_upcoming_invoice", "You don't have any upcoming bills with us.");
  }
  PAYVOX_CO_RETURN_IF_ERROR(upcoming.status());
  v1::GetUpcomingInvoiceResponse response;
  *response.mutable_invoice() = ToProto(*upcoming);
  const int64_t when =
      upcoming->next_payment_attempt > 0 ? upcoming->next_payment_attempt : upcoming->period_end;
  response.set_say(absl::StrCat(
      "Your next bill is ", FormatMoney(upcoming->amount_due, upcoming->currency), " on ",
      DatePhrase(absl::FromUnixSeconds(when), env_.clock.Now(), env_.options.time_zone), "."));
  co_return response;
}

template <typename Request, typename Response>
Action<Response> InvoiceActions::ChangeInvoice(
    Request request, CallBounds bounds, InvoiceChange change,
    std::function<std::string(const stripe::Invoice&)> say) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateInvoiceId(request.invoice_id()));
  stripe::Invoice current;
  CallFacts facts = env_.Facts(request.context(), change.action);
  auto plan =
      [&](const v1::TenantPolicy&) -> boost::asio::awaitable<absl::StatusOr<WritePlan<Response>>> {
    const stripe::CallOptions read{.bounds = bounds};
    PAYVOX_CO_ASSIGN_OR_RETURN(current, co_await facts.GetInvoice(request.invoice_id(), read));
    if (std::find(change.from.begin(), change.from.end(), current.status) == change.from.end()) {
      co_return FlowError(
          absl::StatusCode::kFailedPrecondition,
          absl::StrCat("Only ", change.from.front(), " invoices can be ", change.done,
                       "; this one is ", current.status, "."),
          change.refused_reason,
          absl::StrCat("That invoice can't be ", change.done, " in its current state."));
    }
    WritePlan<Response> write;
    write.facts.summary = absl::StrCat(change.verb, " the invoice for ",
                                       FormatMoney(current.total, current.currency));
    write.customer = current.customer;
    write.target = current.id;
    write.amount = current.amount_due;
    write.currency = current.currency;
    write.send = [&](const std::string& key) -> Action<Response> {
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::Invoice changed,
          co_await env_.stripe.TransitionInvoice(current.id, change.transition, options));
      facts.InvoiceIs(changed);
      Response response;
      *response.mutable_invoice() = ToProto(changed);
      response.set_say(say(changed));
      co_return response;
    };
    write.result_id = [](const Response& response) { return response.invoice().id(); };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<Response>(request, context, change.action, bounds,
                                           std::move(plan));
}

Action<v1::SendInvoiceResponse> InvoiceActions::SendInvoice(v1::SendInvoiceRequest request,
                                                            CallBounds bounds) {
  // Stripe sends invoices collected by email only; it refuses the others.
  InvoiceChange change{.action = "send_invoice",
                       .transition = stripe::InvoiceTransition::kSend,
                       .verb = "send",
                       .done = "sent",
                       .from = {"open"},
                       .refused_reason = "invoice_not_open"};
  std::function<std::string(const stripe::Invoice&)> say = [](const stripe::Invoice&) {
    return std::string("I've emailed the invoice to the address on your account.");
  };
  co_return co_await ChangeInvoice<v1::SendInvoiceRequest, v1::SendInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

Action<v1::VoidInvoiceResponse> InvoiceActions::VoidInvoice(v1::VoidInvoiceRequest request,
                                                            CallBounds bounds) {
  InvoiceChange change{.action = "void_invoice",
                       .transition = stripe::InvoiceTransition::kVoid,
                       .verb = "void",
                       .done = "voided",
                       .from = {"open", "uncollectible"},
                       .refused_reason = "invoice_not_open"};
  std::function<std::string(const stripe::Invoice&)> say = [](const stripe::Invoice& voided) {
    return absl::StrCat("That invoice for ", FormatMoney(voided.total, voided.currency),
                        " is voided; you won't be asked to pay it.");
  };
  co_return co_await ChangeInvoice<v1::VoidInvoiceRequest, v1::VoidInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

Action<v1::FinalizeInvoiceResponse> InvoiceActions::FinalizeInvoice(
    v1::FinalizeInvoiceRequest request, CallBounds bounds) {
  const Speaking speaking = env_.speaking();
  InvoiceChange change{.action = "finalize_invoice",
                       .transition = stripe::InvoiceTransition::kFinalize,
                       .verb = "finalize",
                       .done = "finalized",
                       .from = {"draft"},
                       .refused_reason = "invoice_not_draft"};
  std::function<std::string(const stripe::Invoice&)> say =
      [speaking](const stripe::Invoice& finalized) { return InvoiceSay(finalized, speaking); };
  co_return co_await ChangeInvoice<v1::FinalizeInvoiceRequest, v1::FinalizeInvoiceResponse>(
      std::move(request), std::move(bounds), std::move(change), std::move(say));
}

Action<v1::CreateInvoiceResponse> InvoiceActions::CreateInvoice(v1::CreateInvoiceRequest request,
                                                                CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  PAYVOX_CO_RETURN_IF_ERROR(
      stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  PAYVOX_CO_RETURN_IF_ERROR(ValidateFreeText("description", request.description(), 500));
  if (request.lines().empty() || request.lines_size() > 50) {
    co_return absl::InvalidArgumentError("lines must hold 1 to 50 lines");
  }
  if (request.days_until_due() < 0 || request.days_until_due() > 365) {
    co_return absl::InvalidArgumentError(
        "days_until_due must be 0 (charge the card on file) to 365");
  }
  const std::string currency = request.lines(0).amount().currency();
  int64_t total = 0;
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::InvoiceLine& line = request.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney(absl::StrCat(field, ".amount"), line.amount()));
    PAYVOX_CO_RETURN_IF_ERROR(
        ValidateFreeText(absl::StrCat(field, ".description"), line.description(), 500));
    if (line.description().empty()) {
      co_return absl::InvalidArgumentError(absl::StrCat(field, ".description is required"));
    }
    if (line.quantity() < 0 || line.quantity() > 10'000) {
      co_return absl::InvalidArgumentError(
          absl::StrCat(field, ".quantity must be 1 to 10000 (0 means 1)"));
    }
    if (line.amount().currency() != currency) {
      co_return absl::InvalidArgumentError(
          absl::StrCat(field, ".amount.currency must match the first line's (", currency, ")"));
    }
    total += line.amount().amount_minor() * std::max<int64_t>(1, line.quantity());
  }
  auto plan = [&](const v1::TenantPolicy&)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CreateInvoiceResponse>>> {
    WritePlan<v1::CreateInvoiceResponse> write;
    write.customer = request.customer_id();
    write.target = request.customer_id();
    write.amount = total;
    write.currency = currency;
    write.send = [&](const std::string& key) -> Action<v1::CreateInvoiceResponse> {
      stripe::InvoiceParams params{.customer = request.customer_id(),
                                   .currency = currency,
                                   .days_until_due = request.days_until_due(),
                                   .description = request.description(),
                                   .metadata = {{"payvox_call_id", request.context().call_id()}}};
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice draft,
                                 co_await env_.stripe.CreateInvoice(std::move(params), options));
      // Each line is an invoice item on the draft, with a key of its own.
      for (int i = 0; i < request.lines_size(); ++i) {
        const v1::InvoiceLine& line = request.lines(i);
        stripe::InvoiceItemParams item{.customer = request.customer_id(),
                                       .invoice = draft.id,
                                       .currency = currency,
                                       .unit_amount = line.amount().amount_minor(),
                                       .quantity = line.quantity(),
                                       .description = line.description()};
        const stripe::CallOptions item_options{.bounds = bounds,
                                               .idempotency_key = absl::StrCat(key, "_line", i)};
        absl::StatusOr<stripe::StripeResponse> added =
            co_await env_.stripe.AddInvoiceItem(std::move(item), item_options);
        PAYVOX_CO_RETURN_IF_ERROR(added.status());
      }
      const stripe::CallOptions read{.bounds = bounds};
      PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Invoice filled,
                                 co_await env_.stripe.GetInvoice(draft.id, read));
      env_.Facts(request.context(), "create_invoice").InvoiceIs(filled);
      v1::CreateInvoiceResponse response;
      *response.mutable_invoice() = ToProto(filled);
      response.set_say(absl::StrCat("I've drafted an invoice for ",
                                    FormatMoney(filled.total, filled.currency),
                                    ". It isn't sent yet."));
      co_return response;
    };
    write.result_id = [](const v1::CreateInvoiceResponse& response) {
      return response.invoice().id();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::CreateInvoiceResponse>(request, context, "create_invoice",
                                                            bounds, std::move(plan));
}

}  // namespace payvox
