// Full zones bucketed by live fraction (65 buckets), as intrusive lists, so that
// accounting updates are O(1) and the least-live zones come first in O(buckets).
#ifndef ZGC_SRC_GC_VICTIM_INDEX_H_
#define ZGC_SRC_GC_VICTIM_INDEX_H_

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace zgc {

class VictimIndex {
 public:
  static constexpr uint32_t kNone = ~0u;
  static constexpr uint32_t kBuckets = 65;

  explicit VictimIndex(uint32_t zones) : links_(zones) { heads_.fill(kNone); }

  void Insert(uint32_t zone, uint64_t live, uint64_t capacity);
  void Remove(uint32_t zone);
  void Update(uint32_t zone, uint64_t live, uint64_t capacity) {
    Remove(zone);
    Insert(zone, live, capacity);
  }
  bool Contains(uint32_t zone) const { return links_[zone].bucket != kNone; }
  // Visits indexed zones, least live bucket first, until fn returns false.
  void Visit(const std::function<bool(uint32_t)>& fn) const;

 private:
  struct Link {
    uint32_t prev = kNone, next = kNone, bucket = kNone;
  };
  std::array<uint32_t, kBuckets> heads_;
  std::vector<Link> links_;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_VICTIM_INDEX_H_
