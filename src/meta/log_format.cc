#include "src/meta/log_format.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"

namespace zgc::log_format {

namespace {

bool PowerOfTwo(uint64_t v) { return v && (v & (v - 1)) == 0; }

std::string VersionMessage(const std::string& what, uint32_t version) {
  if (version > kVersion)
    return what + ": format version " + std::to_string(version) + " is newer than this zgc's (" +
           std::to_string(kVersion) + ")";
  return what + ": format version " + std::to_string(version) + " is older than this zgc reads (" +
         std::to_string(kVersion) + "); reformat with the zgc that wrote it gone";
}

}  // namespace

std::vector<std::byte> EncodeSuperblock(const Superblock& sb) {
  std::vector<std::byte> b(sb.bytes);
  PutLe<uint64_t>(&b[0], kSuperMagic);
  PutLe<uint32_t>(&b[8], sb.version);
  PutLe<uint32_t>(&b[12], sb.bytes);
  PutLe<uint32_t>(&b[16], sb.lbs);
  PutLe<uint32_t>(&b[20], sb.zones);
  PutLe<uint64_t>(&b[24], sb.zone_size);
  PutLe<uint32_t>(&b[32], sb.first_zone);
  PutLe<uint32_t>(&b[36], static_cast<uint32_t>(sb.config.size()));
  PutLe<uint64_t>(&b[40], sb.format_id);
  PutLe<uint64_t>(&b[48], sb.max_checkpoint_bytes);
  if (!sb.config.empty()) std::memcpy(&b[kSuperblockHeader], sb.config.data(), sb.config.size());
  PutLe<uint32_t>(&b[sb.bytes - 4], Crc32c(0, b.data(), sb.bytes - 4));
  return b;
}

Result<Superblock> DecodeSuperblock(std::span<const std::byte> b, const std::string& where) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("metadata log superblock " + where + ": " + why);
  };
  if (b.size() < kSuperblockHeader + 4 || GetLe<uint64_t>(&b[0]) != kSuperMagic)
    return corrupt("bad magic");
  Superblock sb;
  sb.version = GetLe<uint32_t>(&b[8]);
  sb.bytes = GetLe<uint32_t>(&b[12]);
  if (sb.bytes != b.size()) return corrupt("length " + std::to_string(sb.bytes) + " is wrong");
  if (GetLe<uint32_t>(&b[sb.bytes - 4]) != Crc32c(0, b.data(), sb.bytes - 4))
    return corrupt("checksum mismatch");
  if (sb.version != kVersion)
    return Status::NotSupported(VersionMessage("metadata log superblock " + where, sb.version));
  sb.lbs = GetLe<uint32_t>(&b[16]);
  sb.zones = GetLe<uint32_t>(&b[20]);
  sb.zone_size = GetLe<uint64_t>(&b[24]);
  sb.first_zone = GetLe<uint32_t>(&b[32]);
  const uint32_t n = GetLe<uint32_t>(&b[36]);
  sb.format_id = GetLe<uint64_t>(&b[40]);
  sb.max_checkpoint_bytes = GetLe<uint64_t>(&b[48]);
  // CRC-valid but impossible: refused by name, never used to size anything.
  if (!PowerOfTwo(sb.lbs) || sb.lbs < 512 || sb.lbs > (64u << 10))
    return corrupt("logical block size " + std::to_string(sb.lbs) + " is impossible");
  if (sb.bytes != std::max<uint32_t>(4096, sb.lbs))
    return corrupt("copy length " + std::to_string(sb.bytes) + " does not match the block size");
  if (sb.zones < 3) return corrupt(std::to_string(sb.zones) + " zones are too few");
  if (!PowerOfTwo(sb.zone_size) || sb.zone_size < 2ull * sb.bytes)
    return corrupt("zone size " + std::to_string(sb.zone_size) + " is impossible");
  if (sb.format_id == 0) return corrupt("format id 0");
  if (sb.max_checkpoint_bytes == 0) return corrupt("checkpoint bound of 0 bytes");
  if (GetLe<uint64_t>(&b[56]) != 0) return corrupt("reserved field is not zero");
  if (n > kMaxConfig || kSuperblockHeader + n > sb.bytes - 4)
    return corrupt("config length out of range");
  sb.config.assign(b.begin() + kSuperblockHeader, b.begin() + kSuperblockHeader + n);
  return sb;
}

std::vector<std::byte> EncodeZoneHeader(const ZoneHeader& h, size_t block) {
  std::vector<std::byte> b(block);
  PutLe<uint64_t>(&b[0], kZoneMagic);
  PutLe<uint32_t>(&b[8], kVersion);
  PutLe<uint32_t>(&b[12], static_cast<uint32_t>(h.kind));
  PutLe<uint64_t>(&b[16], h.format_id);
  PutLe<uint64_t>(&b[24], h.epoch);
  PutLe<uint64_t>(&b[32], h.prev_epoch);
  PutLe<uint64_t>(&b[40], h.first_seq);
  PutLe<uint64_t>(&b[48], h.ckpt_total);
  PutLe<uint64_t>(&b[56], h.ckpt_offset);
  PutLe<uint32_t>(&b[64], Crc32c(0, b.data(), 64));
  return b;
}

Result<ZoneHeader> DecodeZoneHeader(std::span<const std::byte> b, const std::string& where) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("metadata log zone header " + where + ": " + why);
  };
  if (b.size() < kZoneHeader || GetLe<uint64_t>(&b[0]) != kZoneMagic) return corrupt("bad magic");
  if (GetLe<uint32_t>(&b[64]) != Crc32c(0, b.data(), 64)) return corrupt("checksum mismatch");
  const uint32_t version = GetLe<uint32_t>(&b[8]);
  if (version != kVersion)
    return Status::NotSupported(VersionMessage("metadata log zone header " + where, version));
  ZoneHeader h;
  const uint32_t kind = GetLe<uint32_t>(&b[12]);
  h.format_id = GetLe<uint64_t>(&b[16]);
  h.epoch = GetLe<uint64_t>(&b[24]);
  h.prev_epoch = GetLe<uint64_t>(&b[32]);
  h.first_seq = GetLe<uint64_t>(&b[40]);
  h.ckpt_total = GetLe<uint64_t>(&b[48]);
  h.ckpt_offset = GetLe<uint64_t>(&b[56]);
  if (kind < 1 || kind > 3) return corrupt("zone kind " + std::to_string(kind) + " is unknown");
  h.kind = static_cast<ZoneKind>(kind);
  if (h.epoch == 0) return corrupt("epoch 0");
  if (h.prev_epoch >= h.epoch)
    return corrupt("predecessor epoch " + std::to_string(h.prev_epoch) + " is not below epoch " +
                   std::to_string(h.epoch));
  if (h.first_seq == 0) return corrupt("first sequence number 0");
  switch (h.kind) {
    case ZoneKind::kCheckpoint:
      if (h.ckpt_offset != 0) return corrupt("a checkpoint's first zone at offset > 0");
      break;
    case ZoneKind::kContinued:
      if (h.ckpt_offset == 0 || h.ckpt_offset >= h.ckpt_total || h.prev_epoch == 0)
        return corrupt("a checkpoint's continuation out of range");
      break;
    case ZoneKind::kRecords:
      if (h.ckpt_total || h.ckpt_offset || h.prev_epoch == 0)
        return corrupt("a records zone with checkpoint fields or no predecessor");
      break;
  }
  return h;
}

size_t RecordBytes(size_t payload) { return (kRecordHeader + payload + 7) & ~size_t(7); }

void AppendRecord(std::vector<std::byte>& out, uint64_t seq, uint8_t type,
                  std::span<const std::byte> payload) {
  const size_t at = out.size();
  out.resize(at + RecordBytes(payload.size()));
  std::byte* p = &out[at];
  PutLe<uint32_t>(p, kRecordMagic);
  p[4] = std::byte{type};
  PutLe<uint32_t>(p + 8, static_cast<uint32_t>(payload.size()));
  PutLe<uint32_t>(p + 12, Crc32c(0, payload.data(), payload.size()));
  PutLe<uint64_t>(p + 16, seq);
  // The header has its own checksum: a length or sequence number is trusted
  // before the payload is read, so that a damaged one is never taken for a
  // record torn by a power cut.
  PutLe<uint32_t>(p + 24, Crc32c(0, p, 24));
  if (!payload.empty()) std::memcpy(p + kRecordHeader, payload.data(), payload.size());
}

void PadToBlock(std::vector<std::byte>& out, size_t block) {
  const size_t gap = (block - out.size() % block) % block;
  if (gap == 0) return;
  if (gap >= kRecordHeader) {
    const std::vector<std::byte> zeros(gap - kRecordHeader);
    AppendRecord(out, 0, kPad, zeros);
    return;
  }
  const size_t at = out.size();
  out.resize(at + gap);
  for (size_t i = at; i < out.size(); i += 8) PutLe<uint64_t>(&out[i], kShortPad);
}

Parsed Parse(std::span<const std::byte> b, size_t pos, size_t block) {
  Parsed r;
  const size_t left = b.size() - pos;
  auto bad = [&](std::string why) {
    r.kind = Parsed::kBad;
    r.why = std::move(why);
    return r;
  };
  if (left >= 8 && GetLe<uint64_t>(&b[pos]) == kShortPad) {
    const size_t end = (pos / block + 1) * block;
    if (end - pos >= kRecordHeader || end > b.size()) return bad("a short pad out of place");
    for (size_t i = pos; i < end; i += 8)
      if (GetLe<uint64_t>(&b[i]) != kShortPad) return bad("a damaged short pad");
    r.kind = Parsed::kShortPad;
    r.size = end - pos;
    return r;
  }
  if (left < kRecordHeader) {
    r.kind = Parsed::kTorn;  // a header cut by the end of the written bytes
    return r;
  }
  const std::byte* p = &b[pos];
  if (GetLe<uint32_t>(p) != kRecordMagic) return bad("no record magic");
  if (GetLe<uint32_t>(p + 24) != Crc32c(0, p, 24)) return bad("record header checksum mismatch");
  if (p[5] != std::byte{0} || p[6] != std::byte{0} || p[7] != std::byte{0} ||
      GetLe<uint32_t>(p + 28) != 0)
    return bad("record header reserved bytes are not zero");
  const uint32_t len = GetLe<uint32_t>(p + 8);
  r.record.type = static_cast<uint8_t>(p[4]);
  r.record.seq = GetLe<uint64_t>(p + 16);
  r.record.size = RecordBytes(len);
  if (r.record.size > left) {
    r.kind = Parsed::kTorn;  // announced by an intact header, cut by the end
    return r;
  }
  if (GetLe<uint32_t>(p + 12) != Crc32c(0, p + kRecordHeader, len))
    return bad("record payload checksum mismatch");
  r.record.payload = b.subspan(pos + kRecordHeader, len);
  r.kind = Parsed::kRecord;
  r.size = r.record.size;
  return r;
}

ChunkPlan PlanChunks(uint64_t total, uint64_t offset, uint64_t capacity, uint32_t lbs) {
  ChunkPlan plan;
  uint64_t pos = lbs, left = total - std::min(total, offset);
  while (true) {
    const uint64_t room = capacity > pos ? capacity - pos : 0;
    if (room < kRecordHeader + kChunkHeader + (left ? 8 : 0)) break;
    const uint64_t fit = (room - kRecordHeader - kChunkHeader) & ~uint64_t(7);
    const uint64_t n = std::min({left, kMaxChunk, fit});
    plan.sizes.push_back(n);
    pos += RecordBytes(kChunkHeader + n);
    left -= n;
    if (left == 0) break;
  }
  plan.end = pos;
  return plan;
}

uint32_t CheckpointZones(uint64_t total, uint64_t capacity, uint32_t lbs) {
  // A zone the checkpoint fills holds the same bytes wherever it starts; the
  // last holds what is left (fewer chunks, no more room). Counted by
  // arithmetic: a bound read off a damaged superblock may be absurd.
  uint64_t per_zone = 0;
  for (uint64_t n : PlanChunks(~0ull, 0, capacity, lbs).sizes) per_zone += n;
  if (per_zone == 0) return 0;
  const uint64_t zones = total == 0 ? 1 : (total - 1) / per_zone + 1;
  return zones > 0xffffffffull ? 0xffffffffu : static_cast<uint32_t>(zones);
}

}  // namespace zgc::log_format
