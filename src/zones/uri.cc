#include "src/zones/uri.h"

#include <charconv>
#include <limits>

namespace zgc {

namespace {

Result<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return Status::InvalidArgument("'" + std::string(text) + "' is not a non-negative integer");
  return v;
}

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), v, 16);
    if (ec == std::errc() && p == text.data() + text.size()) return v;
    return Status::InvalidArgument("'" + std::string(text) + "' is not a hexadecimal size");
  }
  std::string_view digits = text;
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  digits = text.substr(0, i);
  std::string_view suffix = text.substr(i);
  unsigned shift = 0;
  if (!suffix.empty()) {
    switch (suffix[0]) {
      case 'k':
      case 'K':
        shift = 10;
        break;
      case 'm':
      case 'M':
        shift = 20;
        break;
      case 'g':
      case 'G':
        shift = 30;
        break;
      case 't':
      case 'T':
        shift = 40;
        break;
      case 'b':
      case 'B':
        shift = 0;
        break;
      default:
        shift = 64;
    }
    std::string_view rest = suffix.substr(1);
    if (shift == 0 && !rest.empty()) shift = 64;
    if (shift != 0 && !(rest.empty() || rest == "B" || rest == "iB" || rest == "ib")) shift = 64;
  }
  if (digits.empty() || shift == 64)
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a size (examples: 4096, 64K, 60M, 1G)");
  // digits are all decimal digits: ParseUnsigned fails only when they overflow.
  auto n = ParseUnsigned(digits);
  if (!n.ok()) return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
  const uint64_t v = *n;
  if (shift && v > (std::numeric_limits<uint64_t>::max() >> shift))
    return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
  return v << shift;
}

Result<Uri> Uri::Parse(std::string_view text) {
  Uri uri;
  uri.text_ = std::string(text);
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Status::InvalidArgument("device URI '" + uri.text_ +
                                   "' has no scheme (expected zbd:, emu: or mem:)");
  uri.scheme_ = std::string(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);
  const size_t q = rest.find('?');
  uri.path_ = std::string(rest.substr(0, q));
  if (q == std::string_view::npos) return uri;
  std::string_view query = rest.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    std::string key(item.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : item.substr(eq + 1));
    if (key.empty())
      return Status::InvalidArgument("device URI '" + uri.text_ +
                                     "' has a parameter without a name");
    if (!uri.params_.emplace(key, value).second)
      return Status::InvalidArgument("device URI '" + uri.text_ + "' repeats parameter '" + key +
                                     "'");
  }
  return uri;
}

const std::string* Uri::Take(const std::string& key) const {
  auto it = params_.find(key);
  if (it == params_.end()) return nullptr;
  used_.insert(key);
  return &it->second;
}

Result<uint64_t> Uri::Size(const std::string& key, uint64_t fallback) const {
  const std::string* v = Take(key);
  if (!v) return fallback;
  auto n = ParseSize(*v);
  return n.ok() ? n : n.status().WithContext(text_ + ": parameter " + key);
}

Result<uint64_t> Uri::Count(const std::string& key, uint64_t fallback) const {
  const std::string* v = Take(key);
  if (!v) return fallback;
  auto n = ParseUnsigned(*v);
  return n.ok() ? n : n.status().WithContext(text_ + ": parameter " + key);
}

Result<bool> Uri::Flag(const std::string& key, bool fallback) const {
  const std::string* v = Take(key);
  if (!v) return fallback;
  if (v->empty() || *v == "1" || *v == "true" || *v == "yes") return true;
  if (*v == "0" || *v == "false" || *v == "no") return false;
  return Status::InvalidArgument(text_ + ": parameter " + key + "='" + *v + "' is not 0 or 1");
}

Result<std::string> Uri::Text(const std::string& key, const std::string& fallback) const {
  const std::string* v = Take(key);
  return v ? *v : fallback;
}

Status Uri::CheckAllUsed() const {
  for (const auto& [key, value] : params_) {
    if (!used_.count(key))
      return Status::InvalidArgument("device URI '" + text_ + "': unknown parameter '" + key + "'");
  }
  return Status::OK();
}

}  // namespace zgc
