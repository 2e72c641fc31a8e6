#include "src/zones/zone_rules.h"

#include <cstdio>
#include <string>

namespace zgc {

std::string DescribeZone(const DeviceInfo& info, const Zone& zone) {
  return "zone " + std::to_string(zone.start / info.zone_size) + " (" + Hex(zone.start) + ", " +
         std::string(ZoneConditionName(zone.cond)) + ")";
}

Status CheckDataRange(const DeviceInfo& info, uint64_t offset, uint64_t length) {
  const uint64_t lbs = info.logical_block_size;
  if (length == 0) return Status::InvalidArgument(info.uri + ": empty transfer at " + Hex(offset));
  if (offset % lbs || length % lbs)
    return Status::InvalidArgument(info.uri + ": transfer " + Hex(offset) + "+" + Hex(length) +
                                   " is not aligned to the " + std::to_string(lbs) +
                                   "-byte logical block");
  const uint64_t cap = info.capacity_bytes();
  if (offset >= cap || length > cap - offset)
    return Status::OutOfRange(info.uri + ": transfer " + Hex(offset) + "+" + Hex(length) +
                              " ends past the device end " + Hex(cap));
  return Status::OK();
}

Status CheckZoneRange(const DeviceInfo& info, uint64_t offset, uint64_t length) {
  if (length == 0 || offset % info.zone_size || length % info.zone_size)
    return Status::InvalidArgument(info.uri + ": zone range " + Hex(offset) + "+" + Hex(length) +
                                   " is not a whole number of zones of " + Hex(info.zone_size));
  const uint64_t cap = info.capacity_bytes();
  if (offset >= cap || length > cap - offset)
    return Status::OutOfRange(info.uri + ": zone range " + Hex(offset) + "+" + Hex(length) +
                              " ends past the device end " + Hex(cap));
  return Status::OK();
}

Status CheckWrite(const DeviceInfo& info, const Zone& zone, uint64_t offset, uint64_t length) {
  const std::string where =
      info.uri + ": write " + Hex(offset) + "+" + Hex(length) + " to " + DescribeZone(info, zone);
  // A degraded zone refuses writes whatever its type: conventional zones can
  // go read-only or offline too.
  if (zone.cond == ZoneCondition::kReadOnly)
    return Status::ZoneState(where + ": the zone is read-only");
  if (zone.cond == ZoneCondition::kOffline)
    return Status::ZoneState(where + ": the zone is offline");
  if (!zone.sequential()) return Status::OK();
  if (zone.cond == ZoneCondition::kFull) return Status::ZoneState(where + ": the zone is full");
  if (zone.type == ZoneType::kSeqWriteRequired && offset != zone.wp)
    return Status::ZoneState(where + ": not at the write pointer " + Hex(zone.wp));
  if (offset + length > zone.start + zone.capacity)
    return Status::ZoneState(where + ": past the zone capacity " + Hex(zone.capacity));
  return Status::OK();
}

Status CheckAppend(const DeviceInfo& info, uint64_t zone_start, uint64_t length) {
  if (zone_start % info.zone_size)
    return Status::InvalidArgument(info.uri + ": append target " + Hex(zone_start) +
                                   " is not the start of a zone");
  ZGC_RETURN_IF_ERROR(CheckDataRange(info, zone_start, length));
  if (length > info.max_append_bytes)
    return Status::InvalidArgument(info.uri + ": append of " + std::to_string(length) +
                                   " bytes exceeds the zone append limit of " +
                                   std::to_string(info.max_append_bytes));
  return Status::OK();
}

Result<uint64_t> CheckCopySources(const DeviceInfo& info, std::span<const Extent> sources) {
  const CopyLimits& l = info.copy;
  if (!l.supported()) return Status::NotSupported(info.uri + ": the device has no copy command");
  if (sources.empty() || sources.size() > l.max_ranges)
    return Status::InvalidArgument(info.uri + ": copy of " + std::to_string(sources.size()) +
                                   " ranges; the device takes 1 to " +
                                   std::to_string(l.max_ranges));
  uint64_t total = 0;
  for (const Extent& e : sources) {
    ZGC_RETURN_IF_ERROR(CheckDataRange(info, e.offset, e.length));
    if (l.range_boundary && e.offset / l.range_boundary != (e.end() - 1) / l.range_boundary)
      return Status::InvalidArgument(info.uri + ": copy range " + Hex(e.offset) + "+" +
                                     Hex(e.length) + " crosses a zone boundary");
    if (e.length > l.max_range_bytes)
      return Status::InvalidArgument(
          info.uri + ": copy range " + Hex(e.offset) + "+" + Hex(e.length) + " exceeds the " +
          std::to_string(l.max_range_bytes) + "-byte range limit (MSSRL)");
    total += e.length;
  }
  if (total > l.max_total_bytes)
    return Status::InvalidArgument(info.uri + ": copy of " + std::to_string(total) +
                                   " bytes exceeds the " + std::to_string(l.max_total_bytes) +
                                   "-byte command limit (MCL)");
  return total;
}

Status CheckRead(const DeviceInfo& info, const Zone& zone) {
  if (zone.cond == ZoneCondition::kOffline)
    return Status::ZoneState(info.uri + ": read from " + DescribeZone(info, zone) +
                             ": the zone is offline");
  return Status::OK();
}

Status CheckTransition(const DeviceInfo& info, ZoneAction action, const Zone& zone) {
  auto refuse = [&](const char* why) {
    return Status::ZoneState(info.uri + ": " + std::string(ZoneActionName(action)) + " " +
                             DescribeZone(info, zone) + ": " + why);
  };
  if (!zone.sequential()) return refuse("conventional zones have no write pointer");
  if (zone.cond == ZoneCondition::kOffline) return refuse("the zone is offline");
  if (zone.cond == ZoneCondition::kReadOnly) return refuse("the zone is read-only");
  switch (action) {
    case ZoneAction::kReset:
      return Status::OK();
    // ZBC makes these no-ops; NVMe and null_blk call them invalid transitions.
    case ZoneAction::kOpen:
      if (zone.cond == ZoneCondition::kFull && info.family != DeviceFamily::kScsiZbc)
        return refuse("a full zone cannot be opened");
      return Status::OK();
    case ZoneAction::kClose:
      if ((zone.cond == ZoneCondition::kEmpty || zone.cond == ZoneCondition::kFull) &&
          info.family != DeviceFamily::kScsiZbc)
        return refuse("only open or closed zones can be closed");
      return Status::OK();
    case ZoneAction::kFinish:
      return Status::OK();
  }
  return refuse("unknown action");
}

}  // namespace zgc
