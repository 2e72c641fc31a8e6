#include "src/zones/emu_file_format.h"

#include <cstring>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"

namespace zgc::emu_format {

namespace {

constexpr char kMagic[8] = {'Z', 'G', 'C', 'E', 'M', 'U', '\r', '\n'};

uint32_t RecordCrc(uint32_t index, const Record& rec) {
  unsigned char idx[4];
  PutLe<uint32_t>(idx, index);
  return Crc32c(Crc32c(0, idx, 4), rec.data(), kRecordBytes - 4);
}

}  // namespace

uint64_t DataOffset(const EmuGeometry& g) {
  const uint64_t end = kHeaderBytes + kRecordBytes * g.nr_zones;
  return (end + kDataAlign - 1) / kDataAlign * kDataAlign;
}

uint64_t FileBytes(const EmuGeometry& g) { return DataOffset(g) + g.zone_size * g.nr_zones; }

HeaderBlock EncodeHeader(const EmuGeometry& g) {
  HeaderBlock b{};
  std::memcpy(b.data(), kMagic, 8);
  PutLe<uint32_t>(&b[8], kVersion);
  PutLe<uint32_t>(&b[12], g.lbs);
  PutLe<uint64_t>(&b[16], g.zone_size);
  PutLe<uint64_t>(&b[24], g.zone_cap);
  PutLe<uint32_t>(&b[32], g.nr_zones);
  PutLe<uint32_t>(&b[36], g.nr_conv);
  PutLe<uint32_t>(&b[40], g.max_open);
  PutLe<uint32_t>(&b[44], g.max_active);
  PutLe<uint64_t>(&b[48], g.copy_max_range);
  PutLe<uint64_t>(&b[56], g.copy_max_total);
  PutLe<uint32_t>(&b[64], g.copy_ranges);
  PutLe<uint32_t>(&b[68], g.append_max);
  PutLe<uint64_t>(&b[72], kHeaderBytes);
  PutLe<uint64_t>(&b[80], DataOffset(g));
  PutLe<uint32_t>(&b[88], static_cast<uint32_t>(g.family));
  PutLe<uint32_t>(&b[kHeaderBytes - 4], Crc32c(0, b.data(), kHeaderBytes - 4));
  return b;
}

Result<EmuGeometry> DecodeHeader(const HeaderBlock& b, const std::string& file) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(file + ": " + why +
                              "; refusing to open (the file is left untouched)");
  };
  if (std::memcmp(b.data(), kMagic, 8) != 0)
    return corrupt("not a zgc emulated zoned device (bad magic)");
  if (GetLe<uint32_t>(&b[kHeaderBytes - 4]) != Crc32c(0, b.data(), kHeaderBytes - 4))
    return corrupt("header checksum mismatch");
  const uint32_t version = GetLe<uint32_t>(&b[8]);
  if (version != kVersion)
    return corrupt("format version " + std::to_string(version) +
                   " is not supported (this build reads " + std::to_string(kVersion) + ")");
  EmuGeometry g;
  g.lbs = GetLe<uint32_t>(&b[12]);
  g.zone_size = GetLe<uint64_t>(&b[16]);
  g.zone_cap = GetLe<uint64_t>(&b[24]);
  g.nr_zones = GetLe<uint32_t>(&b[32]);
  g.nr_conv = GetLe<uint32_t>(&b[36]);
  g.max_open = GetLe<uint32_t>(&b[40]);
  g.max_active = GetLe<uint32_t>(&b[44]);
  g.copy_max_range = GetLe<uint64_t>(&b[48]);
  g.copy_max_total = GetLe<uint64_t>(&b[56]);
  g.copy_ranges = GetLe<uint32_t>(&b[64]);
  g.append_max = GetLe<uint32_t>(&b[68]);
  // Validated whole: a value that narrows to a known family is still corrupt.
  const uint32_t family = GetLe<uint32_t>(&b[88]);
  if (family < uint32_t(DeviceFamily::kNvmeZns) || family > uint32_t(DeviceFamily::kNullBlk))
    return corrupt("invalid geometry: family " + std::to_string(family) +
                   " is not 1 (zns), 2 (zbc) or 3 (nullblk)");
  g.family = static_cast<DeviceFamily>(family);
  if (Status s = g.Validate(); !s.ok()) return corrupt("invalid geometry: " + s.message());
  if (GetLe<uint64_t>(&b[72]) != kHeaderBytes || GetLe<uint64_t>(&b[80]) != DataOffset(g))
    return corrupt("inconsistent table or data offset");
  return g;
}

Record EncodeRecord(uint32_t index, const Zone& zone) {
  Record r{};
  PutLe<uint64_t>(&r[0], zone.wp);
  r[8] = static_cast<unsigned char>(zone.cond);
  r[9] = static_cast<unsigned char>(zone.type);
  PutLe<uint32_t>(&r[kRecordBytes - 4], RecordCrc(index, r));
  return r;
}

Zone InitialZone(const EmuGeometry& g, uint32_t index) {
  Zone z;
  z.start = uint64_t(index) * g.zone_size;
  z.size = g.zone_size;
  if (index < g.nr_conv) {
    z.capacity = g.zone_size;
    z.type = ZoneType::kConventional;
    z.cond = ZoneCondition::kNotWp;
    z.wp = z.start + z.size;
  } else {
    z.capacity = g.zone_cap;
    z.type = ZoneType::kSeqWriteRequired;
    z.cond = ZoneCondition::kEmpty;
    z.wp = z.start;
  }
  return z;
}

Result<Zone> DecodeRecord(const EmuGeometry& g, uint32_t index, const Record& r,
                          const std::string& file) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(file + ": zone " + std::to_string(index) + " record: " + why +
                              "; refusing to open (the file is left untouched)");
  };
  if (GetLe<uint32_t>(&r[kRecordBytes - 4]) != RecordCrc(index, r))
    return corrupt("checksum mismatch");
  Zone z = InitialZone(g, index);
  if (r[9] != static_cast<unsigned char>(z.type)) return corrupt("zone type changed");
  z.wp = GetLe<uint64_t>(&r[0]);
  z.cond = static_cast<ZoneCondition>(r[8]);
  bool ok = false;
  switch (z.cond) {
    case ZoneCondition::kNotWp:
      ok = !z.sequential() && z.wp == z.end();
      break;
    case ZoneCondition::kEmpty:
      ok = z.sequential() && z.wp == z.start;
      break;
    case ZoneCondition::kImplicitOpen:
    case ZoneCondition::kExplicitOpen:
    case ZoneCondition::kClosed:
      ok = z.sequential() && z.wp >= z.start && z.wp < z.start + z.capacity && z.wp % g.lbs == 0;
      break;
    case ZoneCondition::kFull:
      ok = z.sequential() && z.wp == z.end();
      break;
    case ZoneCondition::kReadOnly:
    case ZoneCondition::kOffline:
      ok = z.wp == z.end();
      break;
  }
  if (!ok)
    return corrupt("condition " + std::to_string(r[8]) + " with write pointer " +
                   std::to_string(z.wp) + " is impossible");
  return z;
}

}  // namespace zgc::emu_format
