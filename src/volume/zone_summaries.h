// zgc::ZoneSummaries: each zone's owners, the logical block each of its
// device blocks was last mapped from, so that a collection finds the owners
// of its victim's blocks in what the victim holds instead of scanning the
// whole forward map (Sprite LFS's segment summary, F2FS's SSA).
//
// Contract: the summaries are in memory only, rebuilt at Open from the
// forward map (one pass recovery makes anyway); the forward map stays the
// truth. An entry is a hint that the forward map confirms: block P's owner L
// is live only if the map still sends L to P (an overwrite or a trim leaves
// the old entry, which then fails the check). Every change that points the
// map at a device block sets that block's entry (the volume's Map, Relocate,
// Recover), and a device block is written once between resets, so the live
// entries are exact; fsck (Volume::Check) verifies them against the map.
// A zone's table (4 bytes per block of the zone) exists from its first
// mapped block until BeforeReset drops it: the memory is 4 bytes per device
// block in zones that hold data (VolumeStats::summary_memory_bytes).
//
// Thread safety: none of its own; the volume guards it with its map lock.
#ifndef ZGC_SRC_VOLUME_ZONE_SUMMARIES_H_
#define ZGC_SRC_VOLUME_ZONE_SUMMARIES_H_

#include <cstdint>
#include <memory>
#include <vector>

namespace zgc {

class ZoneSummaries {
 public:
  ZoneSummaries(uint32_t zones, uint64_t blocks_per_zone)
      : tables_(zones), blocks_per_zone_(blocks_per_zone) {}

  // Device block `pba` now holds logical block `lba` (< 2^32 - 1).
  void Set(uint64_t pba, uint64_t lba) {
    auto& t = tables_[pba / blocks_per_zone_];
    if (!t) {
      t.reset(new uint32_t[blocks_per_zone_]());
      bytes_ += blocks_per_zone_ * sizeof(uint32_t);
    }
    t[pba % blocks_per_zone_] = static_cast<uint32_t>(lba + 1);
  }
  // The last logical block mapped to `pba`, plus one; 0: none since the
  // zone's table was made.
  uint64_t Owner(uint64_t pba) const {
    const auto& t = tables_[pba / blocks_per_zone_];
    return t ? t[pba % blocks_per_zone_] : 0;
  }
  // The zone is about to be reset: its table goes.
  void Drop(uint32_t zone) {
    if (tables_[zone]) bytes_ -= blocks_per_zone_ * sizeof(uint32_t);
    tables_[zone].reset();
  }
  uint64_t memory_bytes() const { return bytes_ + tables_.capacity() * sizeof(tables_[0]); }

 private:
  std::vector<std::unique_ptr<uint32_t[]>> tables_;  // per zone; null: holds no mapped block
  const uint64_t blocks_per_zone_;
  uint64_t bytes_ = 0;
};

}  // namespace zgc

#endif  // ZGC_SRC_VOLUME_ZONE_SUMMARIES_H_
