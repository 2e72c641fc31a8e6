// zgc::ParseSize against a second, independent reading of its grammar:
//   size := "0x" hex+ | "0X" hex+ | digit+ [suffix]
//   suffix := ("k"|"K"|"m"|"M"|"g"|"G"|"t"|"T") ["B"|"iB"|"ib"] | "b" | "B"
// (binary multiples; anything that overflows 64 bits is refused). Both must
// agree on every input, a refusal is kInvalidArgument naming the text, and
// an accepted value prints back (decimal, hex) to the same value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "test/fuzz/fuzz_check.h"
#include "zgc/device.h"

namespace {

std::optional<uint64_t> Digits(std::string_view s, unsigned base) {
  if (s.empty()) return std::nullopt;
  unsigned __int128 v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = v * base + d;
    if (v > UINT64_MAX) return std::nullopt;
  }
  return static_cast<uint64_t>(v);
}

std::optional<uint64_t> Reference(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return Digits(s.substr(2), 16);
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::optional<uint64_t> n = Digits(s.substr(0, i), 10);
  if (!n) return std::nullopt;
  std::string_view suffix = s.substr(i);
  unsigned shift = 0;
  if (!suffix.empty()) {
    const std::string_view units = "kKmMgGtT";
    const size_t u = units.find(suffix[0]);
    std::string_view rest = suffix.substr(1);
    if (suffix[0] == 'b' || suffix[0] == 'B') {
      if (!rest.empty()) return std::nullopt;
    } else if (u != std::string_view::npos) {
      shift = 10 * (1 + unsigned(u / 2));
      if (!(rest.empty() || rest == "B" || rest == "iB" || rest == "ib")) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  const unsigned __int128 v = static_cast<unsigned __int128>(*n) << shift;
  if (v > UINT64_MAX) return std::nullopt;
  return static_cast<uint64_t>(v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zgc::fuzz::Guard([&] {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const zgc::Result<uint64_t> got = zgc::ParseSize(text);
    const std::optional<uint64_t> want = Reference(text);
    FUZZ_CHECK_MSG(got.ok() == want.has_value(),
                   got.ok() ? "accepted " + std::to_string(*got) : got.status().ToString());
    if (!got.ok()) {
      zgc::fuzz::CheckFailure(got.status());
      FUZZ_CHECK(got.status().code() == zgc::Code::kInvalidArgument);
      // The message names the text (quoted), so a user sees what was wrong.
      FUZZ_CHECK(got.status().message().find(std::string(text)) != std::string::npos);
      return;
    }
    FUZZ_CHECK(*got == *want);
    // Re-encoded (decimal, hex, and in the largest unit that divides it),
    // the value parses back to itself.
    FUZZ_CHECK(*zgc::ParseSize(std::to_string(*got)) == *got);
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(*got));
    FUZZ_CHECK(*zgc::ParseSize(hex) == *got);
    if (*got != 0) {
      const char* units = "KMGT";
      for (int u = 3; u >= 0; --u) {
        const unsigned shift = 10 * (u + 1);
        if (*got % (uint64_t(1) << shift) == 0) {
          const std::string s = std::to_string(*got >> shift) + units[u] + "iB";
          FUZZ_CHECK_MSG(*zgc::ParseSize(s) == *got, s);
          break;
        }
      }
    }
  });
}
