// Which list each zone is on: the free stack, or the victim index (full zones
// bucketed by live fraction, 65 buckets) — or neither (open, being collected).
// The lists are intrusive: each zone's link lives in the engine's per-zone
// record, so that membership costs no allocation and no separate table (the
// per-zone budget is 64 bytes). Updates are O(1); the least-live zones come
// first in O(buckets).
#ifndef ZGC_SRC_GC_ZONE_LISTS_H_
#define ZGC_SRC_GC_ZONE_LISTS_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace zgc {

class ZoneLists {
 public:
  static constexpr uint32_t kNone = ~0u;
  static constexpr uint32_t kBuckets = 65;

  struct Link {
    uint32_t prev = kNone, next = kNone;
    uint8_t list = kNoList;
  };

  // Zone z's link is at (char*)first + z * stride.
  ZoneLists(Link* first, size_t stride) : base_(reinterpret_cast<char*>(first)), stride_(stride) {
    heads_.fill(kNone);
  }

  // The victim index.
  void Index(uint32_t zone, uint64_t live, uint64_t capacity);
  bool Indexed(uint32_t zone) const { return link(zone).list < kBuckets; }
  // Takes the zone off whichever list it is on.
  void Remove(uint32_t zone);
  // Visits indexed zones, least live bucket first, until fn returns false.
  template <typename Fn>
  void Visit(Fn&& fn) const {
    for (uint32_t b = 0; b < kBuckets; ++b)
      for (uint32_t z = heads_[b]; z != kNone; z = link(z).next)
        if (!fn(z)) return;
  }

  // The free stack (last freed, first reused).
  void PushFree(uint32_t zone);
  uint32_t PopFree();  // kNone when empty
  uint32_t free_count() const { return free_count_; }

 private:
  static constexpr uint8_t kNoList = 0xff;
  static constexpr uint8_t kFree = kBuckets;
  Link& link(uint32_t z) const { return *reinterpret_cast<Link*>(base_ + size_t(z) * stride_); }
  void Push(uint8_t list, uint32_t zone);

  char* base_;
  size_t stride_;
  std::array<uint32_t, kBuckets + 1> heads_;  // the buckets, then the free stack
  uint32_t free_count_ = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_ZONE_LISTS_H_
