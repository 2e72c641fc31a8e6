// Device URIs: "scheme:path?key=value&key=value".
#ifndef ZGC_SRC_ZONES_URI_H_
#define ZGC_SRC_ZONES_URI_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "zgc/device.h"

namespace zgc {

class Uri {
 public:
  // Fails with kInvalidArgument for a missing scheme, an empty or repeated key.
  static Result<Uri> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  const std::string& scheme() const { return scheme_; }
  const std::string& path() const { return path_; }
  bool Has(const std::string& key) const { return params_.count(key) != 0; }

  // Typed accessors; each marks the key as used. A present key with a malformed
  // value fails with kInvalidArgument naming the key and the value.
  Result<uint64_t> Size(const std::string& key, uint64_t fallback) const;
  Result<uint64_t> Count(const std::string& key, uint64_t fallback) const;
  Result<bool> Flag(const std::string& key, bool fallback) const;
  Result<std::string> Text(const std::string& key, const std::string& fallback) const;

  // kInvalidArgument naming any key no accessor asked for (catches typos).
  Status CheckAllUsed() const;

 private:
  // The value of key, marked used; nullptr when absent.
  const std::string* Take(const std::string& key) const;

  std::string text_, scheme_, path_;
  std::map<std::string, std::string> params_;
  mutable std::set<std::string> used_;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_URI_H_
