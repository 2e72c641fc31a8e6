// The live extents of one zone, in blocks relative to the zone start: a sorted
// vector of 8-byte entries. Writes land at the write pointer, so additions are
// appends; invalidations find their entries by binary search and leave holes
// (length 0) that are compacted once they outnumber live entries.
#ifndef ZGC_SRC_GC_ZONE_EXTENTS_H_
#define ZGC_SRC_GC_ZONE_EXTENTS_H_

#include <cstdint>
#include <functional>
#include <vector>

namespace zgc {

class ZoneExtents {
 public:
  // Adds [start, start+length) (blocks), in O(1) when it lies past every entry.
  // Returns false (and adds nothing) when it overlaps a live extent.
  bool Append(uint32_t start, uint32_t length);
  // Removes whatever live blocks [start, start+length) covers; returns how many.
  uint32_t Invalidate(uint32_t start, uint32_t length);
  // Calls fn(start, length) for each live extent, in order.
  void ForEach(const std::function<void(uint32_t, uint32_t)>& fn) const;
  void Clear();
  uint32_t live_blocks() const { return live_; }
  size_t entries() const { return entries_.size(); }
  size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry); }

 private:
  struct Entry {
    uint32_t start;
    uint32_t length;  // 0: a hole left by an invalidation
  };
  void MaybeCompact();
  std::vector<Entry> entries_;
  uint32_t live_ = 0;
  uint32_t holes_ = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_ZONE_EXTENTS_H_
