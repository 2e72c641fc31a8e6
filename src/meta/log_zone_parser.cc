#include "src/meta/log_zone_parser.h"

#include <algorithm>
#include <optional>

#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "zgc/log.h"

namespace zgc {

namespace lf = log_format;

namespace {

// A resume or seal record at a block boundary after `pos` that names `pos`
// as the first byte of a torn tail, with the sequence number expected there.
struct Vouch {
  size_t at = 0;
  lf::ParsedRecord record;
};
std::optional<Vouch> FindVouch(std::span<const std::byte> d, size_t pos, uint64_t zone_start,
                               uint64_t expected, uint32_t lbs) {
  for (size_t b = (pos / lbs + 1) * lbs; b + lf::kRecordHeader <= d.size(); b += lbs) {
    const lf::Parsed p = lf::Parse(d, b, lbs);
    if (p.kind != lf::Parsed::kRecord) continue;
    const lf::ParsedRecord& r = p.record;
    if ((r.type != lf::kResume && r.type != lf::kSeal) || r.payload.size() != 8) continue;
    if (GetLe<uint64_t>(r.payload.data()) == zone_start + pos && r.seq == expected)
      return Vouch{b, r};
  }
  return std::nullopt;
}

// A valid record (a pad included) anywhere after `pos` (records sit on
// 8-byte boundaries): its sequence number. Behind a torn record there can be
// none, since every byte up to the write pointer is the torn record's own.
std::optional<uint64_t> ValidAfter(std::span<const std::byte> d, size_t pos, uint32_t lbs) {
  for (size_t b = pos + 8; b + lf::kRecordHeader <= d.size(); b += 8) {
    if (GetLe<uint32_t>(&d[b]) != lf::kRecordMagic) continue;
    const lf::Parsed p = lf::Parse(d, b, lbs);
    if (p.kind == lf::Parsed::kRecord) return p.record.seq;
  }
  return std::nullopt;
}

}  // namespace

Result<ParsedZone> ParseLogZone(std::span<const std::byte> d, const lf::ZoneHeader& h,
                                uint64_t zone_start, uint64_t capacity, uint32_t lbs,
                                const std::string& where) {
  ParsedZone z;
  z.header = h;
  auto corrupt = [&](size_t pos, const std::string& why) {
    return Status::Corruption(where + ": metadata log record at " + Hex(zone_start + pos) +
                              " (log zone at " + Hex(zone_start) + "): " + why +
                              " (below the zone's write pointer: damaged, not torn)");
  };
  size_t pos = lbs;
  uint64_t expected = h.first_seq;
  // The checkpoint's chunks come first, exactly as the layout places them.
  if (h.kind != lf::ZoneKind::kRecords) {
    const lf::ChunkPlan plan = lf::PlanChunks(h.ckpt_total, h.ckpt_offset, capacity, lbs);
    uint64_t offset = h.ckpt_offset;
    for (size_t i = 0; i < plan.sizes.size(); ++i) {
      const lf::Parsed p = lf::Parse(d, pos, lbs);
      if (p.kind == lf::Parsed::kTorn) {
        // The layout fits every chunk in the zone: one reaching past the end
        // of a full zone announces a length the writer never wrote.
        if (d.size() >= capacity)
          return corrupt(pos, "a checkpoint chunk that reaches past the end of its full zone");
        if (auto after = ValidAfter(d, pos, lbs))
          return corrupt(pos,
                         "a checkpoint chunk that reaches past the write pointer, with a "
                         "valid record " +
                             std::to_string(*after) + " after it");
        z.end = ParsedZone::End::kTorn;
        z.torn_at = zone_start + pos;
        z.data_end = pos;
        z.next_seq = expected;
        return z;  // a checkpoint a cut left incomplete
      }
      if (p.kind != lf::Parsed::kRecord) return corrupt(pos, "checkpoint chunk: " + p.why);
      const lf::ParsedRecord& r = p.record;
      if (r.type != lf::kCheckpointChunk || r.seq != expected ||
          r.payload.size() != lf::kChunkHeader + plan.sizes[i] ||
          GetLe<uint64_t>(r.payload.data()) != offset)
        return corrupt(pos, "not the checkpoint chunk the layout puts here (offset " +
                                std::to_string(offset) + ", " + std::to_string(plan.sizes[i]) +
                                " bytes)");
      z.chunks.push_back(r.payload.subspan(lf::kChunkHeader));
      z.chunk_bytes += plan.sizes[i];
      offset += plan.sizes[i];
      pos += p.size;
    }
    if (plan.sizes.empty()) return corrupt(pos, "the zone cannot hold a checkpoint chunk");
    z.chunks_complete = true;
    z.ends_checkpoint = offset == h.ckpt_total;
  }
  while (pos < d.size()) {
    const lf::Parsed p = lf::Parse(d, pos, lbs);
    if (p.kind == lf::Parsed::kShortPad) {
      pos += p.size;
      continue;
    }
    if (p.kind != lf::Parsed::kRecord) {
      // Torn or garbage: the end of the zone's log, unless a later resume or
      // seal record vouches for it (a tail torn before a reopen appended).
      auto v = FindVouch(d, pos, zone_start, expected, lbs);
      if (v) {
        if (v->record.type == lf::kSeal) {
          z.end = ParsedZone::End::kSealed;
          z.data_end = v->at + v->record.size;
          break;
        }
        pos = v->at + v->record.size;
        continue;
      }
      // A zone finished under the log (a ZNS controller may finish zones;
      // so may `blkzone finish`) reads zeroes from the old write pointer
      // to its capacity: the end of its log, not damage.
      if (d.size() >= capacity && pos % lbs == 0 &&
          std::all_of(d.begin() + pos, d.end(), [](std::byte b) { return b == std::byte{0}; })) {
        z.end = ParsedZone::End::kFinished;
        z.data_end = pos;
        break;
      }
      if (p.kind == lf::Parsed::kBad) return corrupt(pos, p.why);
      // A torn record reaches past the write pointer, so every byte after
      // its start is its own: a valid record further on means its length
      // was damaged (with a valid checksum, or it would be kBad), not torn.
      if (auto after = ValidAfter(d, pos, lbs))
        return corrupt(pos, "a record that reaches past the write pointer, with a valid record " +
                                std::to_string(*after) + " after it (damaged, not torn)");
      z.end = ParsedZone::End::kTorn;
      z.torn_at = zone_start + pos;
      z.data_end = pos;
      break;
    }
    const lf::ParsedRecord& r = p.record;
    if (r.type == lf::kPad) {
      // The writer's pads are zeros under sequence 0: anything else is a
      // damaged record (a retyped one would otherwise vanish unseen).
      if (r.seq != 0 || std::any_of(r.payload.begin(), r.payload.end(),
                                    [](std::byte b) { return b != std::byte{0}; }))
        return corrupt(pos, "a pad record that holds data or a sequence number");
      pos += p.size;
      continue;
    }
    if (r.type == lf::kSeal || r.type == lf::kResume) {
      // Met in order, it must name its own place (nothing torn before it).
      if (r.payload.size() != 8 || r.seq != expected ||
          (GetLe<uint64_t>(r.payload.data()) != 0 &&
           GetLe<uint64_t>(r.payload.data()) != zone_start + pos))
        return corrupt(pos, "a resume or seal record out of place");
      pos += p.size;
      if (r.type == lf::kSeal) {
        z.end = ParsedZone::End::kSealed;
        break;
      }
      continue;
    }
    if (r.type == 0 || r.type > kMaxLogRecordType)
      return corrupt(pos, "record type " + std::to_string(r.type) + " out of place");
    if (h.kind != lf::ZoneKind::kRecords && !z.ends_checkpoint)
      return corrupt(pos, "a record in a zone the checkpoint fills");
    if (r.seq != expected)
      return corrupt(pos, "sequence " + std::to_string(r.seq) + " where " +
                              std::to_string(expected) + " is next");
    z.records.push_back({r.seq, r.type, r.payload, zone_start + pos});
    ++expected;
    pos += p.size;
  }
  if (z.end == ParsedZone::End::kClean) z.data_end = pos;
  if (z.end == ParsedZone::End::kSealed && z.data_end == 0) z.data_end = pos;
  z.next_seq = expected;
  return z;
}

}  // namespace zgc
