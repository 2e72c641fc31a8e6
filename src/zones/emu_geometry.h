// Geometry and limits of an emulated zoned device, from its URI parameters.
#ifndef ZGC_SRC_ZONES_EMU_GEOMETRY_H_
#define ZGC_SRC_ZONES_EMU_GEOMETRY_H_

#include <cstdint>
#include <string>

#include "src/zones/uri.h"
#include "zgc/device.h"

namespace zgc {

struct EmuGeometry {
  uint32_t lbs = 4096;
  uint64_t zone_size = 64ull << 20;
  uint64_t zone_cap = 64ull << 20;
  uint32_t nr_zones = 64;
  uint32_t nr_conv = 0;
  uint32_t max_open = 14;
  uint32_t max_active = 14;
  uint32_t append_max = 512 << 10;  // bytes per zone append (like a 512 KiB MDTS)
  // Native copy limits; QEMU's ZNS defaults (MSSRL=MCL=128 blocks, MSRC=127).
  uint64_t copy_max_range = 128 * 4096;
  uint64_t copy_max_total = 128 * 4096;
  uint32_t copy_ranges = 128;
  DeviceFamily family = DeviceFamily::kNvmeZns;

  // `base` supplies every value the URI does not set. Parameters: lbs, zone_size,
  // zone_cap, zones, conv, max_open, max_active, append_max, copy (0 disables),
  // copy_max_range, copy_max, copy_ranges, family (zns, zbc or nullblk). Fails with
  // kInvalidArgument naming the parameter and the rule.
  static Result<EmuGeometry> FromUri(const Uri& uri, const EmuGeometry& base);
  // Defaults scaled to the URI's lbs (copy limits are counted in blocks).
  static EmuGeometry Defaults(uint32_t lbs);

  Status Validate() const;
  // kInvalidArgument naming the first field that differs from `stored`.
  Status CheckSameAs(const EmuGeometry& stored) const;
  DeviceInfo ToInfo(std::string uri, std::string backend, std::string description) const;

  friend bool operator==(const EmuGeometry&, const EmuGeometry&) = default;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_EMU_GEOMETRY_H_
