// log_format::DecodeSuperblock (docs/FORMAT.md section 2) on one copy.
//
// Input: one flags byte, then the copy's bytes.
//   bits 0-2: the copy's length: 0 as the input gives it, k in 1..5
//             4096 << (k - 1) (the input zero-padded or cut), 6 the length
//             the copy's own length field names (at most 64 KiB), 7 68 bytes
//   bit 3: write the magic      bit 4: write the length field (the copy's)
//   bit 5: write the version    bit 6: write the CRC-32C (last)
// Invariants: a refusal is kCorruption (kNotSupported for another version)
// naming the copy; an accepted copy has none of the fields the decoder calls
// impossible, re-encodes to the same bytes (all of them when those after
// the config are zero) and decodes again to the same fields.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "test/fuzz/fuzz_check.h"

namespace lf = zgc::log_format;

namespace {

bool PowerOfTwo(uint64_t v) { return v && (v & (v - 1)) == 0; }

bool Same(const lf::Superblock& a, const lf::Superblock& b) {
  return a.version == b.version && a.bytes == b.bytes && a.lbs == b.lbs && a.zones == b.zones &&
         a.zone_size == b.zone_size && a.first_zone == b.first_zone && a.format_id == b.format_id &&
         a.max_checkpoint_bytes == b.max_checkpoint_bytes && a.config == b.config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const std::string_view rest = in.Rest();
    size_t n = rest.size();
    const unsigned len_mode = flags & 7;
    if (len_mode >= 1 && len_mode <= 5) n = size_t(4096) << (len_mode - 1);
    if (len_mode == 6) {
      uint32_t named = 0;
      if (rest.size() >= 16) named = zgc::GetLe<uint32_t>(rest.data() + 12);
      n = std::min<uint32_t>(named, 64u << 10);
    }
    if (len_mode == 7) n = 68;
    std::vector<std::byte> b(n);
    zgc::fuzz::CopyPrefix(b.data(), n, rest);
    if ((flags & 8) && n >= 8) zgc::PutLe<uint64_t>(&b[0], lf::kSuperMagic);
    if ((flags & 16) && n >= 16) zgc::PutLe<uint32_t>(&b[12], static_cast<uint32_t>(n));
    if ((flags & 32) && n >= 12) zgc::PutLe<uint32_t>(&b[8], lf::kVersion);
    if ((flags & 64) && n >= 4) zgc::PutLe<uint32_t>(&b[n - 4], zgc::Crc32c(0, b.data(), n - 4));

    const std::string where = "copy 1";
    auto sb = lf::DecodeSuperblock(b, where);
    if (!sb.ok()) {
      zgc::fuzz::CheckFailure(sb.status());
      const zgc::Code code = sb.status().code();
      FUZZ_CHECK_MSG(code == zgc::Code::kCorruption || code == zgc::Code::kNotSupported,
                     sb.status().ToString());
      FUZZ_CHECK_MSG(sb.status().message().find(where) != std::string::npos,
                     sb.status().ToString());
      if (code == zgc::Code::kNotSupported) {
        // Only another version, in a copy whose checksum holds.
        FUZZ_CHECK(n >= 68 && zgc::GetLe<uint32_t>(&b[8]) != lf::kVersion);
        FUZZ_CHECK(zgc::GetLe<uint32_t>(&b[n - 4]) == zgc::Crc32c(0, b.data(), n - 4));
      }
      return;
    }
    // Nothing the decoder itself calls impossible.
    FUZZ_CHECK(sb->version == lf::kVersion);
    FUZZ_CHECK(sb->bytes == n);
    FUZZ_CHECK(PowerOfTwo(sb->lbs) && sb->lbs >= 512 && sb->lbs <= (64u << 10));
    FUZZ_CHECK(sb->bytes == std::max<uint32_t>(4096, sb->lbs));
    FUZZ_CHECK(sb->zones >= 3);
    FUZZ_CHECK(PowerOfTwo(sb->zone_size) && sb->zone_size >= 2ull * sb->bytes);
    FUZZ_CHECK(sb->format_id != 0);
    FUZZ_CHECK(sb->config.size() <= lf::kMaxConfig);
    FUZZ_CHECK(lf::kSuperblockHeader + sb->config.size() <= sb->bytes - 4);
    FUZZ_CHECK(zgc::GetLe<uint64_t>(&b[56]) == 0);
    FUZZ_CHECK(sb->config.empty() ||
               std::memcmp(sb->config.data(), &b[lf::kSuperblockHeader], sb->config.size()) == 0);

    // Re-encoded: every defined byte is the same, and all of them when the
    // bytes after the config (which no field covers) are zero.
    const std::vector<std::byte> again = lf::EncodeSuperblock(*sb);
    FUZZ_CHECK(again.size() == b.size());
    const size_t defined = lf::kSuperblockHeader + sb->config.size();
    FUZZ_CHECK(std::memcmp(again.data(), b.data(), defined) == 0);
    bool tail_zero = true;
    for (size_t i = defined; i < n - 4; ++i) tail_zero &= b[i] == std::byte{0};
    if (tail_zero) FUZZ_CHECK(again == b);
    auto sb2 = lf::DecodeSuperblock(again, where);
    FUZZ_CHECK_MSG(sb2.ok(), sb2.status().ToString());
    FUZZ_CHECK(Same(*sb, *sb2));
  });
}
