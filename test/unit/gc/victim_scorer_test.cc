#include "src/gc/victim_scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace zgc {
namespace {

TEST(VictimScorer, PoliciesScoreWhatTheirFormulasSay) {
  const Candidate young_empty{1, 100, 1000, 10}, old_half{2, 500, 1000, 100000};
  EXPECT_GT(ScoreVictim(VictimPolicy::kGreedy, young_empty),
            ScoreVictim(VictimPolicy::kGreedy, old_half));
  EXPECT_LT(ScoreVictim(VictimPolicy::kCostBenefit, young_empty),
            ScoreVictim(VictimPolicy::kCostBenefit, old_half));
  // (1-u)·(age+1)/(1+u) with u = 0.5, age 100000.
  EXPECT_DOUBLE_EQ(ScoreVictim(VictimPolicy::kCostBenefit, old_half), 0.5 * 100001 / 1.5);
}

TEST(VictimScorer, ParallelChoiceEqualsTheSerialOneTiesToTheOlderThenLowerZone) {
  std::mt19937 rng(9);
  for (size_t n : {size_t(0), size_t(1), size_t(100), kParallelScoringFrom - 1,
                   kParallelScoringFrom, size_t(50000)}) {
    std::vector<Candidate> c(n);
    for (size_t i = 0; i < n; ++i)
      c[i] = {static_cast<uint32_t>(n - i), static_cast<uint32_t>(rng() % 64), 64, rng() % 8};
    for (VictimPolicy p : {VictimPolicy::kGreedy, VictimPolicy::kCostBenefit}) {
      ptrdiff_t want = -1;
      double best = -1;
      for (size_t i = 0; i < n; ++i) {
        const double s = ScoreVictim(p, c[i]);
        if (want < 0 || s > best ||
            (s == best &&
             (c[i].age > c[want].age || (c[i].age == c[want].age && c[i].zone < c[want].zone))))
          want = ptrdiff_t(i), best = s;
      }
      EXPECT_EQ(PickBest(p, c), want) << n << " candidates";
    }
  }
}

// The index prunes with ScoreAt at a bucket's floor: that bound must hold in
// floating point for every live count at or above the floor.
TEST(VictimScorer, TheScoreAtABucketFloorBoundsEveryZoneInTheBucket) {
  for (uint32_t cap : {64u, 1000u, 1024u, 4095u, 65536u}) {
    const uint32_t steps = std::min(cap, 1024u);
    for (uint32_t live = 0; live <= cap; live += 1 + live / 7) {
      const uint32_t b = uint32_t(uint64_t(live) * steps / cap);
      const double floor = double(b) / double(steps);
      for (uint64_t age : {uint64_t(0), uint64_t(1), uint64_t(12345), uint64_t(1) << 40})
        for (VictimPolicy p : {VictimPolicy::kGreedy, VictimPolicy::kCostBenefit})
          ASSERT_GE(ScoreAt(p, floor, age), ScoreVictim(p, Candidate{0, live, cap, age}))
              << cap << " " << live << " " << age;
    }
  }
}

}  // namespace
}  // namespace zgc
