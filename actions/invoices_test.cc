// Unit tests of the invoices family against a scripted Stripe.
#include "actions/invoices.h"

#include "actions/testing/action_test_env.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::ActionTest;
using ::payvox::testing::RunCoroutine;
using ::payvox::testing::StatusIs;
using ::testing::HasSubstr;

class InvoicesTest : public ActionTest {
 protected:
  InvoicesTest() {
    v1::TenantPolicy policy;
    policy.add_enabled_actions("view_invoices");
    policy.add_enabled_actions("manage_invoices");
    actions_.PolicyChanged(policy);
  }
};

TEST_F(InvoicesTest, OnlyAnOpenInvoiceIsVoidedAndVoidingNeedsConfirmation) {
  stripe_.Answer("GET /v1/invoices/in_1", 200,
                 R"({"id": "in_1", "customer": "cus_1", "status": "open", "currency": "usd",
                     "amount_due": 4900, "total": 4900})");
  stripe_.Answer("POST /v1/invoices/in_1/void", 200,
                 R"({"id": "in_1", "customer": "cus_1", "status": "void", "currency": "usd",
                     "total": 4900})");
  ASSERT_TRUE(Verify("4242")->verified());
  v1::VoidInvoiceRequest request;
  *request.mutable_context() = Context("void-1");
  request.set_invoice_id("in_1");
  // Destructive: the caller must have said yes to it.
  EXPECT_THAT(RunCoroutine(actions_.invoices.VoidInvoice(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  request.mutable_context()->set_confirmed(true);
  absl::StatusOr<v1::VoidInvoiceResponse> voided =
      RunCoroutine(actions_.invoices.VoidInvoice(request, absl::InfiniteFuture()));
  ASSERT_TRUE(voided.ok()) << voided.status();
  EXPECT_THAT(voided->say(), HasSubstr("$49.00 is voided"));
  EXPECT_EQ(stripe_.requests().back().path, "/v1/invoices/in_1/void");

  stripe_.Answer("GET /v1/invoices/in_1", 200,
                 R"({"id": "in_1", "customer": "cus_1", "status": "paid", "currency": "usd"})");
  *request.mutable_context() = Context("void-2");
  request.mutable_context()->set_confirmed(true);
  EXPECT_THAT(RunCoroutine(actions_.invoices.VoidInvoice(request, absl::InfiniteFuture())),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("this one is paid")));
}

TEST_F(InvoicesTest, ADraftGetsOneItemPerLineEachWithItsOwnKey) {
  stripe_.Answer("POST /v1/invoices", 200,
                 R"({"id": "in_2", "customer": "cus_1", "status": "draft", "currency": "usd"})");
  stripe_.Answer("POST /v1/invoiceitems", 200, R"({"id": "ii_1"})");
  stripe_.Answer("GET /v1/invoices/in_2", 200,
                 R"({"id": "in_2", "customer": "cus_1", "status": "draft", "currency": "usd",
                     "total": 2500})");
  ASSERT_TRUE(Verify("4242")->verified());
  v1::CreateInvoiceRequest request;
  *request.mutable_context() = Context("draft-1");
  request.set_customer_id("cus_1");
  for (const int64_t amount : {1000, 1500}) {
    v1::InvoiceLine* line = request.add_lines();
    line->mutable_amount()->set_amount_minor(amount);
    line->mutable_amount()->set_currency("usd");
    line->set_description("Setup");
  }
  absl::StatusOr<v1::CreateInvoiceResponse> draft =
      RunCoroutine(actions_.invoices.CreateInvoice(request, absl::InfiniteFuture()));
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_THAT(draft->say(), HasSubstr("$25.00"));
  std::vector<std::string> item_keys;
  for (const stripe::StripeRequest& sent : stripe_.requests()) {
    if (sent.path == "/v1/invoiceitems") item_keys.push_back(sent.idempotency_key);
  }
  ASSERT_EQ(item_keys.size(), 2u);
  EXPECT_THAT(item_keys[0], ::testing::EndsWith("_line0"));
  EXPECT_THAT(item_keys[1], ::testing::EndsWith("_line1"));
}

}  // namespace
}  // namespace payvox
