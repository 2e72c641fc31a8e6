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

Status ZonedDevice::DisarmPowerCut() { return NoVolatileCache(); }

Result<PowerState> ZonedDevice::PowerStatus() { return NoVolatileCache(); }

Status ZonedDevice::PowerOn() { return NoVolatileCache(); }

std::string_view IoPhaseName(IoPhase phase) {
  switch (phase) {
    case IoPhase::kOther:
      return "other";
    case IoPhase::kUserWrite:
      return "user-write";
    case IoPhase::kGcCopy:
      return "gc-copy";
    case IoPhase::kRelocate:
      return "relocate";
    case IoPhase::kLogGroup:
      return "log-group";
    case IoPhase::kCheckpoint:
      return "checkpoint";
    case IoPhase::kZoneReset:
      return "zone-reset";
    case IoPhase::kRepair:
      return "repair";
    case IoPhase::kFormat:
      return "format";
  }
  return "?";
}

namespace {
thread_local IoPhase t_phase = IoPhase::kOther;
}  // namespace

IoPhase CurrentIoPhase() { return t_phase; }

IoPhaseScope::IoPhaseScope(IoPhase phase, bool only_if_unnamed) : previous_(t_phase) {
  if (!only_if_unnamed || t_phase == IoPhase::kOther) t_phase = phase;
}

IoPhaseScope::~IoPhaseScope() { t_phase = previous_; }

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
