// Decode throughput of a list of 100 charges against a raw simdjson parse of
// the same bytes (docs/benchmarks.md).
#include <simdjson.h>

#include "benchmark/benchmark.h"
#include "client/stripe_decoders.h"

namespace payvox::stripe {
namespace {

std::string HundredCharges() {
  std::string body = R"({"object":"list","url":"/v1/charges","has_more":true,"data":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) body += ",";
    body +=
        R"({"id":"ch_3PpQ2eLkdIwHu7ix)" + std::to_string(1000 + i) +
        R"(","object":"charge","amount":4900,"amount_captured":4900,"amount_refunded":0,"balance_transaction":"txn_1","billing_details":{"address":{"city":null,"country":"US","line1":null,"postal_code":"94107"},"email":null,"name":"Jenny Rosen","phone":null},"captured":true,"created":1790000000,"currency":"usd","customer":"cus_Jenny","description":"Pro plan","disputed":false,"failure_code":null,"failure_message":null,"invoice":"in_1","livemode":false,"metadata":{},"outcome":{"network_status":"approved_by_network","risk_level":"normal","risk_score":32,"seller_message":"Payment complete.","type":"authorized"},"paid":true,"payment_intent":"pi_1","payment_method":"pm_1","payment_method_details":{"card":{"brand":"visa","checks":{"cvc_check":"pass"},"country":"US","exp_month":12,"exp_year":2030,"fingerprint":"abc","funding":"credit","last4":"4242","network":"visa"},"type":"card"},"receipt_url":"https://pay.stripe.com/receipts/x","refunded":false,"status":"succeeded"})";
  }
  body += "]}";
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return body;
}

void BM_DecodeChargeList100(benchmark::State& state) {
  const std::string body = HundredCharges();
  for (auto _ : state) {
    auto list = DecodeChargeList(body);
    if (!list.ok() || list->data.size() != 100) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(list);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_DecodeChargeList100);

void BM_RawSimdjsonParse100(benchmark::State& state) {
  const simdjson::padded_string body(HundredCharges());
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(body).get(root)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_RawSimdjsonParse100);

}  // namespace
}  // namespace payvox::stripe
