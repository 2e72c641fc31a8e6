#include "zgc/zone.h"

#include "zgc/device.h"

namespace zgc {

uint64_t Zone::remaining() const {
  if (!sequential()) return 0;
  switch (cond) {
    case ZoneCondition::kEmpty:
    case ZoneCondition::kImplicitOpen:
    case ZoneCondition::kExplicitOpen:
    case ZoneCondition::kClosed:
      return start + capacity - wp;
    default:
      return 0;
  }
}

std::string_view ZoneTypeName(ZoneType type) {
  switch (type) {
    case ZoneType::kConventional:
      return "cnv";
    case ZoneType::kSeqWriteRequired:
      return "swr";
    case ZoneType::kSeqWritePreferred:
      return "swp";
  }
  return "?";
}

std::string_view ZoneConditionName(ZoneCondition cond) {
  switch (cond) {
    case ZoneCondition::kNotWp:
      return "nw";
    case ZoneCondition::kEmpty:
      return "em";
    case ZoneCondition::kImplicitOpen:
      return "oi";
    case ZoneCondition::kExplicitOpen:
      return "oe";
    case ZoneCondition::kClosed:
      return "cl";
    case ZoneCondition::kReadOnly:
      return "ro";
    case ZoneCondition::kFull:
      return "fu";
    case ZoneCondition::kOffline:
      return "ol";
  }
  return "?";
}

std::string_view DeviceFamilyName(DeviceFamily family) {
  switch (family) {
    case DeviceFamily::kNvmeZns:
      return "zns";
    case DeviceFamily::kScsiZbc:
      return "zbc";
    case DeviceFamily::kNullBlk:
      return "nullblk";
    case DeviceFamily::kOther:
      break;
  }
  return "other";
}

std::string_view ZoneActionName(ZoneAction action) {
  switch (action) {
    case ZoneAction::kReset:
      return "reset";
    case ZoneAction::kOpen:
      return "open";
    case ZoneAction::kClose:
      return "close";
    case ZoneAction::kFinish:
      return "finish";
  }
  return "?";
}

}  // namespace zgc
