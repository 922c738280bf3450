// strict_json.h: JSON as RFC 8259 writes it, for the files and documents an
// operator hands payvox (the config, a policy). Protobuf's JSON reader
// accepts single quotes, trailing commas and a key given twice (the last
// one wins, silently); a config with those is more likely a mistake than a
// wish, so payvox refuses them before protobuf reads the text.
//
//   PAYVOX_RETURN_IF_ERROR(CheckStrictJson(text, "the config"));
#ifndef PAYVOX_COMMON_STRICT_JSON_H_
#define PAYVOX_COMMON_STRICT_JSON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace payvox {

// CheckStrictJson: OK for one strict JSON value; INVALID_ARGUMENT naming
// `what` and the fault (simdjson's word for a syntax error, or the path of
// a duplicated key: "policy.refunds.daily_limit").
absl::Status CheckStrictJson(absl::string_view text, absl::string_view what);

}  // namespace payvox

#endif  // PAYVOX_COMMON_STRICT_JSON_H_
