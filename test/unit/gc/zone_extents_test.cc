#include "src/gc/zone_extents.h"

#include <gtest/gtest.h>

#include <random>

namespace zgc {
namespace {

TEST(ZoneExtents, MatchesABitmapUnderRandomOperations) {
  std::mt19937 rng(3);
  ZoneExtents x;
  std::vector<bool> live(4096, false);
  uint32_t wp = 0;
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 3 == 0 && wp < 4096) {
      const uint32_t n = std::min<uint32_t>(1 + rng() % 16, 4096 - wp);
      ASSERT_TRUE(x.Append(wp, n));
      for (uint32_t b = wp; b < wp + n; ++b) live[b] = true;
      wp += n;
    } else if (wp) {
      const uint32_t s = rng() % wp, n = 1 + rng() % 24;
      uint32_t want = 0;
      for (uint32_t b = s; b < std::min(s + n, 4096u); ++b) want += live[b], live[b] = false;
      ASSERT_EQ(x.Invalidate(s, n), want);
    }
    if (step % 997 == 0 || wp == 4096) {
      std::vector<bool> seen(4096, false);
      uint32_t last_end = 0;
      x.ForEach([&](uint32_t s, uint32_t n) {
        EXPECT_GE(s, last_end) << "in order, disjoint";
        last_end = s + n;
        for (uint32_t b = s; b < s + n; ++b) seen[b] = true;
      });
      ASSERT_EQ(seen, live);
      ASSERT_EQ(x.live_blocks(), std::count(live.begin(), live.end(), true));
    }
    if (wp == 4096 && x.live_blocks() == 0) {
      x.Clear();
      wp = 0;
    }
  }
}

TEST(ZoneExtents, RefusesOverlapsAndTakesOutOfOrderReports) {
  ZoneExtents x;
  ASSERT_TRUE(x.Append(10, 5));
  EXPECT_FALSE(x.Append(12, 1)) << "overlaps a live extent";
  EXPECT_TRUE(x.Append(20, 1));
  // Regression: two writers' reports arrive out of allocation order.
  EXPECT_TRUE(x.Append(16, 2));
  EXPECT_FALSE(x.Append(17, 4));
  EXPECT_EQ(x.Invalidate(11, 2), 2u);
  EXPECT_EQ(x.live_blocks(), 6u);
  std::vector<uint32_t> starts;
  x.ForEach([&](uint32_t s, uint32_t) { starts.push_back(s); });
  EXPECT_EQ(starts, (std::vector<uint32_t>{10, 13, 16, 20}));
}

}  // namespace
}  // namespace zgc
