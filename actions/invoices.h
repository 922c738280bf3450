// invoices.h: invoices: reading, the upcoming one, drafting, sending, finalizing, voiding.
#ifndef PAYVOX_ACTIONS_INVOICES_H_
#define PAYVOX_ACTIONS_INVOICES_H_

#include <functional>
#include <string>
#include <vector>

#include "actions/action_env.h"
#include "actions/write_pipeline.h"
#include "payvox/v1/actions.pb.h"

// The typed actions this family serves, one row each (actions/typed_actions.h
// joins the families' rows): ACTION(Rpc, "catalog name", family, class,
// capabilities that enable it...). The RPC's comment and request message in
// actions.proto say the rest.
#define PAYVOX_INVOICE_ACTIONS(ACTION)                                                 \
  ACTION(ListInvoices, "list_invoices", invoices, kRead, "view_invoices")              \
  ACTION(GetInvoice, "get_invoice", invoices, kRead, "view_invoices")                  \
  ACTION(GetUpcomingInvoice, "get_upcoming_invoice", invoices, kRead, "view_invoices") \
  ACTION(SendInvoice, "send_invoice", invoices, kWrite, "manage_invoices")             \
  ACTION(VoidInvoice, "void_invoice", invoices, kDestructive, "manage_invoices")       \
  ACTION(CreateInvoice, "create_invoice", invoices, kWrite, "manage_invoices")         \
  ACTION(FinalizeInvoice, "finalize_invoice", invoices, kWrite, "manage_invoices")

namespace payvox {

class InvoiceActions {
 public:
  InvoiceActions(ActionEnv& env, WritePipeline& writes) : env_(env), writes_(writes) {}

  Action<v1::ListInvoicesResponse> ListInvoices(v1::ListInvoicesRequest request, CallBounds bounds);
  Action<v1::GetInvoiceResponse> GetInvoice(v1::GetInvoiceRequest request, CallBounds bounds);
  Action<v1::GetUpcomingInvoiceResponse> GetUpcomingInvoice(v1::GetUpcomingInvoiceRequest request,
                                                            CallBounds bounds);
  Action<v1::SendInvoiceResponse> SendInvoice(v1::SendInvoiceRequest request, CallBounds bounds);
  Action<v1::VoidInvoiceResponse> VoidInvoice(v1::VoidInvoiceRequest request, CallBounds bounds);
  Action<v1::CreateInvoiceResponse> CreateInvoice(v1::CreateInvoiceRequest request,
                                                  CallBounds bounds);
  Action<v1::FinalizeInvoiceResponse> FinalizeInvoice(v1::FinalizeInvoiceRequest request,
                                                      CallBounds bounds);

 private:
  // InvoiceChange: one of an invoice's state transitions (send, void,
  // finalize), allowed `from` some states only.
  struct InvoiceChange {
    std::string action;
    stripe::InvoiceTransition transition = stripe::InvoiceTransition::kSend;
    std::string verb;  // "send": the confirmation asks "shall I send the invoice for $49.00?"
    std::string done;  // "sent"
    std::vector<std::string> from;
    std::string refused_reason;
  };
  template <typename Request, typename Response>
  Action<Response> ChangeInvoice(Request request, CallBounds bounds, InvoiceChange change,
                                 std::function<std::string(const stripe::Invoice&)> say);

  ActionEnv& env_;
  WritePipeline& writes_;
};

}  // namespace payvox

#endif  // PAYVOX_ACTIONS_INVOICES_H_
