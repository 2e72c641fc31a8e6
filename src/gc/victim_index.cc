#include "src/gc/victim_index.h"

namespace zgc {

void VictimIndex::Insert(uint32_t zone, uint64_t live, uint64_t capacity) {
  const uint32_t b = capacity ? static_cast<uint32_t>(live * (kBuckets - 1) / capacity) : 0;
  Link& l = links_[zone];
  l.bucket = b;
  l.prev = kNone;
  l.next = heads_[b];
  if (heads_[b] != kNone) links_[heads_[b]].prev = zone;
  heads_[b] = zone;
}

void VictimIndex::Remove(uint32_t zone) {
  Link& l = links_[zone];
  if (l.bucket == kNone) return;
  if (l.prev != kNone)
    links_[l.prev].next = l.next;
  else
    heads_[l.bucket] = l.next;
  if (l.next != kNone) links_[l.next].prev = l.prev;
  l = Link();
}

void VictimIndex::Visit(const std::function<bool(uint32_t)>& fn) const {
  for (uint32_t b = 0; b < kBuckets; ++b)
    for (uint32_t z = heads_[b]; z != kNone; z = links_[z].next)
      if (!fn(z)) return;
}

}  // namespace zgc
