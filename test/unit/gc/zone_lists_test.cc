#include "src/gc/zone_lists.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

namespace zgc {
namespace {

struct Rec {
  uint64_t payload;
  ZoneLists::Link link;
};

std::vector<uint32_t> Buckets(const ZoneLists& l) {
  std::vector<uint32_t> out;
  l.VisitBuckets([&](uint32_t b) { return out.push_back(b), true; });
  return out;
}

TEST(ZoneLists, FreeStackAndBucketsMoveZonesBetweenLists) {
  std::vector<Rec> recs(8);
  ZoneLists l(&recs[0].link, sizeof(Rec), 100);
  EXPECT_EQ(l.buckets(), 101u) << "one bucket per live block up to 1024";
  for (uint32_t z = 0; z < 8; ++z) l.PushFree(z);
  EXPECT_EQ(l.free_count(), 8u);
  EXPECT_EQ(l.PopFree(), 7u) << "last freed, first reused";
  EXPECT_EQ(l.PopFree(), 6u);
  l.Index(7, 90, 100, 5);
  l.Index(6, 10, 100, 9);
  EXPECT_TRUE(l.Indexed(7));
  EXPECT_EQ(Buckets(l), (std::vector<uint32_t>{10, 90}));
  l.Index(6, 100, 100, 9);  // re-bucketed
  EXPECT_EQ(Buckets(l), (std::vector<uint32_t>{90, 100}));
  l.Remove(7);
  EXPECT_FALSE(l.Indexed(7));
  l.PushFree(6);  // taken off the index on the way
  EXPECT_FALSE(l.Indexed(6));
  EXPECT_EQ(l.free_count(), 7u);
  EXPECT_TRUE(Buckets(l).empty());
  l.Remove(2);  // from the middle of the free stack
  EXPECT_EQ(l.free_count(), 6u);
  std::set<uint32_t> popped;
  for (uint32_t z; (z = l.PopFree()) != ZoneLists::kNone;) popped.insert(z);
  EXPECT_EQ(popped, (std::set<uint32_t>{0, 1, 3, 4, 5, 6}));
}

TEST(ZoneLists, LargeZonesShareBucketsWithAFloorThatBoundsTheirLiveFraction) {
  std::vector<Rec> recs(4);
  ZoneLists l(&recs[0].link, sizeof(Rec), 65536);
  EXPECT_EQ(l.buckets(), 1025u);
  l.Index(0, 65535, 65536, 1);
  l.Index(1, 64, 65536, 1);
  l.Index(2, 63, 65536, 1);
  EXPECT_EQ(Buckets(l), (std::vector<uint32_t>{0, 1, 1023}));
  for (uint32_t b : Buckets(l))
    for (const auto& e : l.Heap(b))
      EXPECT_LE(l.BucketFloor(b), e.zone == 0 ? 65535 / 65536.0 : e.zone == 1 ? 64 / 65536.0 : 0);
}

// Random Index/Remove/PushFree/PopFree against a model: every zone is where the
// model says, each bucket is a valid min-heap by (clock, zone), and positions
// in the links match the arrays.
TEST(ZoneLists, RandomOperationsKeepHeapsAndPositionsExact) {
  constexpr uint32_t kZones = 300, kCap = 40;
  std::vector<Rec> recs(kZones);
  ZoneLists l(&recs[0].link, sizeof(Rec), kCap);
  std::map<uint32_t, std::pair<uint32_t, uint64_t>> indexed;  // zone -> bucket, clock
  std::set<uint32_t> free;
  std::mt19937 rng(3);
  for (int step = 0; step < 200000; ++step) {
    const uint32_t z = rng() % kZones;
    switch (rng() % 5) {
      case 0:
      case 1: {
        const uint32_t live = rng() % (kCap + 1);
        const uint64_t clock = rng() % 50;
        l.Index(z, live, kCap, clock);
        indexed[z] = {live * (l.buckets() - 1) / kCap, clock};
        free.erase(z);
        break;
      }
      case 2:
        l.Remove(z);
        indexed.erase(z);
        free.erase(z);
        break;
      case 3:
        l.PushFree(z);
        indexed.erase(z);
        free.insert(z);
        break;
      case 4: {
        const uint32_t got = l.PopFree();
        if (free.empty()) {
          EXPECT_EQ(got, ZoneLists::kNone);
        } else {
          EXPECT_EQ(free.erase(got), 1u);
        }
        break;
      }
    }
    if (step % 997) continue;
    ASSERT_EQ(l.free_count(), free.size());
    size_t seen = 0;
    for (uint32_t b = 0; b < l.buckets(); ++b) {
      const auto& h = l.Heap(b);
      for (uint32_t i = 0; i < h.size(); ++i) {
        ++seen;
        ASSERT_EQ(recs[h[i].zone].link.pos, i);
        ASSERT_EQ(recs[h[i].zone].link.list, b);
        ASSERT_EQ(indexed.at(h[i].zone), std::make_pair(b, h[i].clock));
        if (i) {
          ASSERT_FALSE(h[i] < h[(i - 1) / 2]) << "heap order at bucket " << b;
        }
      }
    }
    ASSERT_EQ(seen, indexed.size());
    for (uint32_t f : free) ASSERT_FALSE(l.Indexed(f));
    std::set<uint32_t> nonempty;
    for (const auto& [zone, v] : indexed) nonempty.insert(v.first);
    ASSERT_EQ(Buckets(l), std::vector<uint32_t>(nonempty.begin(), nonempty.end()));
  }
}

}  // namespace
}  // namespace zgc
