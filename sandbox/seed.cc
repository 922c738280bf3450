// Demo data for `payvoxd --sandbox`, the demo call and the tests. Ids are
// fixed so scripts and tests can name them.
#include "absl/time/time.h"
#include "sandbox/emulator.h"

namespace payvox::sandbox {
namespace {

CardRecord Card(std::string id, std::string customer, std::string brand, std::string last4,
                int64_t created) {
  return CardRecord{
      std::move(id), std::move(customer), std::move(brand), std::move(last4), 12, 2030, created};
}

ChargeRecord Charge(std::string id, const CardRecord& card, int64_t amount, std::string currency,
                    std::string description, int64_t created) {
  ChargeRecord charge;
  charge.id = std::move(id);
  charge.customer = card.customer;
  charge.amount = amount;
  charge.currency = std::move(currency);
  charge.description = std::move(description);
  charge.payment_method = card.id;
  charge.status = "succeeded";
  charge.created = created;
  charge.card = card;
  return charge;
}

PaymentIntentRecord Intent(const ChargeRecord& charge) {
  PaymentIntentRecord intent;
  intent.id = charge.payment_intent;
  intent.customer = charge.customer;
  intent.amount = charge.amount;
  intent.amount_received = charge.captured ? charge.amount : 0;
  intent.currency = charge.currency;
  intent.description = charge.description;
  intent.status = charge.captured ? "succeeded" : "requires_capture";
  intent.capture_method = charge.captured ? "automatic" : "manual";
  intent.payment_method = charge.payment_method;
  intent.latest_charge = charge.id;
  intent.created = charge.created;
  return intent;
}

// Products, prices, subscriptions, invoices and payment intents of the demo
// customers.
void SeedBilling(StripeEmulator& emulator, int64_t now) {
  const int64_t day = 24 * 3600;
  emulator.AddProduct({"prod_DemoPro", "Pro plan", "Everything in Starter, plus reports",
                       "price_DemoProMonthly", true, now - 500 * day});
  emulator.AddProduct({"prod_DemoTeam", "Team plan", "Pro for up to 20 seats",
                       "price_DemoTeamMonthly", true, now - 500 * day});
  emulator.AddProduct({"prod_DemoStarter", "Starter plan", "The basics", "price_DemoStarterYen",
                       true, now - 500 * day});
  emulator.AddPrice({"price_DemoProMonthly", "prod_DemoPro", "usd", 4900, "Pro monthly", "month", 1,
                     true, now - 500 * day});
  emulator.AddPrice({"price_DemoProYearly", "prod_DemoPro", "usd", 49000, "Pro yearly", "year", 1,
                     true, now - 500 * day});
  emulator.AddPrice({"price_DemoTeamMonthly", "prod_DemoTeam", "usd", 9900, "Team monthly", "month",
                     1, true, now - 500 * day});
  emulator.AddPrice({"price_DemoStarterYen", "prod_DemoStarter", "jpy", 5000, "Starter monthly",
                     "month", 1, true, now - 500 * day});
  emulator.AddPrice({"price_DemoSetupFee", "prod_DemoPro", "usd", 2500, "Setup fee", "", 1, true,
                     now - 500 * day});

  // Jenny pays Pro monthly; the plan charge paid November's invoice.
  SubscriptionRecord jenny;
  jenny.id = "sub_DemoJennyPro";
  jenny.customer = "cus_DemoJennyRosen";
  jenny.item_id = "si_DemoJennyPro";
  jenny.price = "price_DemoProMonthly";
  jenny.current_period_start = now - 2 * day;
  jenny.current_period_end = now + 28 * day;
  jenny.latest_invoice = "in_DemoJennyNovember";
  jenny.created = now - 400 * day;
  emulator.AddSubscription(jenny);
  InvoiceRecord november;
  november.id = "in_DemoJennyNovember";
  november.customer = jenny.customer;
  november.subscription = jenny.id;
  november.number = "DEMO-0001";
  november.status = "paid";
  november.created = now - 2 * day;
  november.period_start = now - 2 * day;
  november.period_end = now - 2 * day;
  november.hosted_invoice_url =
      "https://invoice.stripe.com/i/acct_sandbox/test_in_DemoJennyNovember";
  november.lines.push_back({"il_DemoJennyNovember", 4900, "usd", "1 × Pro plan (monthly)", 1,
                            "price_DemoProMonthly", now - 2 * day, now + 28 * day, false});
  november.amount_paid = 4900;
  emulator.AddInvoice(november);

  // Sam's team plan ends with this period; an emailed invoice is open.
  SubscriptionRecord sam;
  sam.id = "sub_DemoSamTeam";
  sam.customer = "cus_DemoSamLee";
  sam.item_id = "si_DemoSamTeam";
  sam.price = "price_DemoTeamMonthly";
  sam.quantity = 3;
  sam.current_period_start = now - 10 * day;
  sam.current_period_end = now + 20 * day;
  sam.cancel_at_period_end = true;
  sam.created = now - 300 * day;
  emulator.AddSubscription(sam);
  InvoiceRecord open;
  open.id = "in_DemoSamOpen";
  open.customer = sam.customer;
  open.number = "DEMO-0002";
  open.status = "open";
  open.collection_method = "send_invoice";
  open.description = "Onboarding workshop";
  open.created = now - 5 * day;
  open.due_date = now + 25 * day;
  open.hosted_invoice_url = "https://invoice.stripe.com/i/acct_sandbox/test_in_DemoSamOpen";
  open.lines.push_back({"il_DemoSamWorkshop", 15000, "usd", "Onboarding workshop", 1, "",
                        now - 5 * day, now - 5 * day, false});
  emulator.AddInvoice(open);

  // Hiro pays the Starter plan in yen and has paused collection.
  SubscriptionRecord hiro;
  hiro.id = "sub_DemoHiroStarter";
  hiro.customer = "cus_DemoHiroTanaka";
  hiro.item_id = "si_DemoHiroStarter";
  hiro.price = "price_DemoStarterYen";
  hiro.current_period_start = now - 5 * day;
  hiro.current_period_end = now + 25 * day;
  hiro.pause_behavior = "void";
  hiro.created = now - 100 * day;
  emulator.AddSubscription(hiro);

  // Layla has a draft invoice waiting to be finalized.
  InvoiceRecord draft;
  draft.id = "in_DemoLaylaDraft";
  draft.customer = "cus_DemoLaylaHaddad";
  draft.currency = "kwd";
  draft.created = now - day;
  draft.lines.push_back({"il_DemoLaylaConsulting", 45000, "kwd", "Consulting, 3 hours", 1, "",
                         now - day, now - day, false});
  emulator.AddInvoice(draft);
}

}  // namespace

void SeedDemoData(StripeEmulator& emulator) {
  const int64_t now = absl::ToUnixSeconds(emulator.clock().Now());
  const int64_t day = 24 * 3600;

  // Jenny: one card, a failed charge, a plan charge and its duplicate.
  emulator.AddCustomer({"cus_DemoJennyRosen",
                        "Jenny Rosen",
                        "jenny.rosen@example.com",
                        "+14155550101",
                        "Pro plan customer",
                        now - 400 * day,
                        {}});
  const CardRecord jenny_visa =
      Card("pm_DemoJennyVisa", "cus_DemoJennyRosen", "visa", "4242", now - 400 * day);
  emulator.AddCard(jenny_visa);
  ChargeRecord failed =
      Charge("ch_DemoJennyFailed", jenny_visa, 1250, "usd", "Add-on: extra seats", now - 3 * day);
  failed.status = "failed";
  failed.failure_code = "card_declined";
  failed.decline_code = "insufficient_funds";
  failed.failure_message = "Your card has insufficient funds.";
  emulator.AddCharge(failed);
  ChargeRecord plan =
      Charge("ch_DemoJennyPlan", jenny_visa, 4900, "usd", "Pro plan (monthly)", now - 2 * day);
  plan.invoice = "in_DemoJennyNovember";
  plan.payment_intent = "pi_DemoJennyPlan";
  emulator.AddCharge(plan);
  ChargeRecord duplicate = Charge("ch_DemoJennyDuplicate", jenny_visa, 4900, "usd",
                                  "Pro plan (monthly)", now - 2 * day + 40);
  duplicate.payment_intent = "pi_DemoJennyDuplicate";
  emulator.AddCharge(duplicate);
  emulator.AddPaymentIntent(Intent(plan));
  emulator.AddPaymentIntent(Intent(duplicate));

  // Two customers share one email: a lookup by email must not guess.
  emulator.AddCustomer({"cus_DemoSamLee",
                        "Sam Lee",
                        "sam.lee@example.com",
                        "+14155550102",
                        "",
                        now - 300 * day,
                        {}});
  emulator.AddCustomer({"cus_DemoSamanthaLee",
                        "Samantha Lee",
                        "sam.lee@example.com",
                        "+14155550103",
                        "",
                        now - 200 * day,
                        {}});
  const CardRecord sam_amex =
      Card("pm_DemoSamAmex", "cus_DemoSamLee", "amex", "0005", now - 300 * day);
  emulator.AddCard(sam_amex);
  emulator.AddCard(
      Card("pm_DemoSamanthaVisa", "cus_DemoSamanthaLee", "visa", "1881", now - 200 * day));
  emulator.AddCharge(
      Charge("ch_DemoSamLunch", sam_amex, 2599, "usd", "Team lunch box", now - 10 * day));
  // An authorization waiting for capture.
  ChargeRecord hold =
      Charge("ch_DemoSamHold", sam_amex, 8000, "usd", "Equipment deposit", now - day);
  hold.payment_intent = "pi_DemoSamHold";
  hold.captured = false;
  emulator.AddCharge(hold);
  emulator.AddPaymentIntent(Intent(hold));

  // A zero-decimal and a three-decimal currency.
  emulator.AddCustomer({"cus_DemoHiroTanaka",
                        "Hiro Tanaka",
                        "hiro.tanaka@example.jp",
                        "+81312345678",
                        "",
                        now - 100 * day,
                        {}});
  const CardRecord hiro_mc =
      Card("pm_DemoHiroMastercard", "cus_DemoHiroTanaka", "mastercard", "4444", now - 100 * day);
  emulator.AddCard(hiro_mc);
  emulator.AddCharge(Charge("ch_DemoHiroYen", hiro_mc, 5000, "jpy", "Starter plan", now - 5 * day));

  emulator.AddCustomer({"cus_DemoLaylaHaddad",
                        "Layla Haddad",
                        "layla.haddad@example.com",
                        "+96522000000",
                        "",
                        now - 50 * day,
                        {}});
  const CardRecord layla_visa =
      Card("pm_DemoLaylaVisa", "cus_DemoLaylaHaddad", "visa", "0077", now - 50 * day);
  emulator.AddCard(layla_visa);
  emulator.AddCharge(
      Charge("ch_DemoLaylaDinar", layla_visa, 1500, "kwd", "Starter plan", now - 4 * day));

  SeedBilling(emulator, now);
}

}  // namespace payvox::sandbox
