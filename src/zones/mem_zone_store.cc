#include "src/zones/mem_zone_store.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace zgc {

MemZoneStore::MemZoneStore(uint64_t capacity_bytes, bool keep_data) : keep_data_(keep_data) {
  if (!keep_data_) return;
  while (capacity_bytes / chunk_ > (1u << 24)) chunk_ <<= 1;
  chunks_.resize((capacity_bytes + chunk_ - 1) / chunk_);
}

Status MemZoneStore::Read(uint64_t offset, std::span<std::byte> data) {
  std::lock_guard lock(mu_);
  while (!data.empty()) {
    const uint64_t c = offset / chunk_, in = offset % chunk_;
    const size_t n = std::min<uint64_t>(data.size(), chunk_ - in);
    if (keep_data_ && chunks_[c]) {
      std::memcpy(data.data(), chunks_[c].get() + in, n);
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
    const uint64_t c = offset / chunk_, in = offset % chunk_;
    const size_t n = std::min<uint64_t>(data.size(), chunk_ - in);
    if (!chunks_[c]) {
      // Zero only what this write leaves uncovered: whole-chunk writes skip the memset.
      chunks_[c].reset(new (std::nothrow) std::byte[chunk_]);
      if (!chunks_[c])
        return Status::NoSpace("mem: out of memory at offset " + std::to_string(offset));
      std::memset(chunks_[c].get(), 0, in);
      std::memset(chunks_[c].get() + in + n, 0, chunk_ - in - n);
    }
    std::memcpy(chunks_[c].get() + in, data.data(), n);
    data = data.subspan(n);
    offset += n;
  }
  return Status::OK();
}

Status MemZoneStore::Copy(uint64_t src, uint64_t dst, uint64_t length) {
  if (!keep_data_) return Status::OK();
  std::vector<std::byte> buf(std::min<uint64_t>(length, chunk_));
  for (uint64_t done = 0; done < length;) {
    const size_t n = std::min<uint64_t>(buf.size(), length - done);
    ZGC_RETURN_IF_ERROR(Read(src + done, std::span(buf).first(n)));
    ZGC_RETURN_IF_ERROR(Write(dst + done, std::span(buf).first(n)));
    done += n;
  }
  return Status::OK();
}

Status MemZoneStore::Discard(uint64_t offset, uint64_t length) {
  if (!keep_data_) return Status::OK();
  std::lock_guard lock(mu_);
  // Zones are chunk-aligned (both powers of two, chunks no larger than a zone is
  // not guaranteed): free whole chunks, zero partial ones.
  for (uint64_t off = offset; off < offset + length;) {
    const uint64_t c = off / chunk_, in = off % chunk_;
    const uint64_t n = std::min(chunk_ - in, offset + length - off);
    if (chunks_[c]) {
      if (n == chunk_) {
        chunks_[c].reset();
      } else {
        std::memset(chunks_[c].get() + in, 0, n);
      }
    }
    off += n;
  }
  return Status::OK();
}

}  // namespace zgc
