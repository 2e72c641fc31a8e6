#include "src/gc/lifetime_probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace zgc {
namespace {

constexpr double kMean = 1 << 20;  // clock units
constexpr uint64_t kBlk = 1;
constexpr double kH = LifetimeProbe::kHorizon * kMean;

// Feeds one probe zone at a time: blocks whose predecessor lived in band A
// ([h/8, h/2)) or band B ([h, 4h)), each dying at an age drawn from
// `life(band)`, over `zones` probe zones (400: many windows).
template <typename Life>
bool Continuum(Life life, uint32_t zones = 400) {
  LifetimeProbe p;
  std::mt19937_64 rng(9);
  uint64_t clock = 1;
  for (uint32_t zone = 0; zone < zones; ++zone) {
    while (!p.WantsZone()) {
    }
    p.StartZone(zone, 4096);
    std::vector<std::pair<double, uint32_t>> deaths;
    for (uint32_t b = 0; b < 4096; ++b) {
      const int band = rng() % 2;
      const double lived = band ? 2 * kH : kH / 4;
      p.Wrote(zone, b, 1, lived, clock, kMean, kBlk);
      deaths.push_back({double(clock) + life(band, rng), b});
      clock += 16;
    }
    std::sort(deaths.begin(), deaths.end());
    for (const auto& [at, b] : deaths) {
      if (at > double(clock) + 8 * kH) break;  // the rest is still live when collected
      p.Died(zone, b, 1, static_cast<uint64_t>(at), kMean, kBlk);
    }
    clock += static_cast<uint64_t>(8 * kH);
    p.Collected(zone, clock, kMean, kBlk);
  }
  return p.continuum();
}

// A hot set of alike blocks: how long the predecessor lived says nothing.
TEST(LifetimeProbe, AHotSetOfAlikeBlocksIsNoContinuum) {
  EXPECT_FALSE(Continuum([](int, std::mt19937_64& rng) {
    return std::exponential_distribution<double>(1 / (2 * kH))(rng);
  }));
}

// A continuum: data whose predecessor lived 8x longer lives 8x longer.
TEST(LifetimeProbe, LongerLivedPredecessorsMeanLongerLivesIsAContinuum) {
  EXPECT_TRUE(Continuum([](int band, std::mt19937_64& rng) {
    return std::exponential_distribution<double>(1 / (band ? 2 * kH : kH / 4))(rng);
  }));
}

// Until it has seen enough, the probe assumes a continuum (SepBIT's split
// from the first overwrite); it decides as soon as both bands have
// kFirstSamples outcomes, long before a full window: a hot set is recognized
// within 16 probe zones (64k writes, well under kWindow invalidations), and
// a continuum is not mistaken for one on so few outcomes.
TEST(LifetimeProbe, DecidesEarlyAndAssumesAContinuumUntilThen) {
  EXPECT_TRUE(LifetimeProbe().continuum());
  EXPECT_FALSE(Continuum(
      [](int, std::mt19937_64& rng) {
        return std::exponential_distribution<double>(1 / (2 * kH))(rng);
      },
      16));
  EXPECT_TRUE(Continuum(
      [](int band, std::mt19937_64& rng) {
        return std::exponential_distribution<double>(1 / (band ? 2 * kH : kH / 4))(rng);
      },
      16));
}

// Unknown lifetimes and writes outside both bands are not tracked; a zone
// that is not a probe is ignored; memory is 4 bytes a probed block.
TEST(LifetimeProbe, TracksOnlyItsZonesAndBands) {
  LifetimeProbe p;
  for (uint32_t i = 1; i < LifetimeProbe::kEvery; ++i) EXPECT_FALSE(p.WantsZone());
  EXPECT_TRUE(p.WantsZone());
  p.StartZone(3, 1024);
  EXPECT_TRUE(p.IsProbe(3));
  EXPECT_FALSE(p.IsProbe(4));
  EXPECT_GE(p.memory_bytes(), 4096u);
  p.Wrote(3, 0, 1, -1, 10, kMean, kBlk);
  p.Wrote(3, 1, 1, 100 * kH, 10, kMean, kBlk);
  p.Wrote(4, 0, 1, kH / 4, 10, kMean, kBlk);
  p.Died(4, 0, 1, 20, kMean, kBlk);
  p.Collected(3, 1 << 30, kMean, kBlk);
  EXPECT_FALSE(p.IsProbe(3));
  EXPECT_EQ(p.memory_bytes(), 0u);
  EXPECT_TRUE(p.continuum());  // nothing seen: the prior
}

}  // namespace
}  // namespace zgc
