#include "src/meta/log_format.h"

#include <cstring>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"

namespace zgc::log_format {

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
  if (!sb.config.empty()) std::memcpy(&b[48], sb.config.data(), sb.config.size());
  PutLe<uint32_t>(&b[sb.bytes - 4], Crc32c(0, b.data(), sb.bytes - 4));
  return b;
}

Result<Superblock> DecodeSuperblock(std::span<const std::byte> b, const std::string& where) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("metadata log superblock " + where + ": " + why);
  };
  if (b.size() < 64 || GetLe<uint64_t>(&b[0]) != kSuperMagic) return corrupt("bad magic");
  Superblock sb;
  sb.version = GetLe<uint32_t>(&b[8]);
  sb.bytes = GetLe<uint32_t>(&b[12]);
  if (sb.bytes != b.size()) return corrupt("length " + std::to_string(sb.bytes) + " is wrong");
  if (GetLe<uint32_t>(&b[sb.bytes - 4]) != Crc32c(0, b.data(), sb.bytes - 4))
    return corrupt("checksum mismatch");
  if (sb.version > kVersion)
    return Status::NotSupported("metadata log superblock " + where + ": format version " +
                                std::to_string(sb.version) + " is newer than this zgc's (" +
                                std::to_string(kVersion) + ")");
  if (sb.version == 0) return corrupt("format version 0");
  sb.lbs = GetLe<uint32_t>(&b[16]);
  sb.zones = GetLe<uint32_t>(&b[20]);
  sb.zone_size = GetLe<uint64_t>(&b[24]);
  sb.first_zone = GetLe<uint32_t>(&b[32]);
  const uint32_t n = GetLe<uint32_t>(&b[36]);
  sb.format_id = GetLe<uint64_t>(&b[40]);
  if (n > kMaxConfig || 48 + n > sb.bytes - 4) return corrupt("config length out of range");
  sb.config.assign(b.begin() + 48, b.begin() + 48 + n);
  return sb;
}

std::vector<std::byte> EncodeZoneHeader(const ZoneHeader& h, size_t block) {
  std::vector<std::byte> b(block);
  PutLe<uint64_t>(&b[0], kZoneMagic);
  PutLe<uint32_t>(&b[8], kVersion);
  PutLe<uint64_t>(&b[16], h.format_id);
  PutLe<uint64_t>(&b[24], h.epoch);
  PutLe<uint64_t>(&b[32], h.first_seq);
  PutLe<uint64_t>(&b[40], h.prev_epoch);
  PutLe<uint32_t>(&b[48], Crc32c(0, b.data(), 48));
  return b;
}

Result<ZoneHeader> DecodeZoneHeader(std::span<const std::byte> b, const std::string& where) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("metadata log zone header " + where + ": " + why);
  };
  if (b.size() < kZoneHeader || GetLe<uint64_t>(&b[0]) != kZoneMagic) return corrupt("bad magic");
  if (GetLe<uint32_t>(&b[48]) != Crc32c(0, b.data(), 48)) return corrupt("checksum mismatch");
  if (GetLe<uint32_t>(&b[8]) > kVersion)
    return Status::NotSupported("metadata log zone header " + where + ": newer format version");
  return ZoneHeader{GetLe<uint64_t>(&b[16]), GetLe<uint64_t>(&b[24]), GetLe<uint64_t>(&b[32]),
                    GetLe<uint64_t>(&b[40])};
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
  PutLe<uint64_t>(p + 16, seq);
  if (!payload.empty()) std::memcpy(p + kRecordHeader, payload.data(), payload.size());
  // The checksum covers the header (its own field zero) and the payload.
  uint32_t crc = Crc32c(0, p, kRecordHeader);
  crc = Crc32c(crc, p + kRecordHeader, payload.size());
  PutLe<uint32_t>(p + 12, crc);
}

Result<ParsedRecord> ParseRecord(std::span<const std::byte> b) {
  if (b.size() < kRecordHeader) return Status::Corruption("record header cut short");
  if (GetLe<uint32_t>(&b[0]) != kRecordMagic) return Status::Corruption("no record magic");
  ParsedRecord r;
  r.type = static_cast<uint8_t>(b[4]);
  const uint32_t len = GetLe<uint32_t>(&b[8]);
  r.seq = GetLe<uint64_t>(&b[16]);
  r.size = RecordBytes(len);
  if (r.size > b.size()) return Status::Corruption("record length past the written data");
  std::byte hdr[kRecordHeader];
  std::memcpy(hdr, b.data(), kRecordHeader);
  PutLe<uint32_t>(hdr + 12, 0);
  uint32_t crc = Crc32c(0, hdr, kRecordHeader);
  crc = Crc32c(crc, b.data() + kRecordHeader, len);
  if (crc != GetLe<uint32_t>(&b[12])) return Status::Corruption("record checksum mismatch");
  r.payload = b.subspan(kRecordHeader, len);
  return r;
}

}  // namespace zgc::log_format
