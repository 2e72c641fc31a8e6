#include "src/volume/volume_layout.h"

#include "src/base/little_endian.h"
#include "zgc/log.h"

namespace zgc {

namespace {

constexpr uint64_t kConfigMagic = 0x31304c4f56434751ull;  // "QGCVOL01" little-endian
constexpr uint64_t kB = Volume::kBlock;

}  // namespace

std::vector<std::byte> EncodeVolumeConfig(const VolumeLayout& l) {
  std::vector<std::byte> b(kVolumeConfigBytes);
  PutLe<uint64_t>(&b[0], kConfigMagic);
  PutLe<uint32_t>(&b[8], kVolumeConfigVersion);
  PutLe<uint32_t>(&b[12], l.log_first);
  PutLe<uint32_t>(&b[16], l.log_zones);
  PutLe<uint32_t>(&b[20], uint32_t(kB));
  PutLe<uint64_t>(&b[24], l.logical_blocks);
  return b;  // [32, 40) reserved, zero
}

Result<VolumeLayout> DecodeVolumeConfig(std::span<const std::byte> b, const DeviceInfo& info,
                                        uint32_t log_zones) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(info.uri + ": volume config (in the log superblock): " + why);
  };
  if (b.size() < 12) return corrupt("wrong length");
  if (GetLe<uint64_t>(&b[0]) != kConfigMagic) return corrupt("bad magic (not a volume)");
  const uint32_t version = GetLe<uint32_t>(&b[8]);
  if (version != kVolumeConfigVersion)
    return Status::NotSupported(info.uri + ": volume config: format version " +
                                std::to_string(version) + ", this zgc reads " +
                                std::to_string(kVolumeConfigVersion));
  if (b.size() != kVolumeConfigBytes) return corrupt("wrong length");
  VolumeLayout l;
  l.log_first = GetLe<uint32_t>(&b[12]);
  l.log_zones = GetLe<uint32_t>(&b[16]);
  const uint32_t block = GetLe<uint32_t>(&b[20]);
  l.logical_blocks = GetLe<uint64_t>(&b[24]);
  if (GetLe<uint64_t>(&b[32]) != 0) return corrupt("reserved field is not zero");
  // Checked against the device before anything is sized by them.
  if (block != kB) return corrupt("block size " + std::to_string(block) + " is not 4096");
  if (l.log_zones != log_zones)
    return corrupt("names a log of " + std::to_string(l.log_zones) + " zones; the log has " +
                   std::to_string(log_zones));
  if (uint64_t(l.log_first) + l.log_zones >= info.nr_zones)
    return corrupt("its log leaves no zone for data");
  const uint64_t data_blocks = (uint64_t(info.nr_zones) - l.log_first - l.log_zones) *
                               (info.zone_capacity ? info.zone_capacity : info.zone_size) / kB;
  if (l.logical_blocks == 0 || l.logical_blocks > data_blocks)
    return corrupt(std::to_string(l.logical_blocks) +
                   " logical blocks are more than the device's data zones hold (" +
                   std::to_string(data_blocks) + ")");
  return l;
}

GcOptions EngineOptions(const VolumeLayout& l, GcOptions gc) {
  gc.first_zone = l.log_first + l.log_zones;
  gc.zones = 0;
  gc.owner_active_zones = 1;  // the log holds one zone active (log.h)
  gc.block_bytes = uint32_t(kB);
  gc.logical_bytes = l.logical_blocks * kB;
  return gc;
}

Result<VolumeLayout> PlanVolume(ZonedDevice& device, const VolumeOptions& o, GcOptions* gc) {
  const DeviceInfo& info = device.info();
  if (info.logical_block_size > kB || kB % info.logical_block_size)
    return Status::InvalidArgument(info.uri +
                                   ": a volume of 4 KiB blocks needs a logical block "
                                   "size that divides 4096, not " +
                                   std::to_string(info.logical_block_size));
  if (info.zone_size % kB)
    return Status::InvalidArgument(info.uri + ": zones of " + std::to_string(info.zone_size) +
                                   " bytes are not whole 4 KiB blocks");
  if (!info.stores_data)
    return Status::NotSupported(info.uri + ": the device keeps no data (metadata only)");
  // The map holds device block + 1 in 32 bits.
  if (info.capacity_bytes() / kB >= (uint64_t(1) << 32))
    return Status::InvalidArgument(info.uri + ": a volume addresses at most 16 TiB of device (" +
                                   std::to_string(info.capacity_bytes()) + " bytes)");
  if (o.logical_bytes % kB) return Status::InvalidArgument("volume size is not whole 4 KiB blocks");
  if (!(o.spare >= 0 && o.spare < 1))
    return Status::InvalidArgument("volume spare is not in [0, 1)");
  VolumeLayout l;
  l.log_first = info.nr_conventional_zones;
  if (l.log_first >= info.nr_zones)
    return Status::InvalidArgument(info.uri + ": no sequential zone for the metadata log");
  const std::vector<std::byte> config(kVolumeConfigBytes);
  // The log is sized from the map's checkpoint (4 bytes a block) and the
  // engine's room from the zones the log leaves: settled in a few rounds,
  // keeping only a layout whose log holds the map it is given.
  auto log_zones = [&](uint64_t blocks) -> Result<uint32_t> {
    LogOptions lo;
    lo.first_zone = l.log_first;
    lo.zones = o.log_zones;
    lo.max_checkpoint_bytes = blocks * 4;
    auto n = MetaLog::CheckFormat(device, lo, config);
    if (n.ok()) return n;
    // CheckFormat names the log itself ("metadata log: ...") and device
    // errors name the device: each prefix is added only where it is missing.
    Status s = n.status();
    if (s.message().starts_with(info.uri)) return s;
    if (!s.message().starts_with("metadata log")) s = s.WithContext("the volume's metadata log");
    return s.WithContext(info.uri);
  };
  auto blocks_for = [&](uint32_t n) -> Result<uint64_t> {
    VolumeLayout t{l.log_first, n, 1};
    GcOptions g = EngineOptions(t, o.gc);
    g.logical_bytes = 0;
    if (uint64_t(t.log_first) + n >= info.nr_zones)
      return Status::InvalidArgument(info.uri + ": " + std::to_string(info.nr_zones) +
                                     " zones are too few for a log of " + std::to_string(n) +
                                     " zones and GC");
    auto max_live = GcEngine::MaxLiveBytes(device, g);
    if (!max_live.ok())
      return max_live.status().code() == Code::kNoSpace
                 ? Status::InvalidArgument(max_live.status().message() + " (after the volume's " +
                                           std::to_string(n) + " log zones)")
                 : max_live.status();
    if (o.logical_bytes > *max_live)
      return Status::InvalidArgument(info.uri + ": a volume of " + std::to_string(o.logical_bytes) +
                                     " bytes is larger than the device allows (" +
                                     std::to_string(*max_live) + " beside the log and GC reserve)");
    const uint64_t blocks = o.logical_bytes
                                ? o.logical_bytes / kB
                                : static_cast<uint64_t>(double(*max_live / kB) * (1 - o.spare));
    if (blocks == 0) return Status::InvalidArgument(info.uri + ": no room for a volume");
    return blocks;
  };
  // The first guess must not be below the map the log will be asked to
  // hold (a log sized for less would be kept): what the zones after the
  // log's first actually hold, their capacities, not their size (a zone of
  // 32 MiB may hold 64 KiB, and a log sized for the address space would
  // not fit the device).
  uint64_t guess = o.logical_bytes / kB;
  if (!guess) {
    ZGC_ASSIGN_OR_RETURN(const std::vector<Zone> zones, device.ReportAllZones());
    for (size_t z = l.log_first; z < zones.size(); ++z)
      if (zones[z].sequential()) guess += zones[z].capacity / kB;
  }
  ZGC_ASSIGN_OR_RETURN(const uint32_t n0, log_zones(guess));
  ZGC_ASSIGN_OR_RETURN(const uint64_t b0, blocks_for(n0));
  l.log_zones = n0;
  l.logical_blocks = b0;
  if (!o.log_zones) {
    // A smaller map may need a smaller log, which leaves more for data.
    auto n1 = log_zones(b0);
    if (n1.ok() && *n1 < n0) {
      auto b1 = blocks_for(*n1);
      auto n2 = b1.ok() ? log_zones(*b1) : Result<uint32_t>(b1.status());
      if (b1.ok() && n2.ok() && *n2 <= *n1) l.log_zones = *n1, l.logical_blocks = *b1;
    }
  }
  *gc = EngineOptions(l, o.gc);
  // What the engine would refuse, refused now.
  ZGC_RETURN_IF_ERROR(GcEngine::Check(device, *gc));
  return l;
}

}  // namespace zgc
