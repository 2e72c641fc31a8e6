// ZoneStore in memory: data lives in fixed-size chunks allocated on first write
// and freed on discard, so a large sparse device costs only what is written.
// With keep_data=false nothing is stored (reads return zeroes): the
// metadata-only device the simulators use.
#ifndef ZGC_SRC_ZONES_MEM_ZONE_STORE_H_
#define ZGC_SRC_ZONES_MEM_ZONE_STORE_H_

#include <memory>
#include <mutex>
#include <vector>

#include "src/zones/zone_store.h"

namespace zgc {

class MemZoneStore final : public ZoneStore {
 public:
  MemZoneStore(uint64_t capacity_bytes, bool keep_data);

  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Status Copy(uint64_t src, uint64_t dst, uint64_t length) override;
  Status Discard(uint64_t offset, uint64_t length) override;
  Status SaveZone(uint32_t, const Zone&) override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }

 private:
  const bool keep_data_;
  uint64_t chunk_ = 1 << 20;  // grows for huge devices to bound the chunk table
  std::mutex mu_;             // guards allocation and release of chunks
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_MEM_ZONE_STORE_H_
