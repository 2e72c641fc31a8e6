#include "src/gc/zone_extents.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace zgc {

ZoneExtents::Entry* ZoneExtents::UpperBound(uint32_t start) const {
  return std::upper_bound(begin(), end(), start,
                          [](uint32_t s, const Entry& e) { return s < e.start; });
}

void ZoneExtents::InsertAt(Entry* pos, Entry e) {
  size_t at = static_cast<size_t>(pos - begin());
  if (size_ == capacity_) {
    const uint32_t grown = capacity_ ? capacity_ * 2 : 16;
    std::unique_ptr<Entry[]> bigger(new Entry[grown]);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_ * sizeof(Entry));
    data_ = std::move(bigger);
    capacity_ = grown;
  }
  Entry* p = begin() + at;
  std::memmove(p + 1, p, (size_ - at) * sizeof(Entry));
  *p = e;
  ++size_;
}

bool ZoneExtents::Append(uint32_t start, uint32_t length) {
  if (length == 0) return true;
  // Usually past every entry (writes land at the write pointer): O(1). The
  // last entry ends at or before every live one's end (a hole there keeps the
  // start of the live entry it was, which began after all the others ended).
  if (size_ == 0 || data_[size_ - 1].start + data_[size_ - 1].length <= start) {
    InsertAt(end(), {start, length});
    live_ += length;
    return true;
  }
  // Concurrent writers may report a little out of order: a sorted insert.
  Entry* pos = UpperBound(start);
  for (Entry* it = pos; it != begin();) {
    --it;
    if (it->length == 0) continue;
    if (it->start + it->length > start) return false;
    break;
  }
  for (Entry* it = pos; it != end(); ++it) {
    if (it->length == 0) continue;
    if (it->start < start + length) return false;
    break;
  }
  InsertAt(pos, {start, length});
  live_ += length;
  return true;
}

uint32_t ZoneExtents::Invalidate(uint32_t start, uint32_t length) {
  const uint32_t end_block = start + length;
  // The first entry that could overlap: the last one starting at or before start.
  Entry* it = UpperBound(start);
  if (it != begin()) --it;
  uint32_t removed = 0;
  std::vector<Entry> tail;  // the right part of a split entry
  for (; it != end() && it->start < end_block; ++it) {
    if (it->length == 0) continue;
    const uint32_t e_end = it->start + it->length;
    if (e_end <= start) continue;
    const uint32_t lo = std::max(start, it->start), hi = std::min(end_block, e_end);
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
  for (const Entry& t : tail) InsertAt(UpperBound(t.start), t);
  live_ -= removed;
  MaybeCompact();
  return removed;
}

void ZoneExtents::Clear() {
  data_.reset();
  size_ = capacity_ = live_ = holes_ = 0;
}

void ZoneExtents::MaybeCompact() {
  if (holes_ < 64 || holes_ * 2 < size_) return;
  size_ = static_cast<uint32_t>(
      std::remove_if(begin(), end(), [](const Entry& e) { return e.length == 0; }) - begin());
  holes_ = 0;
}

}  // namespace zgc
