#include "src/zones/volatile_cache.h"

#include <algorithm>
#include <random>

namespace zgc {

namespace {

// One generator per zone and seed: a cut's outcome for a zone does not depend
// on what the other zones hold.
std::mt19937_64 ZoneRng(uint64_t seed, uint32_t index) {
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), index, 0x5a4743u};
  return std::mt19937_64(seq);
}

}  // namespace

uint64_t VolatileCache::DataEnd(const Zone& z) {
  if (!z.sequential()) return z.end();
  if (z.cond == ZoneCondition::kFull) return z.start + z.capacity;
  return z.wp;
}

Status VolatileCache::BeforeReset(uint32_t index) {
  Pending& p = pending_[index];
  p.finished = false;
  if (p.reset) return Status::OK();  // the durable data was saved at the first reset
  p.reset = true;
  // A metadata-only device (mem:?data=0) has no data to bring back: saving
  // would allocate the zone's capacity (64 GiB zones) to hold zeroes.
  if (!info_.stores_data) return Status::OK();
  const Zone& d = durable_[index];
  const uint64_t n = d.cond == ZoneCondition::kEmpty ? 0 : DataEnd(d) - d.start;
  p.saved.assign(n, std::byte{0});
  if (n) return store_.Read(d.start, p.saved);
  return Status::OK();
}

Status VolatileCache::BeforeOverwrite(uint64_t offset, uint64_t length) {
  if (!info_.stores_data) return Status::OK();  // nothing to undo (see BeforeReset)
  const uint64_t lbs = info_.logical_block_size;
  for (uint64_t b = offset; b < offset + length; b += lbs) {
    if (undo_.count(b)) continue;
    std::vector<std::byte> old(lbs);
    ZGC_RETURN_IF_ERROR(store_.Read(b, old));
    undo_.emplace(b, std::move(old));
  }
  return Status::OK();
}

void VolatileCache::BeforeFinish(uint32_t index, uint64_t data_end) {
  pending_[index].finished = true;
  pending_[index].data_end = data_end;
}

void VolatileCache::Synced(const std::vector<Zone>& zones) {
  durable_ = zones;
  for (Pending& p : pending_) p = Pending();
  undo_.clear();
}

Status VolatileCache::CutSequential(uint32_t index, const PowerCut& cut, Zone& z) {
  const Zone& d = durable_[index];
  Pending& p = pending_[index];
  const bool tear = cut.mode == PowerCutMode::kTear;
  auto rng = ZoneRng(cut.seed, index);
  auto coin = [&] { return (rng() & 1) != 0; };
  if (z.cond == ZoneCondition::kReadOnly || z.cond == ZoneCondition::kOffline)
    return Status::OK();  // a degraded zone stays degraded
  if (p.reset && (!tear || coin())) {
    // The reset never reached the media: the old data is back.
    ZGC_RETURN_IF_ERROR(store_.Discard(z.start, z.size));
    if (!p.saved.empty()) ZGC_RETURN_IF_ERROR(store_.Write(d.start, p.saved));
    z = d;
  } else {
    // From `base` on, the zone's data is not durable; a prefix may survive.
    const uint64_t base = p.reset ? z.start : DataEnd(d);
    const uint64_t end = p.finished ? p.data_end : DataEnd(z);
    const uint64_t lbs = info_.logical_block_size;
    const uint64_t blocks = end > base ? (end - base) / lbs : 0;
    const uint64_t keep = tear && blocks ? rng() % (blocks + 1) : 0;
    const uint64_t wp = base + keep * lbs;
    const bool full = d.cond == ZoneCondition::kFull && !p.reset
                          ? true
                          : p.finished && keep == blocks && tear && coin();
    if (wp < z.end()) ZGC_RETURN_IF_ERROR(store_.Discard(wp, z.end() - wp));
    // A write pointer at the zone's capacity is a full zone: no device
    // reports a closed zone with nothing left to write.
    if (full || wp == z.start + z.capacity) {
      z.cond = ZoneCondition::kFull;
      z.wp = z.end();
    } else {
      z.wp = wp;
      z.cond = wp == z.start ? ZoneCondition::kEmpty : ZoneCondition::kClosed;
    }
  }
  // A power cycle closes what was open.
  if (z.open()) z.cond = z.wp == z.start ? ZoneCondition::kEmpty : ZoneCondition::kClosed;
  return Status::OK();
}

Status VolatileCache::CutConventional(const PowerCut& cut, const Zone& z) {
  auto rng = ZoneRng(cut.seed, static_cast<uint32_t>(z.start / info_.zone_size));
  for (auto it = undo_.lower_bound(z.start); it != undo_.end() && it->first < z.end(); ++it) {
    if (cut.mode == PowerCutMode::kTear && (rng() & 1)) continue;  // the new block survived
    ZGC_RETURN_IF_ERROR(store_.Write(it->first, it->second));
  }
  return Status::OK();
}

Status VolatileCache::Cut(const PowerCut& cut, std::vector<Zone>& zones) {
  for (uint32_t i = 0; i < zones.size(); ++i) {
    ZGC_RETURN_IF_ERROR(zones[i].sequential() ? CutSequential(i, cut, zones[i])
                                              : CutConventional(cut, zones[i]));
  }
  Synced(zones);
  return Status::OK();
}

}  // namespace zgc
