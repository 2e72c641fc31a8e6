#include "src/gc/lifetime_probe.h"

#include <algorithm>

namespace zgc {

bool LifetimeProbe::WantsZone() { return ++opened_ % kEvery == 0 && zones_.size() < kMaxProbes; }

void LifetimeProbe::StartZone(uint32_t zone, uint32_t blocks) {
  Zone& z = zones_[zone];
  z.based = false;
  z.blocks.assign(blocks, 0);
}

void LifetimeProbe::Wrote(uint32_t zone, uint32_t first, uint32_t n, double lived, uint64_t clock,
                          double mean, uint64_t block_bytes) {
  auto it = zones_.find(zone);
  if (it == zones_.end() || lived < 0 || mean <= 0) return;
  const double h = kHorizon * mean;
  int band = -1;
  if (lived >= h / 8 && lived < h / 2) band = 0;
  if (lived >= h && lived < 4 * h) band = 1;
  if (lived >= mean / 8 && lived < mean / 2) band = 2;
  if (lived >= mean && lived < 4 * mean) band = 3;
  if (band < 0) return;
  Zone& z = it->second;
  if (!z.based) z.based = true, z.base = clock;
  const uint64_t born = (clock - std::min(clock, z.base)) / block_bytes;
  if (born >= (uint64_t(1) << 29)) return;
  Advance(clock);
  for (uint32_t i = first; i < first + n && i < z.blocks.size(); ++i) {
    z.blocks[i] = static_cast<uint32_t>((born << 2 | uint64_t(band)) + 1);
    if (band >= kC) ++live_[band - kC];
  }
}

void LifetimeProbe::Died(uint32_t zone, uint32_t first, uint32_t n, uint64_t clock, double mean,
                         uint64_t block_bytes) {
  auto it = zones_.find(zone);
  if (it == zones_.end()) return;
  Zone& z = it->second;
  const double h = kHorizon * mean;
  Advance(clock);
  for (uint32_t i = first; i < first + n && i < z.blocks.size(); ++i) {
    if (!z.blocks[i]) continue;
    const Tracked t = Decode(z, z.blocks[i], block_bytes);
    if (t.band >= kC) {
      Gone(t.band);
      deaths_[t.band - kC] += 1;
    } else {
      Outcome(t.band, double(clock) - t.born < h);
    }
    z.blocks[i] = 0;
  }
  ++events_;
  // The first decision comes as soon as both bands have enough outcomes: the
  // prior (a continuum) costs a hot/cold workload WA for as long as it holds.
  if (events_ % kWindow == 0 || (!decided_ && events_ % kFirstCheck == 0)) Decide();
}

void LifetimeProbe::Collected(uint32_t zone, uint64_t clock, double mean, uint64_t block_bytes) {
  auto it = zones_.find(zone);
  if (it == zones_.end()) return;
  const Zone& z = it->second;
  const double h = kHorizon * mean;
  // Blocks still live survived to now (bands A and B: those younger than h
  // are censored); C and D stop adding exposure.
  Advance(clock);
  for (uint32_t entry : z.blocks) {
    if (!entry) continue;
    const Tracked t = Decode(z, entry, block_bytes);
    if (t.band >= kC) {
      Gone(t.band);
    } else if (double(clock) - t.born >= h) {
      Outcome(t.band, false);
    }
  }
  zones_.erase(it);
}

LifetimeProbe::Tracked LifetimeProbe::Decode(const Zone& z, uint32_t entry, uint64_t block_bytes) {
  const uint64_t v = entry - 1;
  return {static_cast<int>(v & 3), double(z.base) + double(v >> 2) * double(block_bytes)};
}

void LifetimeProbe::Advance(uint64_t clock) {
  if (clock > clock_) {
    for (int b = 0; b < 2; ++b) exposure_[b] += double(live_[b]) * double(clock - clock_);
    clock_ = clock;
  }
}

void LifetimeProbe::Outcome(int band, bool early) { (early ? early_ : survived_)[band] += 1; }

void LifetimeProbe::Decide() {
  const double na = early_[0] + survived_[0], nb = early_[1] + survived_[1];
  if (!decided_ && events_ % kWindow != 0 && (na < kFirstSamples || nb < kFirstSamples)) return;
  if (na > 500 && nb > 500) {
    decided_ = true;
    const double sa = survived_[0] / na, sb = survived_[1] / nb;
    ratio_ = sb / std::max(sa, 1e-9);
    if (ratio_ > kOn) continuum_ = true;
    if (ratio_ < kOff) continuum_ = false;
  }
  if (deaths_[0] >= kFirstSamples && deaths_[1] >= kFirstSamples) {
    middle_ratio_ = (deaths_[0] / exposure_[0]) / (deaths_[1] / exposure_[1]);
    if (middle_ratio_ > kMiddleOn) middle_sorts_ = true;
    if (middle_ratio_ < kMiddleOff) middle_sorts_ = false;
  }
  for (int b = 0; b < 2; ++b) early_[b] /= 2, survived_[b] /= 2, deaths_[b] /= 2, exposure_[b] /= 2;
}

size_t LifetimeProbe::memory_bytes() const {
  size_t n = 0;
  for (const auto& [zone, z] : zones_) n += z.blocks.capacity() * sizeof(uint32_t) + 32;
  return n;
}

}  // namespace zgc
