#include "src/zones/mem_zone_store.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace zgc {

MemZoneStore::MemZoneStore(uint64_t capacity_bytes, bool keep_data) : keep_data_(keep_data) {
  if (!keep_data_) return;
  while (capacity_bytes / chunk_ > (1u << 24)) chunk_ <<= 1;
  nr_chunks_ = (capacity_bytes + chunk_ - 1) / chunk_;
  chunks_.reset(new std::atomic<std::byte*>[nr_chunks_]);
  for (uint64_t c = 0; c < nr_chunks_; ++c) chunks_[c].store(nullptr, std::memory_order_relaxed);
}

MemZoneStore::~MemZoneStore() {
  for (uint64_t c = 0; c < nr_chunks_; ++c) delete[] chunks_[c].load();
}

std::byte* MemZoneStore::ChunkFor(uint64_t c) {
  std::byte* p = chunks_[c].load(std::memory_order_acquire);
  if (p) return p;
  auto* fresh = new (std::nothrow) std::byte[chunk_]();
  if (!fresh) return nullptr;
  // Zones may share a chunk: whoever installs it first wins, the other uses it.
  if (chunks_[c].compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return fresh;
  delete[] fresh;
  return p;
}

Status MemZoneStore::Read(uint64_t offset, std::span<std::byte> data) {
  std::shared_lock lock(mu_);
  while (!data.empty()) {
    const uint64_t c = offset / chunk_, in = offset % chunk_;
    const size_t n = std::min<uint64_t>(data.size(), chunk_ - in);
    std::byte* p = keep_data_ ? chunks_[c].load(std::memory_order_acquire) : nullptr;
    if (p) {
      std::memcpy(data.data(), p + in, n);
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
  std::shared_lock lock(mu_);
  while (!data.empty()) {
    const uint64_t c = offset / chunk_, in = offset % chunk_;
    const size_t n = std::min<uint64_t>(data.size(), chunk_ - in);
    std::byte* p = ChunkFor(c);
    if (!p) return Status::NoSpace("mem: out of memory at offset " + std::to_string(offset));
    std::memcpy(p + in, data.data(), n);
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
  std::unique_lock lock(mu_);
  // Free whole chunks, zero partial ones (a zone may be smaller than a chunk).
  for (uint64_t off = offset; off < offset + length;) {
    const uint64_t c = off / chunk_, in = off % chunk_;
    const uint64_t n = std::min(chunk_ - in, offset + length - off);
    if (std::byte* p = chunks_[c].load()) {
      if (n == chunk_) {
        chunks_[c].store(nullptr);
        delete[] p;
      } else {
        std::memset(p + in, 0, n);
      }
    }
    off += n;
  }
  return Status::OK();
}

}  // namespace zgc
