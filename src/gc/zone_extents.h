// The live extents of one zone, in blocks relative to the zone start: a sorted
// array of 8-byte entries. Writes land at the write pointer, so additions are
// appends; invalidations find their entries by binary search and leave holes
// (length 0) that are compacted once they outnumber live entries. The object
// itself is 24 bytes (one per zone: the engine's per-zone budget is 64 bytes),
// which is why it manages its array by hand instead of holding a std::vector.
#ifndef ZGC_SRC_GC_ZONE_EXTENTS_H_
#define ZGC_SRC_GC_ZONE_EXTENTS_H_

#include <cstdint>
#include <memory>

namespace zgc {

class ZoneExtents {
 public:
  struct Entry {
    uint32_t start;
    uint32_t length;  // 0: a hole left by an invalidation
  };

  // Adds [start, start+length) (blocks), in O(1) when it lies past every entry.
  // Returns false (and adds nothing) when it overlaps a live extent.
  bool Append(uint32_t start, uint32_t length);
  // Removes whatever live blocks [start, start+length) covers; returns how many.
  uint32_t Invalidate(uint32_t start, uint32_t length);
  // Calls fn(start, length) for each live extent, in order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (uint32_t i = 0; i < size_; ++i)
      if (data_[i].length) fn(data_[i].start, data_[i].length);
  }
  void Clear();
  uint32_t live_blocks() const { return live_; }
  size_t entries() const { return size_; }
  size_t memory_bytes() const { return size_t(capacity_) * sizeof(Entry); }

 private:
  Entry* begin() const { return data_.get(); }
  Entry* end() const { return data_.get() + size_; }
  // The first entry starting after `start`.
  Entry* UpperBound(uint32_t start) const;
  void InsertAt(Entry* pos, Entry e);
  void MaybeCompact();

  std::unique_ptr<Entry[]> data_;
  uint32_t size_ = 0, capacity_ = 0;
  uint32_t live_ = 0;
  uint32_t holes_ = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_ZONE_EXTENTS_H_
