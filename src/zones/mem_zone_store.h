// ZoneStore in memory: data lives in fixed-size chunks allocated on first write
// and freed on discard, so a large sparse device costs only what is written.
// With keep_data=false nothing is stored (reads return zeroes): the
// metadata-only device the simulators use.
//
// Thread safety: reads, writes and copies run concurrently (a shared lock;
// a chunk's first writer installs it with a compare-and-swap); Discard frees
// chunks under the exclusive lock, so it never frees memory a reader holds.
#ifndef ZGC_SRC_ZONES_MEM_ZONE_STORE_H_
#define ZGC_SRC_ZONES_MEM_ZONE_STORE_H_

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "src/zones/zone_store.h"

namespace zgc {

class MemZoneStore final : public ZoneStore {
 public:
  MemZoneStore(uint64_t capacity_bytes, bool keep_data);
  ~MemZoneStore() override;

  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Status Copy(uint64_t src, uint64_t dst, uint64_t length) override;
  Status Discard(uint64_t offset, uint64_t length) override;
  Status SaveZone(uint32_t, const Zone&) override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }

 private:
  const bool keep_data_;
  uint64_t chunk_ = 1 << 20;  // grows for huge devices to bound the chunk table
  // The chunk for `offset`, allocated (zeroed) if absent; null when out of memory.
  std::byte* ChunkFor(uint64_t c);
  std::shared_mutex mu_;  // shared: I/O; exclusive: Discard (frees chunks)
  std::unique_ptr<std::atomic<std::byte*>[]> chunks_;
  uint64_t nr_chunks_ = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_MEM_ZONE_STORE_H_
