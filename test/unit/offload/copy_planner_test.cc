#include <gtest/gtest.h>

#include <map>
#include <random>

#include "zgc/copy.h"

namespace zgc {
namespace {

constexpr uint32_t kB = 4096;

// Executes a plan on a model: dest byte -> source byte. Every command is checked
// against the limits and its destination zone on the way.
std::map<uint64_t, uint64_t> Execute(const CopyPlan& plan, const CopyLimits& lim,
                                     std::span<const Destination> dests) {
  std::map<uint64_t, uint64_t> landed;
  for (const CopyCommand& c : plan.commands) {
    EXPECT_LE(c.sources.size(), lim.max_ranges);
    EXPECT_LE(c.length(), lim.max_total_bytes);
    const auto zone = std::find_if(dests.begin(), dests.end(), [&](const Destination& d) {
      return c.destination >= d.wp && c.destination < d.end;
    });
    EXPECT_NE(zone, dests.end()) << "command outside every destination";
    if (zone != dests.end()) {
      EXPECT_LE(c.destination + c.length(), zone->end) << "command spans zones";
    }
    uint64_t at = c.destination;
    for (const Extent& e : c.sources) {
      EXPECT_LE(e.length, lim.max_range_bytes);
      if (lim.range_boundary) {
        EXPECT_EQ(e.offset / lim.range_boundary, (e.end() - 1) / lim.range_boundary)
            << "crosses a boundary";
      }
      EXPECT_EQ(e.offset % kB, 0u);
      for (uint64_t b = 0; b < e.length; b += kB)
        EXPECT_TRUE(landed.emplace(at + b, e.offset + b).second);
      at += e.length;
    }
  }
  return landed;
}

TEST(CopyPlanner, RandomBatchesLandEveryByteOnceInOrderWithinLimits) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 400; ++iter) {
    // Sources: disjoint aligned extents in a shuffled order.
    std::vector<Extent> sources;
    uint64_t at = 0;
    const int n = 1 + rng() % 20;
    for (int i = 0; i < n; ++i) {
      at += (rng() % 3) * kB;  // sometimes adjacent
      const uint64_t len = (1 + rng() % 40) * kB;
      sources.push_back({at, len});
      at += len;
    }
    std::shuffle(sources.begin(), sources.end(), rng);
    uint64_t total = 0;
    for (auto& s : sources) total += s.length;
    CopyLimits lim{(1 + rng() % 16) * kB, (1 + rng() % 48) * kB, uint32_t(1 + rng() % 8),
                   rng() % 2 ? (8u << (rng() % 4)) * kB : 0};
    std::vector<Destination> dests;
    uint64_t room = 0, base = 1ull << 30;
    while (room < total) {
      const uint64_t wp = base + (rng() % 8) * kB, end = base + (8 + rng() % 248) * kB;
      dests.push_back({wp, end});
      room += end - wp;
      base += 1ull << 20;
    }
    auto plan = PlanCopy(sources, dests, lim, kB);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_EQ(plan->bytes, total);
    auto landed = Execute(*plan, lim, dests);
    ASSERT_EQ(landed.size() * kB, total);
    // Placements cover every source byte once, in the caller's order, at
    // increasing destinations, and agree with what the commands did.
    uint64_t last_dest = 0, covered = 0;
    size_t si = 0;
    uint64_t s_off = sources[0].offset, s_rem = sources[0].length;
    for (const Placement& p : plan->placements) {
      EXPECT_GE(p.destination, last_dest);
      last_dest = p.destination + p.length;
      for (uint64_t b = 0; b < p.length; b += kB) {
        ASSERT_LT(si, sources.size());
        EXPECT_EQ(p.source + b, s_off) << "source order kept";
        EXPECT_EQ(landed[p.destination + b], p.source + b);
        s_off += kB;
        s_rem -= kB;
        if (s_rem == 0 && ++si < sources.size())
          s_off = sources[si].offset, s_rem = sources[si].length;
      }
      covered += p.length;
    }
    EXPECT_EQ(covered, total);
  }
}

TEST(CopyPlanner, MergesAdjacentSourcesAndSplitsAtLimits) {
  std::vector<Extent> src = {{0, 4 * kB}, {4 * kB, 4 * kB}, {64 * kB, kB}};
  std::vector<Destination> dst = {{1 << 20, 2 << 20}};
  auto plan = PlanCopy(src, dst, CopyLimits{128 * kB, 128 * kB, 128}, kB);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->commands.size(), 1u);
  EXPECT_EQ(plan->commands[0].sources, (std::vector<Extent>{{0, 8 * kB}, {64 * kB, kB}}));
  // MSSRL of 2 blocks splits the merged range; MSRC of 2 ranges splits commands.
  plan = PlanCopy(src, dst, CopyLimits{2 * kB, 128 * kB, 2}, kB);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->commands.size(), 3u);
  EXPECT_EQ(plan->commands[1].destination, (1u << 20) + 4 * kB);
  EXPECT_EQ(plan->commands[2].sources, (std::vector<Extent>{{64 * kB, kB}}));
}

TEST(CopyPlanner, SpillsToTheNextDestination) {
  std::vector<Extent> src = {{0, 10 * kB}};
  std::vector<Destination> dst = {{100 * kB, 104 * kB}, {200 * kB, 300 * kB}};
  auto plan = PlanCopy(src, dst, CopyLimits{128 * kB, 128 * kB, 128}, kB);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->commands.size(), 2u);
  EXPECT_EQ(plan->placements,
            (std::vector<Placement>{{0, 100 * kB, 4 * kB}, {4 * kB, 200 * kB, 6 * kB}}));
}

TEST(CopyPlanner, RefusesWhatCannotBePlanned) {
  std::vector<Destination> dst = {{0, 8 * kB}};
  const CopyLimits lim{128 * kB, 128 * kB, 128};
  std::vector<Extent> big = {{1 << 20, 9 * kB}};
  EXPECT_EQ(PlanCopy(big, dst, lim, kB).status().code(), Code::kNoSpace);
  std::vector<Extent> unaligned = {{1 << 20, 100}};
  EXPECT_EQ(PlanCopy(unaligned, dst, lim, kB).status().code(), Code::kInvalidArgument);
  std::vector<Extent> overlap = {{1 << 20, 2 * kB}, {(1 << 20) + kB, kB}};
  EXPECT_EQ(PlanCopy(overlap, dst, lim, kB).status().code(), Code::kInvalidArgument);
  std::vector<Extent> empty = {{1 << 20, 0}};
  EXPECT_EQ(PlanCopy(empty, dst, lim, kB).status().code(), Code::kInvalidArgument);
}

TEST(CopyPlanner, NoCopyCommandMeansHostCopyPieces) {
  std::vector<Extent> src = {{0, 3 << 20}};
  std::vector<Destination> dst = {{8 << 20, 16 << 20}};
  auto plan = PlanCopy(src, dst, CopyLimits{}, kB);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->commands.size(), 3u) << "1 MiB pieces bound the host's memory";
}

// Two devices concatenated: [0, 1M) is device 0, [1M, 2M) is device 1.
VolumeMap TwoDevices() {
  VolumeMap m;
  m.segments = {{1 << 20, 0, 0}, {1 << 20, 1, 0}};
  m.limits = {CopyLimits{8 * kB, 64 * kB, 16}, CopyLimits{16 * kB, 64 * kB, 16}};
  m.block_size = kB;
  return m;
}

TEST(CopyPlanner, VolumeCrossDevicePiecesGoByReadWrite) {
  const VolumeMap m = TwoDevices();
  // Sources on both devices, one straddling the boundary; destination on device 1.
  std::vector<Extent> src = {
      {8 * kB, 4 * kB}, {(1 << 20) - 2 * kB, 4 * kB}, {(1 << 20) + 64 * kB, 32 * kB}};
  std::vector<Destination> dst = {{(1 << 20) + (512 << 10), 2 << 20}};
  auto plan = PlanVolumeCopy(src, dst, m);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  uint64_t host = 0, offloaded = 0;
  for (const CopyCommand& c : plan->commands) {
    EXPECT_EQ(c.device, 1u);
    if (c.host_copy) {
      EXPECT_EQ(c.source_device, 0u);
      host += c.length();
    } else {
      EXPECT_EQ(c.source_device, 1u);
      for (const Extent& e : c.sources) EXPECT_LE(e.length, 16 * kB) << "device 1's MSSRL";
      offloaded += c.length();
    }
    EXPECT_GE(c.destination, 512u << 10) << "device offsets, not volume offsets";
  }
  EXPECT_EQ(host, 6 * kB) << "the blocks that live on device 0";
  EXPECT_EQ(offloaded, 34 * kB);
  // Placements stay in volume offsets and in order.
  EXPECT_EQ(plan->placements.front().source, 8 * kB);
  EXPECT_EQ(plan->placements.front().destination, (1u << 20) + (512u << 10));
}

TEST(CopyPlanner, VolumeSameDevicePiecesUseThatDevicesLimits) {
  const VolumeMap m = TwoDevices();
  std::vector<Extent> src = {{0, 32 * kB}};
  std::vector<Destination> dst = {{512 << 10, 1 << 20}};
  auto plan = PlanVolumeCopy(src, dst, m);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  for (const CopyCommand& c : plan->commands) {
    EXPECT_FALSE(c.host_copy);
    for (const Extent& e : c.sources) EXPECT_LE(e.length, 8 * kB);
  }
  std::vector<Extent> outside = {{2 << 20, kB}};
  EXPECT_EQ(PlanVolumeCopy(outside, dst, m).status().code(), Code::kOutOfRange);
}

}  // namespace
}  // namespace zgc

namespace zgc {
namespace {

// Regression: adjacent live extents on both sides of a zone boundary were merged
// into one range crossing it, which QEMU's Simple Copy refuses (lab, nvme0n2).
TEST(CopyPlanner, RangesNeverCrossTheZoneBoundary) {
  const uint64_t zone = 64 * kB;
  std::vector<Extent> src = {{zone - 2 * kB, 2 * kB}, {zone, 2 * kB}};
  std::vector<Destination> dst = {{4 * zone, 5 * zone}};
  auto plan = PlanCopy(src, dst, CopyLimits{128 * kB, 128 * kB, 128, zone}, kB);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->commands.size(), 1u);
  EXPECT_EQ(plan->commands[0].sources,
            (std::vector<Extent>{{zone - 2 * kB, 2 * kB}, {zone, 2 * kB}}));
}

}  // namespace
}  // namespace zgc
