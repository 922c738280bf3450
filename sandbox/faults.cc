#include "sandbox/faults.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace payvox::sandbox {
namespace {

constexpr std::array<std::pair<absl::string_view, FaultKind>, 9> kKinds = {{
    {"latency", FaultKind::kLatency},
    {"status", FaultKind::kStatus},
    {"rate_limit", FaultKind::kRateLimit},
    {"lock_timeout", FaultKind::kLockTimeout},
    {"idempotency_key_in_use", FaultKind::kIdempotencyKeyInUse},
    {"reset", FaultKind::kResetBeforeResponse},
    {"drop_after_commit", FaultKind::kDropAfterCommit},
    {"trickle", FaultKind::kTrickle},
    {"malformed_json", FaultKind::kMalformedJson},
}};

absl::Status ReadInt(const FormParams& form, absl::string_view field, int64_t low, int64_t high,
                     int64_t& out) {
  const std::optional<absl::string_view> text = form.Find(field);
  if (!text.has_value()) return absl::OkStatus();
  if (!absl::SimpleAtoi(*text, &out) || out < low || out > high) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault field ", field, " must be an integer ", low, " to ", high));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FaultRule> ParseFaultRule(const FormParams& form) {
  FaultRule rule;
  const std::optional<absl::string_view> kind = form.Find("kind");
  if (!kind.has_value()) return absl::InvalidArgumentError("fault field kind is required");
  bool known = false;
  for (const auto& [name, value] : kKinds) {
    if (name == *kind) {
      rule.fault.kind = value;
      known = true;
    }
  }
  if (!known) {
    return absl::InvalidArgumentError(
        "fault field kind must be latency, status, rate_limit, lock_timeout, "
        "idempotency_key_in_use, reset, drop_after_commit, trickle or malformed_json");
  }
  if (std::optional<absl::string_view> method = form.Find("method"))
    rule.method = std::string(*method);
  if (std::optional<absl::string_view> path = form.Find("path"))
    rule.path_prefix = std::string(*path);
  int64_t times = 1, latency_ms = 0, status = 503, chunk_bytes = 16;
  for (absl::Status s :
       {ReadInt(form, "times", 1, 1000, times), ReadInt(form, "latency_ms", 0, 60000, latency_ms),
        ReadInt(form, "status", 500, 504, status),
        ReadInt(form, "chunk_bytes", 1, 65536, chunk_bytes)}) {
    if (!s.ok()) return s;
  }
  if (status == 501) {
    return absl::InvalidArgumentError("fault field status must be 500, 502, 503 or 504");
  }
  rule.times = static_cast<int>(times);
  rule.fault.latency = absl::Milliseconds(latency_ms);
  rule.fault.http_status = static_cast<int>(status);
  rule.fault.chunk_bytes = static_cast<size_t>(chunk_bytes);
  if (std::optional<absl::string_view> retry = form.Find("should_retry")) {
    if (*retry != "true" && *retry != "false") {
      return absl::InvalidArgumentError("fault field should_retry must be true or false");
    }
    rule.fault.should_retry = *retry == "true";
  }
  return rule;
}

void FaultPlan::Add(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(std::move(rule));
}

void FaultPlan::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

int FaultPlan::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  int uses = 0;
  for (const FaultRule& rule : rules_) uses += rule.times;
  return uses;
}

std::optional<Fault> FaultPlan::Take(absl::string_view method, absl::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!absl::StartsWith(path, it->path_prefix)) continue;
    const Fault fault = it->fault;
    if (--it->times <= 0) rules_.erase(it);
    return fault;
  }
  return std::nullopt;
}

}  // namespace payvox::sandbox
