// ParseLogZone (src/meta/log_zone_parser.h): one log zone's written bytes
// against its header, as recovery reads them.
//
// Input: one flags byte, the header's fields, then the zone's bytes after
// its header block.
//   flags bits 0-1: the geometry: logical block size and zone capacity,
//                   from kGeometries
//   flags bit 2: fix the checksums of the record headers at 8-byte positions
//   flags bits 3-5: the zone's start: zone 1..7 or 4095 of 64 KiB
//   header: kind byte (1 + byte % 3), then u64 each: epoch, prev_epoch,
//           first_seq, ckpt_total, ckpt_offset (a header DecodeZoneHeader
//           refuses ends the run: the parser is only given decoded ones)
// The written bytes are the header block, then the rest of the input
// zero-padded to whole blocks and cut at the capacity (a device writes whole
// blocks below its capacity).
// Invariants: never a crash; a refusal is kCorruption naming the device;
// the chunks and records returned lie inside the written bytes, records have
// consecutive sequence numbers from the header's first, owner types only,
// offsets that match their spans; the chunk and end fields agree with each
// other and the header. ZGC_FUZZ_VERBOSE=1 prints what each input gave.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "src/meta/log_zone_parser.h"
#include "test/fuzz/fuzz_check.h"
#include "test/fuzz/log_fuzz.h"
#include "zgc/log.h"

namespace lf = zgc::log_format;

namespace {

struct Geometry {
  uint32_t lbs;
  uint64_t capacity;
};
constexpr Geometry kGeometries[] = {
    {4096, 64 << 10},  // as formatted on mem:?zone_size=64K
    {512, 64 << 10},
    {4096, 40 << 10},  // a zone capacity below the zone size
    {512, 8 * 512},    // the smallest capacity Format takes
};
constexpr uint64_t kZoneStarts[] = {1, 2, 3, 4, 5, 6, 7, 4095};

bool Inside(std::span<const std::byte> part, std::span<const std::byte> whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (128 << 10)) return 0;  // past any capacity here
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const Geometry g = kGeometries[flags & 3];
    const uint64_t zone_start = kZoneStarts[(flags >> 3) & 7] * (64 << 10);
    lf::ZoneHeader want;
    want.format_id = 0x1234567887654321ull;
    want.kind = static_cast<lf::ZoneKind>(1 + in.Byte() % 3);
    auto u64 = [&] { return uint64_t(in.U32()) | uint64_t(in.U32()) << 32; };
    want.epoch = u64();
    want.prev_epoch = u64();
    want.first_seq = u64();
    want.ckpt_total = u64();
    want.ckpt_offset = u64();
    std::vector<std::byte> d = lf::EncodeZoneHeader(want, g.lbs);
    auto h = lf::DecodeZoneHeader(d, "fuzz");
    if (!h.ok()) return;
    const std::string_view rest = in.Rest();
    const uint64_t blocks = (rest.size() + g.lbs - 1) / g.lbs;
    const uint64_t bytes = std::min<uint64_t>(g.lbs + blocks * g.lbs, g.capacity);
    d.resize(bytes);
    zgc::fuzz::CopyPrefix(d.data() + g.lbs, bytes - g.lbs, rest);
    if (flags & 4) zgc::fuzz::FixRecordChecksums(d, g.lbs);

    const std::string where = "mem:fuzz";
    auto z = zgc::ParseLogZone(d, *h, zone_start, g.capacity, g.lbs, where);
    if (std::getenv("ZGC_FUZZ_VERBOSE"))
      std::fprintf(stderr, "log_zone_parse_fuzz: %zu bytes: %s, %zu records, end %d\n", d.size(),
                   z.status().ToString().c_str(), z.ok() ? z->records.size() : 0,
                   z.ok() ? int(z->end) : -1);
    if (!z.ok()) {
      zgc::fuzz::CheckFailure(z.status());
      FUZZ_CHECK_MSG(z.status().code() == zgc::Code::kCorruption, z.status().ToString());
      FUZZ_CHECK_MSG(z.status().message().find(where) != std::string::npos, z.status().ToString());
      return;
    }
    const std::span<const std::byte> body = std::span<const std::byte>(d).subspan(g.lbs);
    // The checkpoint's chunks.
    uint64_t chunk_bytes = 0;
    for (const auto& c : z->chunks) {
      FUZZ_CHECK(Inside(c, body));
      chunk_bytes += c.size();
    }
    FUZZ_CHECK(chunk_bytes == z->chunk_bytes);
    if (h->kind == lf::ZoneKind::kRecords) {
      FUZZ_CHECK(z->chunks.empty() && !z->chunks_complete && !z->ends_checkpoint);
    } else {
      FUZZ_CHECK(h->ckpt_offset + z->chunk_bytes <= h->ckpt_total);
      FUZZ_CHECK(z->ends_checkpoint ==
                 (z->chunks_complete && h->ckpt_offset + z->chunk_bytes == h->ckpt_total));
      // Records follow only a checkpoint that ends here.
      if (!z->ends_checkpoint) FUZZ_CHECK(z->records.empty());
    }
    // The records: inside the bytes, where their offsets say, in sequence.
    for (size_t i = 0; i < z->records.size(); ++i) {
      const zgc::ParsedZone::Rec& r = z->records[i];
      FUZZ_CHECK(Inside(r.payload, body));
      FUZZ_CHECK(r.at >= zone_start + g.lbs && r.at % 8 == 0);
      FUZZ_CHECK(r.payload.data() == d.data() + (r.at - zone_start) + lf::kRecordHeader);
      FUZZ_CHECK(r.seq == h->first_seq + i);
      FUZZ_CHECK(r.type >= 1 && r.type <= zgc::kMaxLogRecordType);
      if (i > 0) FUZZ_CHECK(r.at > z->records[i - 1].at);
    }
    FUZZ_CHECK(z->next_seq == h->first_seq + z->records.size());
    FUZZ_CHECK(z->data_end >= g.lbs && z->data_end <= d.size());
    if (!z->records.empty()) {
      const auto& last = z->records.back();
      FUZZ_CHECK(last.at - zone_start + lf::RecordBytes(last.payload.size()) <= z->data_end);
    }
    if (z->end == zgc::ParsedZone::End::kTorn) {
      FUZZ_CHECK(z->torn_at == zone_start + z->data_end);
    } else {
      FUZZ_CHECK(z->torn_at == 0);
    }
    if (z->end == zgc::ParsedZone::End::kClean) FUZZ_CHECK(z->data_end == d.size());
  });
}
