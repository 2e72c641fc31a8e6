// log_format::DecodeZoneHeader (docs/FORMAT.md section 2) on a log zone's
// first block.
//
// Input: one flags byte, then the block's bytes.
//   bits 0-1: the block's length: 0 as the input gives it, 1 512 bytes,
//             2 4096 bytes, 3 68 bytes (the input zero-padded or cut)
//   bit 2: write the magic      bit 3: write the version
//   bit 4: write the CRC-32C (last)
// Invariants: a refusal is kCorruption (kNotSupported for another version)
// naming the block; an accepted header is possible (epoch > prev_epoch,
// kind 1..3, a first sequence number, the checkpoint fields its kind
// allows), re-encodes to the same 68 bytes (the whole block when the rest is
// zero) and decodes again to the same fields.
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

bool Same(const lf::ZoneHeader& a, const lf::ZoneHeader& b) {
  return a.format_id == b.format_id && a.epoch == b.epoch && a.prev_epoch == b.prev_epoch &&
         a.first_seq == b.first_seq && a.kind == b.kind && a.ckpt_total == b.ckpt_total &&
         a.ckpt_offset == b.ckpt_offset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const std::string_view rest = in.Rest();
    static constexpr size_t kLengths[] = {0, 512, 4096, lf::kZoneHeader};
    const size_t n = (flags & 3) ? kLengths[flags & 3] : rest.size();
    std::vector<std::byte> b(n);
    zgc::fuzz::CopyPrefix(b.data(), n, rest);
    if ((flags & 4) && n >= 8) zgc::PutLe<uint64_t>(&b[0], lf::kZoneMagic);
    if ((flags & 8) && n >= 12) zgc::PutLe<uint32_t>(&b[8], lf::kVersion);
    if ((flags & 16) && n >= lf::kZoneHeader)
      zgc::PutLe<uint32_t>(&b[64], zgc::Crc32c(0, b.data(), 64));

    const std::string where = "at 0x10000";
    auto h = lf::DecodeZoneHeader(b, where);
    if (!h.ok()) {
      zgc::fuzz::CheckFailure(h.status());
      const zgc::Code code = h.status().code();
      FUZZ_CHECK_MSG(code == zgc::Code::kCorruption || code == zgc::Code::kNotSupported,
                     h.status().ToString());
      FUZZ_CHECK_MSG(h.status().message().find(where) != std::string::npos, h.status().ToString());
      if (code == zgc::Code::kNotSupported)
        FUZZ_CHECK(n >= lf::kZoneHeader && zgc::GetLe<uint32_t>(&b[8]) != lf::kVersion);
      return;
    }
    const uint32_t kind = static_cast<uint32_t>(h->kind);
    FUZZ_CHECK(kind >= 1 && kind <= 3);
    FUZZ_CHECK(h->epoch != 0 && h->epoch > h->prev_epoch);
    FUZZ_CHECK(h->first_seq != 0);
    switch (h->kind) {
      case lf::ZoneKind::kCheckpoint:
        FUZZ_CHECK(h->ckpt_offset == 0);
        break;
      case lf::ZoneKind::kContinued:
        FUZZ_CHECK(h->ckpt_offset > 0 && h->ckpt_offset < h->ckpt_total && h->prev_epoch != 0);
        break;
      case lf::ZoneKind::kRecords:
        FUZZ_CHECK(h->ckpt_total == 0 && h->ckpt_offset == 0 && h->prev_epoch != 0);
        break;
    }

    const std::vector<std::byte> again = lf::EncodeZoneHeader(*h, n);
    FUZZ_CHECK(again.size() == n);
    FUZZ_CHECK(std::memcmp(again.data(), b.data(), lf::kZoneHeader) == 0);
    bool tail_zero = true;
    for (size_t i = lf::kZoneHeader; i < n; ++i) tail_zero &= b[i] == std::byte{0};
    if (tail_zero) FUZZ_CHECK(again == b);
    auto h2 = lf::DecodeZoneHeader(again, where);
    FUZZ_CHECK_MSG(h2.ok(), h2.status().ToString());
    FUZZ_CHECK(Same(*h, *h2));
  });
}
