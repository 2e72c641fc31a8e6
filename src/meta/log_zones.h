// The metadata log's zones on a device: the checks Format and Open share.
#ifndef ZGC_SRC_META_LOG_ZONES_H_
#define ZGC_SRC_META_LOG_ZONES_H_

#include <cstdint>
#include <vector>

#include "zgc/device.h"

namespace zgc {

// The zones [first_zone, first_zone + zones), checked: inside the device
// (64-bit arithmetic: no wrap), sequential and usable, the first large
// enough for two superblock copies of `sb_bytes`. kInvalidArgument naming
// the device and zone; an offline or read-only zone is kIoError when
// `for_open` (the log's data is lost or can no longer be written), else
// kInvalidArgument; device errors.
Result<std::vector<Zone>> ReportLogZones(ZonedDevice& device, uint64_t first_zone, uint64_t zones,
                                         uint32_t sb_bytes, bool for_open = false);
// The smallest capacity among the log zones (report[1..]).
uint64_t MinLogCapacity(const std::vector<Zone>& report);

}  // namespace zgc

#endif  // ZGC_SRC_META_LOG_ZONES_H_
