// Where an emulated device keeps its data and zone table: memory or a file.
// The store holds bytes and records; every rule lives in EmulatedDevice.
#ifndef ZGC_SRC_ZONES_ZONE_STORE_H_
#define ZGC_SRC_ZONES_ZONE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "zgc/status.h"
#include "zgc/zone.h"

namespace zgc {

class ZoneStore {
 public:
  virtual ~ZoneStore() = default;
  // Offsets are device byte offsets.
  virtual Status Read(uint64_t offset, std::span<std::byte> data) = 0;
  virtual Status Write(uint64_t offset, std::span<const std::byte> data) = 0;
  // Copies length bytes from src to dst (device offsets, non-overlapping).
  virtual Status Copy(uint64_t src, uint64_t dst, uint64_t length) = 0;
  // Forgets [offset, offset+length) so that it reads back as zeroes.
  virtual Status Discard(uint64_t offset, uint64_t length) = 0;
  // Records the zone's condition and write pointer durably (at the next Sync at latest).
  virtual Status SaveZone(uint32_t index, const Zone& zone) = 0;
  virtual Status Sync() = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_ZONE_STORE_H_
