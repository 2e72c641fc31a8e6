#include "src/gc/placement_class.h"

#include <gtest/gtest.h>

#include <random>

namespace zgc {
namespace {

TEST(PlacementClass, RemainingLifeFallsInGeometricBands) {
  // Two classes: one threshold at the mean lifetime.
  EXPECT_EQ(ClassForRemainingLife(99, 100, 2), 0);
  EXPECT_EQ(ClassForRemainingLife(100, 100, 2), 1);
  // Four classes: mean/4, /2, 1.
  EXPECT_EQ(ClassForRemainingLife(24, 100, 4), 0);
  EXPECT_EQ(ClassForRemainingLife(25, 100, 4), 1);
  EXPECT_EQ(ClassForRemainingLife(60, 100, 4), 2);
  EXPECT_EQ(ClassForRemainingLife(1e9, 100, 4), 3);
  // Nothing measured yet, or one class: the long-lived class.
  EXPECT_EQ(ClassForRemainingLife(1, 0, 3), 2);
  EXPECT_EQ(ClassForRemainingLife(1, 100, 1), 0);
}

TEST(PlacementClass, HintsSpreadShortToLong) {
  EXPECT_EQ(ClassForHint(Lifetime::kShort, 2), 0);
  EXPECT_EQ(ClassForHint(Lifetime::kMedium, 2), 0);
  EXPECT_EQ(ClassForHint(Lifetime::kLong, 2), 1);
  EXPECT_EQ(ClassForHint(Lifetime::kExtreme, 2), 1);
  EXPECT_EQ(ClassForHint(Lifetime::kUnknown, 2), 1);
  EXPECT_EQ(ClassForHint(Lifetime::kExtreme, 4), 3);
  EXPECT_EQ(ClassForHint(Lifetime::kShort, 1), 0);
}

TEST(PlacementClass, AgeFallsInBandsFromHalfTheMeanLifetime) {
  EXPECT_EQ(ClassForAge(49, 100, 3), 0);
  EXPECT_EQ(ClassForAge(50, 100, 3), 1);
  EXPECT_EQ(ClassForAge(199, 100, 3), 1);
  EXPECT_EQ(ClassForAge(200, 100, 3), 2);
  EXPECT_EQ(ClassForAge(1e12, 100, 3), 2);
  EXPECT_EQ(ClassForAge(1e12, 100, 1), 0);
  EXPECT_EQ(ClassForAge(5, 0, 3), 0);  // nothing live yet: all young
}

TEST(PlacementClass, UserClassesSplitAtTheVictimLifespanAndTheMeanLifetime) {
  // Two classes: the mean lifetime alone.
  EXPECT_EQ(ClassForLifetime(99, 20, 100, 2), 0);
  EXPECT_EQ(ClassForLifetime(100, 20, 100, 2), 1);
  // Three: below l, below the mean, beyond.
  EXPECT_EQ(ClassForLifetime(19, 20, 100, 3), 0);
  EXPECT_EQ(ClassForLifetime(20, 20, 100, 3), 1);
  EXPECT_EQ(ClassForLifetime(99, 20, 100, 3), 1);
  EXPECT_EQ(ClassForLifetime(100, 20, 100, 3), 2);
  // l above the mean: the bounds are taken in order.
  EXPECT_EQ(ClassForLifetime(150, 300, 100, 3), 1);
  EXPECT_EQ(ClassForLifetime(99, 300, 100, 3), 0);
  // l unknown: half the mean.
  EXPECT_EQ(ClassForLifetime(49, 0, 100, 3), 0);
  EXPECT_EQ(ClassForLifetime(50, 0, 100, 3), 1);
  // Four: the last bound doubles.
  EXPECT_EQ(ClassForLifetime(199, 20, 100, 4), 2);
  EXPECT_EQ(ClassForLifetime(200, 20, 100, 4), 3);
}

TEST(PlacementClass, SepBitAgeBandsStartAtFourTimesTheUnit) {
  // SepBIT: younger than 4l, 4l to 16l, older.
  EXPECT_EQ(ClassForAgeFrom(399, 400, 3), 0);
  EXPECT_EQ(ClassForAgeFrom(400, 400, 3), 1);
  EXPECT_EQ(ClassForAgeFrom(1599, 400, 3), 1);
  EXPECT_EQ(ClassForAgeFrom(1600, 400, 3), 2);
  EXPECT_EQ(ClassForAgeFrom(1e12, 400, 3), 2);
}

// Simulates `writes` user writes, each killing one live block, over 1000 live
// user and 1000 live GC blocks: a GC block dies `rate` times as often as a
// user block (a relocation then refills the GC side).
void Drive(SeparationGauge& g, double rate, int writes) {
  std::mt19937 rng(1);
  std::bernoulli_distribution gc_dies(rate / (1 + rate));
  if (writes > 0) g.Added(false, 1000), g.Added(true, 1000);
  for (int i = 0; i < writes; ++i) {
    g.Added(false, 1);
    g.Wrote(1);
    if (gc_dies(rng)) {
      g.Died(true, 1);
      g.Dropped(false, 1);
      g.Added(true, 1);
    } else {
      g.Died(false, 1);
    }
  }
}

TEST(SeparationGauge, MemorylessDeathsKeepSeparationOff) {
  SeparationGauge g(1000);
  Drive(g, 1.0, 20000);
  EXPECT_FALSE(g.separate());
  EXPECT_NEAR(g.ratio(), 1.0, 0.25);
}

TEST(SeparationGauge, SurvivorsThatDieSlowlyTurnItOnAndBackOffWithHysteresis) {
  SeparationGauge g(1000);
  Drive(g, 0.1, 20000);
  EXPECT_TRUE(g.separate()) << g.ratio();
  // Between the two thresholds nothing changes; above the upper one it goes off.
  Drive(g, 0.6, 20000);
  EXPECT_TRUE(g.separate()) << g.ratio();
  Drive(g, 1.0, 20000);
  EXPECT_FALSE(g.separate()) << g.ratio();
}

TEST(SeparationGauge, NoGcDataNoDecision) {
  SeparationGauge g(100);
  for (int i = 0; i < 1000; ++i) g.Wrote(1);
  EXPECT_FALSE(g.separate());
  EXPECT_EQ(g.ratio(), 1.0);
}

}  // namespace
}  // namespace zgc
