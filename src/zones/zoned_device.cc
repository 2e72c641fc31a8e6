#include "zgc/device.h"

namespace zgc {

Result<uint64_t> ZonedDevice::Append(uint64_t zone_start, std::span<const std::byte>) {
  return Status::NotSupported(info().uri + ": zone append is not available (zone " +
                              std::to_string(zone_start / info().zone_size) + ")");
}

Status ZonedDevice::Copy(std::span<const Extent>, uint64_t destination) {
  return Status::NotSupported(info().uri + ": the device has no copy command (destination zone " +
                              std::to_string(destination / info().zone_size) + ")");
}

Status ZonedDevice::NoVolatileCache() const {
  return Status::NotSupported(info().uri +
                              ": no volatile write cache to lose (emu:/mem: take cache=volatile)");
}

Status ZonedDevice::CutPower(const PowerCut&) { return NoVolatileCache(); }

Status ZonedDevice::ArmPowerCut(uint64_t, const PowerCut&) { return NoVolatileCache(); }

Status ZonedDevice::PowerOn() { return NoVolatileCache(); }

Result<Zone> ZonedDevice::ReportZone(uint64_t offset) {
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, ReportZones(offset, 1));
  if (zones.empty())
    return Status::OutOfRange(info().uri + ": no zone at offset " + std::to_string(offset));
  return zones.front();
}

Result<std::vector<Zone>> ZonedDevice::ReportAllZones() {
  return ReportZones(0, info().capacity_bytes());
}

}  // namespace zgc
