#include "src/gc/zone_extents.h"

#include <algorithm>

namespace zgc {

bool ZoneExtents::Append(uint32_t start, uint32_t length) {
  if (length == 0) return true;
  // Usually past every entry (writes land at the write pointer); concurrent
  // writers may report a little out of order, which takes a sorted insert.
  auto pos = std::upper_bound(entries_.begin(), entries_.end(), start,
                              [](uint32_t s, const Entry& e) { return s < e.start; });
  for (auto it = pos; it != entries_.begin();) {
    --it;
    if (it->length == 0) continue;
    if (it->start + it->length > start) return false;
    break;
  }
  for (auto it = pos; it != entries_.end(); ++it) {
    if (it->length == 0) continue;
    if (it->start < start + length) return false;
    break;
  }
  entries_.insert(pos, {start, length});
  live_ += length;
  return true;
}

uint32_t ZoneExtents::Invalidate(uint32_t start, uint32_t length) {
  const uint32_t end = start + length;
  // The first entry that could overlap: the last one starting at or before start.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), start,
                             [](uint32_t s, const Entry& e) { return s < e.start; });
  if (it != entries_.begin()) --it;
  uint32_t removed = 0;
  std::vector<Entry> tail;  // the right part of a split entry
  for (; it != entries_.end() && it->start < end; ++it) {
    if (it->length == 0) continue;
    const uint32_t e_end = it->start + it->length;
    if (e_end <= start) continue;
    const uint32_t lo = std::max(start, it->start), hi = std::min(end, e_end);
    removed += hi - lo;
    if (lo == it->start && hi == e_end) {
      it->length = 0;
      ++holes_;
    } else if (lo == it->start) {
      it->start = hi;
      it->length = e_end - hi;
    } else {
      it->length = lo - it->start;
      if (hi < e_end) tail.push_back({hi, e_end - hi});
    }
  }
  for (const Entry& t : tail) {
    auto pos = std::upper_bound(entries_.begin(), entries_.end(), t.start,
                                [](uint32_t s, const Entry& e) { return s < e.start; });
    entries_.insert(pos, t);
  }
  live_ -= removed;
  MaybeCompact();
  return removed;
}

void ZoneExtents::ForEach(const std::function<void(uint32_t, uint32_t)>& fn) const {
  for (const Entry& e : entries_)
    if (e.length) fn(e.start, e.length);
}

void ZoneExtents::Clear() {
  entries_.clear();
  entries_.shrink_to_fit();
  live_ = holes_ = 0;
}

void ZoneExtents::MaybeCompact() {
  if (holes_ < 64 || holes_ * 2 < entries_.size()) return;
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [](const Entry& e) { return e.length == 0; }),
                 entries_.end());
  holes_ = 0;
}

}  // namespace zgc
