// form_codec.h: application/x-www-form-urlencoded bodies and query strings in
// Stripe's bracket notation.
//
// Stripe nests parameters by naming them: `metadata[order]=1234`,
// `items[0][price]=price_123`, `expand[]=data.customer`. A FormParams keeps
// those names as flat strings in order; the bracket notation is only in the
// names, so encoding and decoding need no tree.
//
//   FormParams params;
//   params.Add("charge", "ch_123");
//   params.Add("metadata[call_id]", "call-9");
//   EncodeForm(params)  -> "charge=ch_123&metadata%5Bcall_id%5D=call-9"
#ifndef PAYVOX_COMMON_FORM_CODEC_H_
#define PAYVOX_COMMON_FORM_CODEC_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace payvox {

// FormParams is an ordered list of name/value pairs. Names may repeat
// (`expand[]`). Not thread-safe.
class FormParams {
 public:
  using Entry = std::pair<std::string, std::string>;

  void Add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
  }
  // Find returns the first value named `name`.
  std::optional<absl::string_view> Find(absl::string_view name) const;
  // WithPrefix returns the entries whose name starts with `prefix`, e.g.
  // "metadata[" for the metadata hash.
  std::vector<Entry> WithPrefix(absl::string_view prefix) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

// PercentEncode escapes everything but RFC 3986 unreserved characters.
std::string PercentEncode(absl::string_view text);

// EncodeForm writes `name=value&...` with both sides percent-encoded.
std::string EncodeForm(const FormParams& params);

// ParseForm reads a body or query string: '+' is a space, %XX is a byte.
// Returns INVALID_ARGUMENT naming the offset of a bad escape, or when the
// input holds more than `max_params` pairs.
absl::StatusOr<FormParams> ParseForm(absl::string_view encoded, size_t max_params = 1000);

}  // namespace payvox

#endif  // PAYVOX_COMMON_FORM_CODEC_H_
