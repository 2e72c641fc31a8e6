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

// Feeds one probe zone at a time: blocks whose predecessor lived `lived[0]`
// or `lived[1]` (band A, [h/8, h/2), and B, [h, 4h); or C, [mean/8, mean/2),
// and D, [mean, 4 mean)), each dying at an age drawn from `life(0 or 1)`,
// over `zones` probe zones (400: many windows).
template <typename Life>
LifetimeProbe Feed(const double (&lived)[2], Life life, uint32_t zones = 400) {
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
      p.Wrote(zone, b, 1, lived[band], clock, kMean, kBlk);
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
  return p;
}

template <typename Life>
bool Continuum(Life life, uint32_t zones = 400) {
  return Feed({kH / 4, 2 * kH}, life, zones).continuum();
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

// Bands C and D (a quarter and twice the mean lifetime) decide whether a
// third user class pays under a continuum: where data whose predecessor lived
// a quarter of the mean dies 8x sooner than data whose predecessor lived
// twice it (static Zipf), it does; where both die alike (the hot set moved
// since: those lifetimes no longer predict), it does not. Deaths over
// exposure, so that blocks still live when their zone is collected count for
// the time they lived.
TEST(LifetimeProbe, AMiddleClassPaysOnlyWhereLongLifetimesStillPredict) {
  const LifetimeProbe sorts = Feed({kMean / 4, 2 * kMean}, [](int band, std::mt19937_64& rng) {
    return std::exponential_distribution<double>(1 / (band ? 2 * kMean : kMean / 4))(rng);
  });
  EXPECT_TRUE(sorts.middle_sorts());
  EXPECT_NEAR(sorts.middle_ratio(), 8, 1.5);
  const LifetimeProbe alike = Feed({kMean / 4, 2 * kMean}, [](int, std::mt19937_64& rng) {
    return std::exponential_distribution<double>(1 / (kMean / 2))(rng);
  });
  EXPECT_FALSE(alike.middle_sorts());
  EXPECT_NEAR(alike.middle_ratio(), 1, 0.2);
  EXPECT_FALSE(LifetimeProbe().middle_sorts()) << "two user classes until shown otherwise";
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
