#include "common/form_codec.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace payvox {
namespace {

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decode percent-decodes one name or value; `offset` locates it in the whole
// input for error messages.
absl::StatusOr<std::string> Decode(absl::string_view part, size_t offset) {
  std::string out;
  out.reserve(part.size());
  for (size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= part.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("form body has a truncated %-escape at byte ", offset + i));
      }
      const int hi = HexValue(part[i + 1]);
      const int lo = HexValue(part[i + 2]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("form body has an invalid %-escape at byte ", offset + i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::optional<absl::string_view> FormParams::Find(absl::string_view name) const {
  for (const Entry& entry : entries_) {
    if (entry.first == name) return entry.second;
  }
  return std::nullopt;
}

std::vector<FormParams::Entry> FormParams::WithPrefix(absl::string_view prefix) const {
  std::vector<Entry> out;
  for (const Entry& entry : entries_) {
    if (absl::StartsWith(entry.first, prefix)) out.push_back(entry);
  }
  return out;
}

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const FormParams::Entry& entry : params.entries()) {
    if (!out.empty()) out.push_back('&');
    absl::StrAppend(&out, PercentEncode(entry.first), "=", PercentEncode(entry.second));
  }
  return out;
}

absl::StatusOr<FormParams> ParseForm(absl::string_view encoded, size_t max_params) {
  FormParams params;
  size_t count = 0;
  size_t start = 0;
  while (start <= encoded.size()) {
    size_t end = encoded.find('&', start);
    if (end == absl::string_view::npos) end = encoded.size();
    const absl::string_view pair = encoded.substr(start, end - start);
    if (!pair.empty()) {
      if (++count > max_params) {
        return absl::InvalidArgumentError(
            absl::StrCat("form body has more than ", max_params, " parameters"));
      }
      const size_t eq = pair.find('=');
      const absl::string_view raw_name = pair.substr(0, eq);
      const absl::string_view raw_value =
          eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1);
      auto name = Decode(raw_name, start);
      if (!name.ok()) return name.status();
      if (name->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("form body has a parameter with an empty name at byte ", start));
      }
      auto value = Decode(raw_value, start + raw_name.size() + 1);
      if (!value.ok()) return value.status();
      params.Add(*std::move(name), *std::move(value));
    }
    start = end + 1;
  }
  return params;
}

}  // namespace payvox
