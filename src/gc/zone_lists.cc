#include "src/gc/zone_lists.h"

#include <algorithm>

namespace zgc {

ZoneLists::ZoneLists(Link* first, size_t stride, uint64_t max_capacity)
    : base_(reinterpret_cast<char*>(first)), stride_(stride) {
  // One bucket per live block up to 1024 blocks (greedy's choice is then exact
  // from the bucket alone), and at least 65.
  const uint64_t steps = std::clamp<uint64_t>(max_capacity, 64, 1024);
  heaps_.resize(steps + 1);
  nonempty_.assign((heaps_.size() + 63) / 64, 0);
}

void ZoneLists::Place(std::vector<Entry>& h, uint32_t i, const Entry& e) {
  h[i] = e;
  link(e.zone).pos = i;
}

void ZoneLists::SiftUp(std::vector<Entry>& h, uint32_t i) {
  const Entry e = h[i];
  while (i > 0) {
    const uint32_t parent = (i - 1) / 2;
    if (!(e < h[parent])) break;
    Place(h, i, h[parent]);
    i = parent;
  }
  Place(h, i, e);
}

void ZoneLists::SiftDown(std::vector<Entry>& h, uint32_t i) {
  const Entry e = h[i];
  const uint32_t n = static_cast<uint32_t>(h.size());
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h[c + 1] < h[c]) ++c;
    if (!(h[c] < e)) break;
    Place(h, i, h[c]);
    i = c;
  }
  Place(h, i, e);
}

void ZoneLists::Index(uint32_t zone, uint64_t live, uint64_t capacity, uint64_t clock) {
  const uint64_t steps = buckets() - 1;
  const uint64_t b = capacity ? std::min(live * steps / capacity, steps) : 0;
  Link& l = link(zone);
  if (l.list == b && heaps_[b][l.pos].clock == clock) return;
  Remove(zone);
  std::vector<Entry>& h = heaps_[b];
  h.push_back({clock, zone});
  l.list = static_cast<uint16_t>(b);
  SiftUp(h, static_cast<uint32_t>(h.size() - 1));
  nonempty_[b / 64] |= uint64_t(1) << (b % 64);
}

void ZoneLists::Remove(uint32_t zone) {
  Link& l = link(zone);
  if (l.list == kNoList) return;
  if (l.list == kFree) {
    // Order among free zones is a preference, not a contract: the last one
    // takes the removed one's place.
    const uint32_t last = free_.back();
    free_[l.pos] = last;
    link(last).pos = l.pos;
    free_.pop_back();
  } else {
    const uint32_t b = l.list;
    std::vector<Entry>& h = heaps_[b];
    const uint32_t i = l.pos;
    const Entry last = h.back();
    h.pop_back();
    if (i < h.size()) {
      const bool up = last < h[i];
      h[i] = last;
      if (up) {
        SiftUp(h, i);
      } else {
        SiftDown(h, i);
      }
    }
    if (h.empty()) nonempty_[b / 64] &= ~(uint64_t(1) << (b % 64));
    // Zones drift through the buckets as their data dies; a bucket that once
    // held many gives the memory back (amortized O(1): after 3/4 left).
    if (h.capacity() > 64 && h.size() * 4 < h.capacity()) h.shrink_to_fit();
  }
  link(zone) = Link();
}

void ZoneLists::PushFree(uint32_t zone) {
  Remove(zone);
  link(zone) = {static_cast<uint32_t>(free_.size()), kFree};
  free_.push_back(zone);
}

uint32_t ZoneLists::PopFree() {
  if (free_.empty()) return kNone;
  const uint32_t z = free_.back();
  Remove(z);
  return z;
}

size_t ZoneLists::memory_bytes() const {
  size_t bytes = free_.capacity() * sizeof(uint32_t) + nonempty_.capacity() * sizeof(uint64_t) +
                 heaps_.capacity() * sizeof(std::vector<Entry>);
  for (const auto& h : heaps_) bytes += h.capacity() * sizeof(Entry);
  return bytes;
}

}  // namespace zgc
