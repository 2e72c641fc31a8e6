#include "src/zones/emu_geometry.h"

#include <algorithm>
#include <bit>

#include "src/base/hex.h"

namespace zgc {

namespace {

constexpr uint64_t kMaxZoneSize = 64ull << 30;
constexpr uint64_t kMaxDeviceBytes = 1ull << 50;
constexpr uint32_t kMaxZones = 1u << 22;

Status Bad(const std::string& what) { return Status::InvalidArgument("emulated device: " + what); }

}  // namespace

EmuGeometry EmuGeometry::Defaults(uint32_t lbs) {
  EmuGeometry g;
  g.lbs = lbs;
  g.copy_max_range = 128ull * lbs;
  g.copy_max_total = 128ull * lbs;
  return g;
}

Result<EmuGeometry> EmuGeometry::FromUri(const Uri& uri, const EmuGeometry& base) {
  EmuGeometry g = base;
  ZGC_ASSIGN_OR_RETURN(uint64_t lbs, uri.Size("lbs", base.lbs));
  if (lbs > (1u << 16)) return Bad("lbs=" + std::to_string(lbs) + " is larger than 64K");
  if (lbs != base.lbs) {
    g = Defaults(static_cast<uint32_t>(lbs));
    g.zone_size = base.zone_size;
    g.zone_cap = base.zone_cap;
    g.nr_zones = base.nr_zones;
    g.nr_conv = base.nr_conv;
    g.max_open = base.max_open;
    g.max_active = base.max_active;
  }
  ZGC_ASSIGN_OR_RETURN(g.zone_size, uri.Size("zone_size", g.zone_size));
  // A zone capacity not given follows the zone size.
  const uint64_t cap_default =
      uri.Has("zone_size") && !uri.Has("zone_cap") ? g.zone_size : g.zone_cap;
  ZGC_ASSIGN_OR_RETURN(g.zone_cap, uri.Size("zone_cap", cap_default));
  auto count32 = [&](const char* key, uint32_t fallback, uint32_t& out) -> Status {
    ZGC_ASSIGN_OR_RETURN(uint64_t v, uri.Count(key, fallback));
    if (v > kMaxZones) return Bad(std::string(key) + "=" + std::to_string(v) + " is absurd");
    out = static_cast<uint32_t>(v);
    return Status::OK();
  };
  ZGC_RETURN_IF_ERROR(count32("zones", g.nr_zones, g.nr_zones));
  ZGC_RETURN_IF_ERROR(count32("conv", g.nr_conv, g.nr_conv));
  // Default limits shrink to fit a device with fewer zones than the limit.
  ZGC_RETURN_IF_ERROR(count32("max_open", std::min(g.max_open, g.nr_zones), g.max_open));
  ZGC_RETURN_IF_ERROR(count32("max_active", std::min(g.max_active, g.nr_zones), g.max_active));
  ZGC_ASSIGN_OR_RETURN(uint64_t append_max, uri.Size("append_max", g.append_max));
  if (append_max > (1u << 30)) return Bad("append_max is larger than 1G");
  g.append_max = static_cast<uint32_t>(append_max);
  ZGC_ASSIGN_OR_RETURN(bool copy, uri.Flag("copy", g.copy_ranges != 0));
  ZGC_ASSIGN_OR_RETURN(g.copy_max_range, uri.Size("copy_max_range", copy ? g.copy_max_range : 0));
  ZGC_ASSIGN_OR_RETURN(g.copy_max_total, uri.Size("copy_max", copy ? g.copy_max_total : 0));
  ZGC_RETURN_IF_ERROR(count32("copy_ranges", copy ? g.copy_ranges : 0, g.copy_ranges));
  // No ranges is no copy command: its byte limits go too, as the file
  // stores them (a file made with copy_ranges=0 could not be opened again).
  if (!copy || g.copy_ranges == 0) g.copy_max_range = g.copy_max_total = g.copy_ranges = 0;
  if (uri.Has("family")) {
    ZGC_ASSIGN_OR_RETURN(std::string name, uri.Text("family", ""));
    if (name == "zns")
      g.family = DeviceFamily::kNvmeZns;
    else if (name == "zbc")
      g.family = DeviceFamily::kScsiZbc;
    else if (name == "nullblk")
      g.family = DeviceFamily::kNullBlk;
    else
      return Bad("family=" + name + " is not zns, zbc or nullblk");
  }
  ZGC_RETURN_IF_ERROR(g.Validate());
  return g;
}

Status EmuGeometry::Validate() const {
  // The limits FromUri holds parameters to are checked here too, so that a
  // file's header cannot bring what no URI could ask for (DecodeHeader).
  if (lbs < 512 || lbs > (1u << 16) || !std::has_single_bit(lbs))
    return Bad("lbs=" + std::to_string(lbs) + " must be a power of two from 512 to 64K");
  if (zone_size < lbs || !std::has_single_bit(zone_size) || zone_size > kMaxZoneSize)
    return Bad(
        "zone_size=" + std::to_string(zone_size) +
        " must be a power of two, at least one block and at most 64G (as the kernel requires)");
  if (zone_cap == 0 || zone_cap > zone_size || zone_cap % lbs)
    return Bad("zone_cap=" + std::to_string(zone_cap) +
               " must be a non-zero multiple of lbs no larger than zone_size");
  if (nr_zones == 0) return Bad("zones=0: a device needs at least one zone");
  // Checked here too, not only in FromUri: a file's header or a caller's
  // EmulatedGeometry must not bring more (the zone table is read whole), and
  // the bound keeps zone_size * nr_zones below 2^58, so the next test cannot wrap.
  if (nr_zones > kMaxZones)
    return Bad("zones=" + std::to_string(nr_zones) + " is more than " + std::to_string(kMaxZones));
  if (zone_size * nr_zones > kMaxDeviceBytes)
    return Bad("zone_size x zones = " + std::to_string(zone_size * nr_zones) + " bytes exceeds 1P");
  if (nr_conv >= nr_zones)
    return Bad("conv=" + std::to_string(nr_conv) + " leaves no sequential zone");
  if (max_open > nr_zones || max_active > nr_zones)
    return Bad("max_open/max_active exceed the number of zones");
  if (max_open && max_active && max_open > max_active)
    return Bad("max_open=" + std::to_string(max_open) +
               " is larger than max_active=" + std::to_string(max_active));
  if (append_max % lbs) return Bad("append_max must be a multiple of lbs");
  if (append_max > (1u << 30)) return Bad("append_max is larger than 1G");
  if (family == DeviceFamily::kOther) return Bad("family must be zns, zbc or nullblk");
  if (copy_ranges == 0 && (copy_max_range != 0 || copy_max_total != 0))
    return Bad("copy_max_range and copy_max must be 0 without a copy command (copy_ranges=0)");
  if (copy_ranges != 0) {
    if (copy_max_range == 0 || copy_max_range % lbs || copy_max_total == 0 || copy_max_total % lbs)
      return Bad("copy_max_range and copy_max must be non-zero multiples of lbs");
    if (copy_ranges > 256) return Bad("copy_ranges must be at most 256 (NVMe MSRC is 8 bits)");
  }
  return Status::OK();
}

Status EmuGeometry::CheckSameAs(const EmuGeometry& stored) const {
  auto differs = [](const char* key, uint64_t given, uint64_t have) {
    return Status::InvalidArgument("emulated device: parameter " + std::string(key) + "=" +
                                   std::to_string(given) + " differs from the file's " +
                                   std::to_string(have) + " (geometry is fixed at creation)");
  };
  if (lbs != stored.lbs) return differs("lbs", lbs, stored.lbs);
  if (zone_size != stored.zone_size) return differs("zone_size", zone_size, stored.zone_size);
  if (zone_cap != stored.zone_cap) return differs("zone_cap", zone_cap, stored.zone_cap);
  if (nr_zones != stored.nr_zones) return differs("zones", nr_zones, stored.nr_zones);
  if (nr_conv != stored.nr_conv) return differs("conv", nr_conv, stored.nr_conv);
  if (max_open != stored.max_open) return differs("max_open", max_open, stored.max_open);
  if (max_active != stored.max_active) return differs("max_active", max_active, stored.max_active);
  if (append_max != stored.append_max) return differs("append_max", append_max, stored.append_max);
  if (copy_max_range != stored.copy_max_range)
    return differs("copy_max_range", copy_max_range, stored.copy_max_range);
  if (copy_max_total != stored.copy_max_total)
    return differs("copy_max", copy_max_total, stored.copy_max_total);
  if (copy_ranges != stored.copy_ranges)
    return differs("copy_ranges", copy_ranges, stored.copy_ranges);
  if (family != stored.family)
    return Status::InvalidArgument(
        "emulated device: family=" + std::string(DeviceFamilyName(family)) +
        " differs from the file's " + std::string(DeviceFamilyName(stored.family)));
  return Status::OK();
}

DeviceInfo EmuGeometry::ToInfo(std::string uri, std::string backend,
                               std::string description) const {
  DeviceInfo info;
  info.uri = std::move(uri);
  info.backend = std::move(backend);
  info.description = std::move(description);
  info.model = ZoneModel::kHostManaged;
  info.family = family;
  info.logical_block_size = info.physical_block_size = lbs;
  info.zone_size = zone_size;
  info.zone_capacity = zone_cap;
  info.nr_zones = nr_zones;
  info.nr_conventional_zones = nr_conv;
  info.max_open_zones = max_open;
  info.max_active_zones = max_active;
  info.zone_append = append_max != 0;
  info.max_append_bytes = append_max;
  info.copy = CopyLimits{copy_max_range, copy_max_total, copy_ranges, copy_ranges ? zone_size : 0};
  return info;
}

}  // namespace zgc
