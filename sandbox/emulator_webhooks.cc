// emulator_webhooks.cc: webhook endpoints and the deliveries of the events
// the sandbox records, as Stripe has them: an endpoint is created with its
// URL and the event types it wants ("*" for all) and answers with its
// whsec_ signing secret once; every later event of a wanted type is queued
// for it, in the order events happen.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "sandbox/emulator.h"
#include "sandbox/wire.h"

namespace payvox::sandbox {
namespace {

// Stripe's limit on endpoints per account.
constexpr size_t kMaxEndpoints = 16;

bool ValidUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return false;
  }
  return !rest.empty() && rest.front() != '/' && url.size() <= 2048 &&
         std::none_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c == 0x7f; });
}

// An event type as Stripe spells them ("charge.refunded"), or "*".
bool ValidEventType(absl::string_view type) {
  if (type == "*") return true;
  return !type.empty() && type.size() <= 100 && absl::StrContains(type, '.') &&
         std::all_of(type.begin(), type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || c == '.'; });
}

// ReadEnabledEvents reads enabled_events[] (or enabled_events[N]);
// nullopt with `error` set when one is malformed.
std::optional<std::vector<std::string>> ReadEnabledEvents(const FormParams& params,
                                                          EmulatorResponse& error) {
  std::vector<std::string> types;
  for (const auto& [name, value] : params.WithPrefix("enabled_events[")) {
    if (!ValidEventType(value)) {
      error = InvalidRequest(
          absl::StrCat("Invalid enabled_events: '", value, "' is not an event type or '*'."), "",
          "enabled_events");
      return std::nullopt;
    }
    types.push_back(value);
  }
  return types;
}

bool Wants(const WebhookEndpointRecord& endpoint, absl::string_view type) {
  return std::any_of(endpoint.enabled_events.begin(), endpoint.enabled_events.end(),
                     [&](const std::string& wanted) { return wanted == "*" || wanted == type; });
}

bool AllowedParam(absl::string_view name, std::initializer_list<absl::string_view> names) {
  return absl::StartsWith(name, "enabled_events[") || absl::StartsWith(name, "metadata[") ||
         std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<std::string> UnknownEndpointParam(const FormParams& params,
                                                std::initializer_list<absl::string_view> names) {
  for (const auto& [name, value] : params.entries()) {
    if (name != "expand[]" && !AllowedParam(name, names)) return name;
  }
  return std::nullopt;
}

}  // namespace

EmulatorResponse StripeEmulator::ListWebhookEndpoints(const RouteMatch& match) {
  if (auto unknown = UnknownParam(match.params, {"limit", "starting_after"})) {
    return UnknownParamError(*unknown);
  }
  std::vector<const WebhookEndpointRecord*> newest_first;
  for (auto it = webhook_endpoints_.rbegin(); it != webhook_endpoints_.rend(); ++it) {
    newest_first.push_back(&*it);
  }
  return ListEnvelope("/v1/webhook_endpoints", "webhook_endpoint", newest_first, match.params,
                      [](const WebhookEndpointRecord& endpoint) {
                        return ToJson(endpoint, /*with_secret=*/false);
                      });
}

EmulatorResponse StripeEmulator::RetrieveWebhookEndpoint(const RouteMatch& match) {
  const WebhookEndpointRecord* endpoint = FindById(webhook_endpoints_, match.ids[0]);
  if (endpoint == nullptr) return NoSuch("webhook_endpoint", match.ids[0], "id");
  return Json(200, ToJson(*endpoint, /*with_secret=*/false));
}

EmulatorResponse StripeEmulator::ChangeWebhookEndpoint(const RouteMatch& match) {
  WebhookEndpointRecord* endpoint = FindMutable(webhook_endpoints_, match.ids[0]);
  if (endpoint == nullptr) return NoSuch("webhook_endpoint", match.ids[0], "id");
  return UpdateWebhookEndpoint(*endpoint, match.params);
}

EmulatorResponse StripeEmulator::DeleteWebhookEndpoint(const RouteMatch& match) {
  WebhookEndpointRecord* endpoint = FindMutable(webhook_endpoints_, match.ids[0]);
  if (endpoint == nullptr) return NoSuch("webhook_endpoint", match.ids[0], "id");
  const std::string id = endpoint->id;
  webhook_endpoints_.erase(webhook_endpoints_.begin() + (endpoint - webhook_endpoints_.data()));
  return Json(200,
              absl::StrCat(R"({"id":")", id, R"(","object":"webhook_endpoint","deleted":true})"));
}

EmulatorResponse StripeEmulator::CreateWebhookEndpoint(const Params& params) {
  if (auto unknown = UnknownEndpointParam(params, {"url", "description", "api_version"})) {
    return UnknownParamError(*unknown);
  }
  const auto url = params.Find("url");
  if (!url) return MissingParam("url");
  if (!ValidUrl(*url)) {
    return InvalidRequest("Invalid URL: use an absolute http:// or https:// URL.", "url_invalid",
                          "url");
  }
  EmulatorResponse error;
  std::optional<std::vector<std::string>> types = ReadEnabledEvents(params, error);
  if (!types) return error;
  if (types->empty()) return MissingParam("enabled_events");
  if (webhook_endpoints_.size() >= kMaxEndpoints) {
    return InvalidRequest("You have reached the maximum of 16 webhook endpoints on this account.");
  }
  WebhookEndpointRecord endpoint;
  endpoint.id = NewId("we_");
  endpoint.url = std::string(*url);
  endpoint.secret = NewId("whsec_");
  endpoint.enabled_events = *std::move(types);
  endpoint.description = std::string(params.Find("description").value_or(""));
  endpoint.created = absl::ToUnixSeconds(clock_.Now());
  webhook_endpoints_.push_back(endpoint);
  return Json(200, ToJson(endpoint, /*with_secret=*/true));
}

EmulatorResponse StripeEmulator::UpdateWebhookEndpoint(WebhookEndpointRecord& endpoint,
                                                       const Params& params) {
  if (auto unknown = UnknownEndpointParam(params, {"url", "description", "disabled"})) {
    return UnknownParamError(*unknown);
  }
  if (auto url = params.Find("url")) {
    if (!ValidUrl(*url)) {
      return InvalidRequest("Invalid URL: use an absolute http:// or https:// URL.", "url_invalid",
                            "url");
    }
    endpoint.url = std::string(*url);
  }
  EmulatorResponse error;
  std::optional<std::vector<std::string>> types = ReadEnabledEvents(params, error);
  if (!types) return error;
  if (!types->empty()) endpoint.enabled_events = *std::move(types);
  if (auto description = params.Find("description"))
    endpoint.description = std::string(*description);
  bool disabled = !endpoint.enabled;
  if (auto parse_error = ParseBool(params, "disabled", disabled)) return *parse_error;
  endpoint.enabled = !disabled;
  return Json(200, ToJson(endpoint, /*with_secret=*/false));
}

void StripeEmulator::QueueDeliveries(const EventRecord& event) {
  bool queued = false;
  for (const WebhookEndpointRecord& endpoint : webhook_endpoints_) {
    if (!endpoint.enabled || !Wants(endpoint, event.type)) continue;
    if (deliveries_.size() >= kMaxPendingDeliveries) {
      deliveries_.pop_front();
      ++dropped_deliveries_;
    }
    deliveries_.push_back(WebhookDelivery{.endpoint_id = endpoint.id,
                                          .url = endpoint.url,
                                          .secret = endpoint.secret,
                                          .event_id = event.id,
                                          .event_type = event.type,
                                          .payload = ToJson(event)});
    queued = true;
  }
  if (queued) delivery_ready_.notify_all();
}

std::optional<WebhookDelivery> StripeEmulator::NextDelivery(absl::Duration wait) {
  std::unique_lock<std::mutex> lock(mu_);
  delivery_ready_.wait_for(lock, absl::ToChronoNanoseconds(wait),
                           [this]()
                               ABSL_NO_THREAD_SAFETY_ANALYSIS { return !deliveries_.empty(); });
  if (deliveries_.empty()) return std::nullopt;
  WebhookDelivery delivery = std::move(deliveries_.front());
  deliveries_.pop_front();
  return delivery;
}

int64_t StripeEmulator::dropped_deliveries() {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_deliveries_;
}

}  // namespace payvox::sandbox
