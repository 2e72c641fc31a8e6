#include "src/gc/zone_lists.h"

#include <gtest/gtest.h>

#include <vector>

namespace zgc {
namespace {

struct Rec {
  uint64_t payload;
  ZoneLists::Link link;
};

TEST(ZoneLists, IndexVisitsLeastLiveFirstAndMovesZonesBetweenLists) {
  std::vector<Rec> recs(8);
  ZoneLists l(&recs[0].link, sizeof(Rec));
  for (uint32_t z = 0; z < 8; ++z) l.PushFree(z);
  EXPECT_EQ(l.free_count(), 8u);
  EXPECT_EQ(l.PopFree(), 7u) << "last freed, first reused";
  EXPECT_EQ(l.PopFree(), 6u);
  l.Index(7, 90, 100);
  l.Index(6, 10, 100);
  EXPECT_TRUE(l.Indexed(7));
  std::vector<uint32_t> order;
  l.Visit([&](uint32_t z) { return order.push_back(z), true; });
  EXPECT_EQ(order, (std::vector<uint32_t>{6, 7}));
  l.Index(6, 100, 100);  // re-bucketed
  order.clear();
  l.Visit([&](uint32_t z) { return order.push_back(z), true; });
  EXPECT_EQ(order, (std::vector<uint32_t>{7, 6}));
  l.Remove(7);
  EXPECT_FALSE(l.Indexed(7));
  l.PushFree(6);  // taken off the index on the way
  EXPECT_FALSE(l.Indexed(6));
  EXPECT_EQ(l.free_count(), 7u);
  order.clear();
  l.Visit([&](uint32_t z) { return order.push_back(z), true; });
  EXPECT_TRUE(order.empty());
  while (l.PopFree() != ZoneLists::kNone) {
  }
  EXPECT_EQ(l.free_count(), 0u);
}

}  // namespace
}  // namespace zgc
