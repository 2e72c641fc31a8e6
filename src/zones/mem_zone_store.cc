#include "src/zones/mem_zone_store.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace zgc {

MemZoneStore::MemZoneStore(uint64_t zone_size, uint32_t nr_zones, bool keep_data)
    : zone_size_(zone_size), keep_data_(keep_data), zones_(keep_data ? nr_zones : 0) {}

Status MemZoneStore::Read(uint64_t offset, std::span<std::byte> data) {
  std::lock_guard lock(mu_);
  while (!data.empty()) {
    const uint64_t z = offset / zone_size_, in = offset % zone_size_;
    const size_t n = std::min<uint64_t>(data.size(), zone_size_ - in);
    if (keep_data_ && zones_[z]) {
      std::memcpy(data.data(), zones_[z].get() + in, n);
    } else {
      std::memset(data.data(), 0, n);
    }
    data = data.subspan(n);
    offset += n;
  }
  return Status::OK();
}

Status MemZoneStore::Write(uint64_t offset, std::span<const std::byte> data) {
  if (!keep_data_) return Status::OK();
  std::lock_guard lock(mu_);
  while (!data.empty()) {
    const uint64_t z = offset / zone_size_, in = offset % zone_size_;
    const size_t n = std::min<uint64_t>(data.size(), zone_size_ - in);
    if (!zones_[z]) {
      zones_[z].reset(new (std::nothrow) std::byte[zone_size_]());
      if (!zones_[z])
        return Status::NoSpace("mem: out of memory for zone " + std::to_string(z));
    }
    std::memcpy(zones_[z].get() + in, data.data(), n);
    data = data.subspan(n);
    offset += n;
  }
  return Status::OK();
}

Status MemZoneStore::Discard(uint64_t offset, uint64_t length) {
  if (!keep_data_) return Status::OK();
  std::lock_guard lock(mu_);
  for (uint64_t z = offset / zone_size_; z * zone_size_ < offset + length; ++z) zones_[z].reset();
  return Status::OK();
}

}  // namespace zgc
