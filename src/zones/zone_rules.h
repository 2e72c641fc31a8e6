// The rules of a zoned block device, written once. The emulated devices use them
// to decide; the kernel backend uses them to explain why the kernel refused (the
// kernel answers EIO for most rule violations and the caller deserves better).
#ifndef ZGC_SRC_ZONES_ZONE_RULES_H_
#define ZGC_SRC_ZONES_ZONE_RULES_H_

#include <cstdint>
#include <span>

#include "src/base/hex.h"
#include "zgc/device.h"

namespace zgc {

// Alignment and bounds of a data transfer. kInvalidArgument (unaligned, or empty
// when !allow_empty), kOutOfRange.
Status CheckDataRange(const DeviceInfo& info, uint64_t offset, uint64_t length);

// A zone-aligned, non-empty range inside the device. kInvalidArgument, kOutOfRange.
Status CheckZoneRange(const DeviceInfo& info, uint64_t offset, uint64_t length);

// May [offset, offset+length), wholly inside `zone`, be written now (limits on
// open and active zones aside)? kZoneState naming the rule broken.
Status CheckWrite(const DeviceInfo& info, const Zone& zone, uint64_t offset, uint64_t length);

// May [offset, offset+length), wholly inside `zone`, be read? kZoneState (offline).
Status CheckRead(const DeviceInfo& info, const Zone& zone);

// Is `action` a valid transition from zone's condition (limits aside)? kZoneState.
Status CheckTransition(const DeviceInfo& info, ZoneAction action, const Zone& zone);

// A zone append's target and size: the start of a zone, whole blocks, within
// info.max_append_bytes. kInvalidArgument, kOutOfRange.
Status CheckAppend(const DeviceInfo& info, uint64_t zone_start, uint64_t length);

// Sources of one copy command against the device's copy limits and alignment;
// returns their total. kNotSupported, kInvalidArgument, kOutOfRange.
Result<uint64_t> CheckCopySources(const DeviceInfo& info, std::span<const Extent> sources);

// Zone-relative description for messages: "zone 12 (0x30000000)".
std::string DescribeZone(const DeviceInfo& info, const Zone& zone);

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_ZONE_RULES_H_
