#include "src/zones/emulated_factory.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "src/zones/emu_file_format.h"
#include "src/zones/emulated_device.h"
#include "src/zones/file_zone_store.h"
#include "src/zones/mem_zone_store.h"

namespace zgc {

namespace {

// cache=none (default) or cache=volatile: the power-cut model (VolatileCache).
Result<bool> VolatileCacheFromUri(const Uri& uri) {
  ZGC_ASSIGN_OR_RETURN(std::string cache, uri.Text("cache", "none"));
  if (cache != "none" && cache != "volatile")
    return Status::InvalidArgument(uri.text() + ": parameter cache='" + cache +
                                   "' is not none or volatile");
  return cache == "volatile";
}

Result<EmuGeometry> GeometryFromUri(const Uri& uri) {
  return EmuGeometry::FromUri(uri, EmuGeometry::Defaults(EmuGeometry().lbs));
}

Status CheckEmuPath(const Uri& uri) {
  if (uri.path().empty())
    return Status::InvalidArgument("device URI '" + uri.text() +
                                   "' names no file (emu:/path/to/file)");
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ZonedDevice>> OpenMemDevice(const Uri& uri) {
  if (!uri.path().empty())
    return Status::InvalidArgument("device URI '" + uri.text() +
                                   "': mem: takes no path (mem:?zones=..)");
  ZGC_ASSIGN_OR_RETURN(EmuGeometry g, GeometryFromUri(uri));
  ZGC_ASSIGN_OR_RETURN(bool keep_data, uri.Flag("data", true));
  ZGC_ASSIGN_OR_RETURN(bool volatile_cache, VolatileCacheFromUri(uri));
  ZGC_RETURN_IF_ERROR(uri.CheckAllUsed());
  std::vector<Zone> zones;
  zones.reserve(g.nr_zones);
  for (uint32_t i = 0; i < g.nr_zones; ++i) zones.push_back(emu_format::InitialZone(g, i));
  auto store = std::make_unique<MemZoneStore>(g.zone_size * g.nr_zones, keep_data);
  DeviceInfo info = g.ToInfo(uri.text(), "mem", keep_data ? "memory" : "memory (metadata only)");
  info.stores_data = keep_data;
  info.volatile_cache = volatile_cache;
  return std::unique_ptr<ZonedDevice>(
      std::make_unique<EmulatedDevice>(std::move(info), std::move(store), std::move(zones)));
}

Result<std::unique_ptr<ZonedDevice>> OpenEmuDevice(const Uri& uri) {
  ZGC_RETURN_IF_ERROR(CheckEmuPath(uri));
  ZGC_ASSIGN_OR_RETURN(bool create, uri.Flag("create", false));
  ZGC_ASSIGN_OR_RETURN(bool volatile_cache, VolatileCacheFromUri(uri));
  struct stat st;
  if (create && ::stat(uri.path().c_str(), &st) != 0 && errno == ENOENT) {
    ZGC_ASSIGN_OR_RETURN(EmuGeometry g, GeometryFromUri(uri));
    ZGC_RETURN_IF_ERROR(uri.CheckAllUsed());
    ZGC_RETURN_IF_ERROR(FileZoneStore::Create(uri.path(), g));
  }
  ZGC_ASSIGN_OR_RETURN(FileZoneStore::Opened opened, FileZoneStore::Open(uri.path()));
  // Geometry parameters are optional on an existing file but must agree with it.
  ZGC_ASSIGN_OR_RETURN(EmuGeometry given, EmuGeometry::FromUri(uri, opened.geometry));
  ZGC_RETURN_IF_ERROR(given.CheckSameAs(opened.geometry));
  ZGC_RETURN_IF_ERROR(uri.CheckAllUsed());
  DeviceInfo info = opened.geometry.ToInfo(uri.text(), "emu", uri.path());
  info.volatile_cache = volatile_cache;
  return std::unique_ptr<ZonedDevice>(std::make_unique<EmulatedDevice>(
      std::move(info), std::move(opened.store), std::move(opened.zones)));
}

Status CreateEmulatedDevice(std::string_view text) {
  ZGC_ASSIGN_OR_RETURN(Uri uri, Uri::Parse(text));
  if (uri.scheme() != "emu")
    return Status::InvalidArgument("'" + uri.text() + "' is not an emu: URI");
  ZGC_RETURN_IF_ERROR(CheckEmuPath(uri));
  (void)uri.Flag("create", true);
  ZGC_ASSIGN_OR_RETURN(EmuGeometry g, GeometryFromUri(uri));
  ZGC_RETURN_IF_ERROR(uri.CheckAllUsed());
  return FileZoneStore::Create(uri.path(), g);
}

Status CreateEmulatedDevice(const std::string& path, const EmulatedGeometry& in) {
  if (path.empty()) return Status::InvalidArgument("emulated device: no file named");
  if (in.family == DeviceFamily::kOther)
    return Status::InvalidArgument("emulated device: family must be zns, zbc or nullblk");
  EmuGeometry g = EmuGeometry::Defaults(in.logical_block_size);
  g.zone_size = in.zone_size;
  g.zone_cap = in.zone_capacity ? in.zone_capacity : in.zone_size;
  g.nr_zones = in.zones;
  g.nr_conv = in.conventional_zones;
  g.max_open = in.max_open_zones.value_or(std::min(g.max_open, in.zones));
  g.max_active = in.max_active_zones.value_or(std::min(g.max_active, in.zones));
  g.family = in.family;
  return FileZoneStore::Create(path, g);
}

}  // namespace zgc
