#include "src/gc/zone_lists.h"

namespace zgc {

void ZoneLists::Push(uint8_t list, uint32_t zone) {
  Link& l = link(zone);
  l.list = list;
  l.prev = kNone;
  l.next = heads_[list];
  if (heads_[list] != kNone) link(heads_[list]).prev = zone;
  heads_[list] = zone;
}

void ZoneLists::Index(uint32_t zone, uint64_t live, uint64_t capacity) {
  Remove(zone);
  const uint64_t b = capacity ? live * (kBuckets - 1) / capacity : 0;
  Push(static_cast<uint8_t>(b < kBuckets ? b : kBuckets - 1), zone);
}

void ZoneLists::Remove(uint32_t zone) {
  Link& l = link(zone);
  if (l.list == kNoList) return;
  if (l.prev != kNone)
    link(l.prev).next = l.next;
  else
    heads_[l.list] = l.next;
  if (l.next != kNone) link(l.next).prev = l.prev;
  if (l.list == kFree) --free_count_;
  l = Link();
}

void ZoneLists::PushFree(uint32_t zone) {
  Remove(zone);
  Push(kFree, zone);
  ++free_count_;
}

uint32_t ZoneLists::PopFree() {
  const uint32_t z = heads_[kFree];
  if (z != kNone) Remove(z);
  return z;
}

}  // namespace zgc
