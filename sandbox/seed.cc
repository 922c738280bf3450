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
}

}  // namespace payvox::sandbox
