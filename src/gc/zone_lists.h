// Which list each zone is on: the free stack, or the victim index — or neither
// (open, being collected).
//
// The victim index holds the full zones, bucketed by live fraction (up to 1025
// buckets: one per live block when zones hold at most 1024 blocks), and within
// each bucket a binary min-heap by seal clock, so that the oldest zone of every
// bucket is at hand. That is what lets a victim policy whose score grows with
// age (cost-benefit) find the best of every full zone without scoring them all:
// a bucket's lowest live fraction and a heap node's age bound the score of the
// node and of everything below it (younger), so whole buckets and subtrees are
// skipped once a better zone is known (GcEngineImpl::PickVictim).
//
// Each zone's position lives in the engine's per-zone record (the per-zone
// budget is 64 bytes); the heaps and the free stack are arrays of 16 and 4
// bytes per member. Index and Remove are O(log n) in the bucket's size; a zone
// whose bucket does not change is not moved. Not thread-safe: the engine's
// mutex guards it.
#ifndef ZGC_SRC_GC_ZONE_LISTS_H_
#define ZGC_SRC_GC_ZONE_LISTS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace zgc {

class ZoneLists {
 public:
  static constexpr uint32_t kNone = ~0u;

  struct Link {
    uint32_t pos = kNone;  // index in the bucket's heap or in the free stack
    uint16_t list = kNoList;
  };
  struct Entry {
    uint64_t clock;  // when the zone was sealed (the engine's clock)
    uint32_t zone;
    bool operator<(const Entry& o) const {
      return clock < o.clock || (clock == o.clock && zone < o.zone);
    }
  };

  // Zone z's link is at (char*)first + z * stride. Zones hold at most
  // `max_capacity` blocks; the bucket count follows from it.
  ZoneLists(Link* first, size_t stride, uint64_t max_capacity);

  // Puts a full zone in the bucket of live/capacity, sealed at `clock`.
  void Index(uint32_t zone, uint64_t live, uint64_t capacity, uint64_t clock);
  bool Indexed(uint32_t zone) const { return link(zone).list < buckets(); }
  // Takes the zone off whichever list it is on.
  void Remove(uint32_t zone);

  uint32_t buckets() const { return static_cast<uint32_t>(heaps_.size()); }
  // The lowest live fraction a zone in bucket b can have (exactly b/(buckets-1)).
  double BucketFloor(uint32_t b) const { return double(b) / double(buckets() - 1); }
  // Bucket b's heap: [0] is its oldest zone, the children of i are 2i+1, 2i+2.
  const std::vector<Entry>& Heap(uint32_t b) const { return heaps_[b]; }
  // Visits the non-empty buckets, least live first, until fn(b) returns false.
  template <typename Fn>
  void VisitBuckets(Fn&& fn) const {
    for (size_t w = 0; w < nonempty_.size(); ++w)
      for (uint64_t bits = nonempty_[w]; bits; bits &= bits - 1)
        if (!fn(static_cast<uint32_t>(w * 64 + std::countr_zero(bits)))) return;
  }

  // The free stack (last freed, first reused).
  void PushFree(uint32_t zone);
  uint32_t PopFree();  // kNone when empty
  uint32_t free_count() const { return static_cast<uint32_t>(free_.size()); }

  // Heap and stack storage, for GcStats.
  size_t memory_bytes() const;

 private:
  static constexpr uint16_t kNoList = 0xffff;
  static constexpr uint16_t kFree = 0xfffe;
  Link& link(uint32_t z) const { return *reinterpret_cast<Link*>(base_ + size_t(z) * stride_); }
  void SiftUp(std::vector<Entry>& h, uint32_t i);
  void SiftDown(std::vector<Entry>& h, uint32_t i);
  void Place(std::vector<Entry>& h, uint32_t i, const Entry& e);

  char* base_;
  size_t stride_;
  std::vector<std::vector<Entry>> heaps_;
  std::vector<uint64_t> nonempty_;  // a bit per bucket
  std::vector<uint32_t> free_;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_ZONE_LISTS_H_
