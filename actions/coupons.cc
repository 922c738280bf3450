#include "actions/coupons.h"

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

// Letters and digits that cannot be misheard or misread for one another
// (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B).
constexpr absl::string_view kSpokenAlphabet = "ACDEFHJKMNPRTUVWXY3479";

// PromotionCodeFor derives a 6-character code from the write's key (hex
// SHA-256 after "pvx_"), so a retried request asks Stripe for the same code.
std::string PromotionCodeFor(const std::string& idempotency_key) {
  std::string code;
  for (size_t i = 0; i < 6; ++i) {
    const int byte = std::stoi(idempotency_key.substr(4 + i * 2, 2), nullptr, 16);
    code.push_back(kSpokenAlphabet[static_cast<size_t>(byte) % kSpokenAlphabet.size()]);
  }
  return code;
}

}  // namespace

Action<v1::CreateCouponResponse> CouponActions::CreateCoupon(v1::CreateCouponRequest request,
                                                             CallBounds bounds) {
  PAYVOX_CO_RETURN_IF_ERROR(ValidateContext(request.context(), true));
  const bool percent = request.percent_off() != 0;
  if (percent == request.has_amount_off()) {
    co_return absl::InvalidArgumentError("set exactly one of percent_off and amount_off");
  }
  if (percent && !(request.percent_off() > 0 && request.percent_off() <= 100)) {
    co_return absl::InvalidArgumentError("percent_off must be more than 0 and at most 100");
  }
  if (!percent) PAYVOX_CO_RETURN_IF_ERROR(ValidateMoney("amount_off", request.amount_off()));
  const std::string duration = request.duration().empty() ? "once" : request.duration();
  if (duration != "once" && duration != "repeating" && duration != "forever") {
    co_return absl::InvalidArgumentError("duration must be once, repeating or forever");
  }
  if ((duration == "repeating") !=
      (request.duration_in_months() > 0 && request.duration_in_months() <= 36)) {
    co_return absl::InvalidArgumentError(
        "duration_in_months must be 1 to 36 for a repeating coupon, and unset otherwise");
  }
  if (request.max_redemptions() < 0) {
    co_return absl::InvalidArgumentError("max_redemptions must be 0 (unlimited) or more");
  }
  if (request.redeem_by() != 0 && request.redeem_by() <= absl::ToUnixSeconds(env_.clock.Now())) {
    co_return absl::InvalidArgumentError("redeem_by must be in the future (Unix seconds) or 0");
  }
  if (!request.customer_id().empty()) {
    PAYVOX_CO_RETURN_IF_ERROR(
        stripe::ValidateStripeId("customer_id", request.customer_id(), {"cus_"}));
  }
  auto plan = [&](const v1::TenantPolicy& policy)
      -> boost::asio::awaitable<absl::StatusOr<WritePlan<v1::CreateCouponResponse>>> {
    WritePlan<v1::CreateCouponResponse> write;
    write.facts.coupon =
        policy::CouponFacts{.percent_off = request.percent_off(),
                            .amount_off = percent ? 0 : request.amount_off().amount_minor(),
                            .currency = percent ? "" : request.amount_off().currency()};
    write.customer = request.customer_id();
    write.target = request.customer_id();
    write.amount = percent ? 0 : request.amount_off().amount_minor();
    write.currency = percent ? "" : request.amount_off().currency();
    // Coupons count against a daily number.
    write.limit = LimitUse{
        .kind = kCouponUsage,
        .amount = 1,
        .tenant_limit = policy.coupons().daily_count() > 0
                            ? std::optional<int64_t>(policy.coupons().daily_count())
                            : std::nullopt,
        .tenant_used = &policy::Usage::coupons_today,
        .over_limit = {policy::Verdict::kDeny, "coupons.daily_count", "coupon_daily_count_reached",
                       "This business's coupons for today are used up",
                       "I can't create a discount today, but I'll pass it to the team."}};
    write.send = [&](const std::string& key) -> Action<v1::CreateCouponResponse> {
      stripe::CouponParams params{.percent_off = request.percent_off(),
                                  .duration = duration,
                                  .duration_in_months = request.duration_in_months(),
                                  .max_redemptions = request.max_redemptions(),
                                  .redeem_by = request.redeem_by(),
                                  .metadata = {{"payvox_call_id", request.context().call_id()}}};
      if (!percent) {
        params.amount_off = request.amount_off().amount_minor();
        params.currency = request.amount_off().currency();
      }
      const stripe::CallOptions options{.bounds = bounds, .idempotency_key = key};
      PAYVOX_CO_ASSIGN_OR_RETURN(const stripe::Coupon coupon,
                                 co_await env_.stripe.CreateCoupon(std::move(params), options));
      v1::CreateCouponResponse response;
      *response.mutable_coupon() = ToProto(coupon);
      if (request.customer_id().empty()) {
        response.set_say(absl::StrCat("Done: ", CouponSay(coupon), "."));
        co_return response;
      }
      // A one-time code only this customer can redeem.
      stripe::PromotionCodeParams promotion{.coupon = coupon.id,
                                            .code = PromotionCodeFor(key),
                                            .customer = request.customer_id(),
                                            .max_redemptions = 1};
      const stripe::CallOptions second{.bounds = bounds,
                                       .idempotency_key = absl::StrCat(key, "_promo")};
      PAYVOX_CO_ASSIGN_OR_RETURN(
          const stripe::PromotionCode code,
          co_await env_.stripe.CreatePromotionCode(std::move(promotion), second));
      response.mutable_coupon()->set_promotion_code_id(code.id);
      response.mutable_coupon()->set_code(code.code);
      response.mutable_coupon()->set_code_spoken(SpellOut(code.code));
      response.set_say(
          absl::StrCat("Done: ", CouponSay(coupon), ". Your code is ", SpellOut(code.code), "."));
      co_return response;
    };
    write.result_id = [](const v1::CreateCouponResponse& response) {
      return response.coupon().id();
    };
    co_return write;
  };
  const v1::CallContext context = request.context();
  co_return co_await writes_.Run<v1::CreateCouponResponse>(request, context, "create_coupon",
                                                           bounds, std::move(plan));
}

}  // namespace payvox
