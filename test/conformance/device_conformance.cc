// The ZonedDevice conformance suite: one set of rules, run against every backend.
// Usage: zgc_conformance --uri=<device URI> [gtest flags]. The device is erased.
// ctest runs it on mem: and emu: devices; the lab runs the same binary against
// the kernel's zoned devices, so the emulation can never be more permissive than
// a real kernel without a test saying so.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "test/support/device_under_test.h"
#include "zgc/device.h"

namespace zgc {
namespace {

std::vector<std::byte> Pattern(uint64_t offset, size_t n, uint8_t seed = 1) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>(((offset + i) * 131 + seed * 7 + ((offset + i) >> 12)) & 0xFF);
  return v;
}

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = testing::OpenErasedDevice();
    ASSERT_TRUE(dev_);
    auto zones = dev_->ReportAllZones();
    ASSERT_TRUE(zones.ok());
    for (const Zone& z : *zones)
      if (z.sequential() && z.cond == ZoneCondition::kEmpty) seq_.push_back(z.start);
    ASSERT_GE(seq_.size(), 2u) << "the suite needs two empty sequential zones";
  }
  void TearDown() override {
    if (dev_) {
      EXPECT_TRUE(dev_->ResetAll().ok());
    }
  }

  const DeviceInfo& info() const { return dev_->info(); }
  DeviceFamily family() const { return info().family; }
  // Families that promise zeroes past the write pointer (null_blk returns stale data).
  bool ZeroesPastWp() const {
    return family() == DeviceFamily::kNvmeZns || family() == DeviceFamily::kScsiZbc;
  }
  uint64_t lbs() const { return info().logical_block_size; }
  Zone Z(uint64_t start) {
    auto z = dev_->ReportZone(start);
    EXPECT_TRUE(z.ok()) << z.status().ToString();
    return z.ok() ? *z : Zone{};
  }
  Status WriteAt(uint64_t off, size_t n, uint8_t seed = 1) {
    return dev_->Write(off, Pattern(off, n, seed));
  }
  // Writes [from, to) in chunks of at most 1 MiB.
  void Fill(uint64_t from, uint64_t to) {
    for (uint64_t off = from; off < to;) {
      const size_t n = std::min<uint64_t>(1 << 20, to - off);
      ASSERT_TRUE(WriteAt(off, n).ok()) << "at " << off;
      off += n;
    }
  }
  void ExpectData(uint64_t off, size_t n, uint8_t seed = 1) {
    std::vector<std::byte> got(n);
    ASSERT_TRUE(dev_->Read(off, got).ok());
    EXPECT_TRUE(got == Pattern(off, n, seed)) << "data mismatch at " << off;
  }
  void ExpectZeroes(uint64_t off, size_t n) {
    std::vector<std::byte> got(n, std::byte{0x5A});
    Status s = dev_->Read(off, got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(std::all_of(got.begin(), got.end(), [](std::byte b) { return b == std::byte{0}; }))
        << "non-zero data at " << off;
  }

  std::unique_ptr<ZonedDevice> dev_;
  std::vector<uint64_t> seq_;  // starts of the sequential zones
};

TEST_F(Conformance, GeometryIsConsistent) {
  const DeviceInfo& i = info();
  EXPECT_GT(i.nr_zones, 0u);
  EXPECT_EQ(i.zone_size & (i.zone_size - 1), 0u) << "zone size is a power of two";
  EXPECT_EQ(i.zone_size % i.logical_block_size, 0u);
  EXPECT_GT(i.zone_capacity, 0u);
  EXPECT_LE(i.zone_capacity, i.zone_size);
  auto zones = dev_->ReportAllZones();
  ASSERT_TRUE(zones.ok());
  ASSERT_EQ(zones->size(), i.nr_zones);
  uint32_t conv = 0;
  for (size_t k = 0; k < zones->size(); ++k) {
    const Zone& z = (*zones)[k];
    EXPECT_EQ(z.start, k * i.zone_size);
    EXPECT_EQ(z.size, i.zone_size);
    EXPECT_LE(z.capacity, z.size);
    if (!z.sequential()) {
      ++conv;
      EXPECT_EQ(z.cond, ZoneCondition::kNotWp);
      EXPECT_EQ(z.wp, z.end());
    }
  }
  EXPECT_EQ(conv, i.nr_conventional_zones);
}

TEST_F(Conformance, ReportRangeReturnsIntersectingZones) {
  auto zones = dev_->ReportZones(seq_[0] + lbs(), info().zone_size);
  ASSERT_TRUE(zones.ok());
  ASSERT_EQ(zones->size(), 2u);
  EXPECT_EQ((*zones)[0].start, seq_[0]);
  EXPECT_EQ(dev_->ReportZones(info().capacity_bytes(), 1).status().code(), Code::kOutOfRange);
}

TEST_F(Conformance, WriteAtWritePointerAdvancesIt) {
  const uint64_t s = seq_[0];
  ASSERT_TRUE(WriteAt(s, 3 * lbs()).ok());
  Zone z = Z(s);
  EXPECT_EQ(z.wp, s + 3 * lbs());
  EXPECT_EQ(z.cond, ZoneCondition::kImplicitOpen);
  ASSERT_TRUE(WriteAt(s + 3 * lbs(), lbs(), 2).ok());
  EXPECT_EQ(Z(s).wp, s + 4 * lbs());
  ExpectData(s, 3 * lbs());
  ExpectData(s + 3 * lbs(), lbs(), 2);
}

TEST_F(Conformance, WriteNotAtWritePointerIsRefused) {
  const uint64_t s = seq_[0];
  EXPECT_EQ(WriteAt(s + lbs(), lbs()).code(), Code::kZoneState) << "empty zone, not at start";
  EXPECT_EQ(Z(s).cond, ZoneCondition::kEmpty);
  ASSERT_TRUE(WriteAt(s, 2 * lbs()).ok());
  EXPECT_EQ(WriteAt(s, lbs(), 9).code(), Code::kZoneState) << "behind the write pointer";
  EXPECT_EQ(WriteAt(s + 3 * lbs(), lbs(), 9).code(), Code::kZoneState) << "past the write pointer";
  EXPECT_EQ(Z(s).wp, s + 2 * lbs());
  ExpectData(s, 2 * lbs());
}

TEST_F(Conformance, UnalignedTransfersAreRefused) {
  const uint64_t s = seq_[0];
  EXPECT_EQ(dev_->Write(s, Pattern(s, lbs() / 2)).code(), Code::kInvalidArgument);
  EXPECT_EQ(dev_->Write(s, {}).code(), Code::kInvalidArgument);
  std::vector<std::byte> buf(lbs());
  EXPECT_EQ(dev_->Read(s + lbs() / 2, buf).code(), Code::kInvalidArgument);
  EXPECT_EQ(dev_->ManageZones(ZoneAction::kReset, s + lbs(), info().zone_size).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Z(s).cond, ZoneCondition::kEmpty);
}

TEST_F(Conformance, TransfersPastTheEndAreOutOfRange) {
  const uint64_t end = info().capacity_bytes();
  std::vector<std::byte> buf(2 * lbs());
  EXPECT_EQ(dev_->Read(end - lbs(), buf).code(), Code::kOutOfRange);
  EXPECT_EQ(dev_->Read(end, std::span(buf).first(lbs())).code(), Code::kOutOfRange);
  EXPECT_EQ(dev_->Write(end, std::span(buf).first(lbs())).code(), Code::kOutOfRange);
  EXPECT_EQ(dev_->ManageZones(ZoneAction::kReset, end, info().zone_size).code(), Code::kOutOfRange);
}

TEST_F(Conformance, FillingToCapacityMakesTheZoneFull) {
  const uint64_t s = seq_[0];
  const uint64_t cap = Z(s).capacity;
  Fill(s, s + cap - lbs());
  if (cap < info().zone_size) {
    EXPECT_EQ(WriteAt(s + cap - lbs(), 2 * lbs()).code(), Code::kZoneState)
        << "crosses the capacity";
    EXPECT_EQ(Z(s).wp, s + cap - lbs());
  }
  ASSERT_TRUE(WriteAt(s + cap - lbs(), lbs()).ok());
  Zone z = Z(s);
  EXPECT_EQ(z.cond, ZoneCondition::kFull);
  EXPECT_EQ(z.wp, z.end());
  EXPECT_EQ(WriteAt(s, lbs()).code(), Code::kZoneState) << "zone is full";
  if (cap < info().zone_size) {
    EXPECT_EQ(WriteAt(s + cap, lbs()).code(), Code::kZoneState) << "past capacity";
  }
  ExpectData(s + cap - 8 * lbs(), 8 * lbs());
}

TEST_F(Conformance, WriteSpanningTwoZonesIsSplitAtTheBoundary) {
  const uint64_t s = seq_[0];
  const uint64_t next = s + info().zone_size;
  if (Z(s).capacity != info().zone_size || seq_[1] != next)
    GTEST_SKIP() << "zone capacity < zone size";
  Fill(s, next - lbs());
  // The block layer splits a write at the zone boundary; each piece is at its write pointer.
  ASSERT_TRUE(WriteAt(next - lbs(), 2 * lbs()).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kFull);
  EXPECT_EQ(Z(next).wp, next + lbs());
  ExpectData(next - lbs(), 2 * lbs());
}

TEST_F(Conformance, ReadPastTheWritePointerSucceeds) {
  const uint64_t s = seq_[0];
  ASSERT_TRUE(WriteAt(s, lbs()).ok());
  if (ZeroesPastWp()) {
    ExpectZeroes(s + lbs(), 4 * lbs());
  } else {
    std::vector<std::byte> buf(4 * lbs());
    EXPECT_TRUE(dev_->Read(s + lbs(), buf).ok());
  }
}

TEST_F(Conformance, ResetEmptiesTheZoneAndItsData) {
  const uint64_t s = seq_[0];
  ASSERT_TRUE(WriteAt(s, 4 * lbs()).ok());
  ASSERT_TRUE(dev_->ResetZone(s).ok());
  Zone z = Z(s);
  EXPECT_EQ(z.cond, ZoneCondition::kEmpty);
  EXPECT_EQ(z.wp, s);
  if (ZeroesPastWp()) ExpectZeroes(s, 4 * lbs());
  ASSERT_TRUE(dev_->ResetZone(s).ok()) << "reset of an empty zone";
}

TEST_F(Conformance, FinishMakesZonesFull) {
  const uint64_t a = seq_[0], b = seq_[1];
  ASSERT_TRUE(dev_->FinishZone(a).ok()) << "finish an empty zone";
  EXPECT_EQ(Z(a).cond, ZoneCondition::kFull);
  EXPECT_EQ(Z(a).wp, Z(a).end());
  EXPECT_EQ(WriteAt(a, lbs()).code(), Code::kZoneState);
  ASSERT_TRUE(dev_->FinishZone(a).ok()) << "finish a full zone";
  ASSERT_TRUE(WriteAt(b, 2 * lbs()).ok());
  ASSERT_TRUE(dev_->FinishZone(b).ok());
  EXPECT_EQ(Z(b).cond, ZoneCondition::kFull);
  ExpectData(b, 2 * lbs());
  ASSERT_TRUE(dev_->ResetZone(b).ok());
  EXPECT_EQ(Z(b).cond, ZoneCondition::kEmpty);
}

TEST_F(Conformance, ExplicitOpenAndClose) {
  const uint64_t s = seq_[0];
  ASSERT_TRUE(dev_->OpenZone(s).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kExplicitOpen);
  ASSERT_TRUE(WriteAt(s, lbs()).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kExplicitOpen) << "writes keep an explicit open";
  ASSERT_TRUE(dev_->CloseZone(s).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kClosed);
  ASSERT_TRUE(dev_->CloseZone(s).ok()) << "close of a closed zone";
  ASSERT_TRUE(WriteAt(s + lbs(), lbs(), 2).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kImplicitOpen) << "a write reopens a closed zone implicitly";
  ASSERT_TRUE(dev_->OpenZone(s).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kExplicitOpen);
  ASSERT_TRUE(dev_->CloseZone(s).ok());
  EXPECT_EQ(Z(s).cond, ZoneCondition::kClosed);
  EXPECT_EQ(Z(s).wp, s + 2 * lbs());
}

TEST_F(Conformance, ClosingAnOpenZoneWithoutData) {
  const uint64_t s = seq_[0];
  ASSERT_TRUE(dev_->OpenZone(s).ok());
  ASSERT_TRUE(dev_->CloseZone(s).ok());
  const ZoneCondition cond = Z(s).cond;
  if (family() == DeviceFamily::kNvmeZns) {
    EXPECT_EQ(cond, ZoneCondition::kClosed) << "NVMe ZNS keeps it closed";
  } else if (family() != DeviceFamily::kOther) {
    EXPECT_EQ(cond, ZoneCondition::kEmpty) << "ZBC and null_blk empty it";
  } else {
    EXPECT_TRUE(cond == ZoneCondition::kClosed || cond == ZoneCondition::kEmpty);
  }
  EXPECT_EQ(Z(s).wp, s);
}

TEST_F(Conformance, TransitionsFromEmptyAndFull) {
  if (family() == DeviceFamily::kOther) GTEST_SKIP() << "family-specific";
  // ZBC makes these no-ops; NVMe ZNS and null_blk refuse them.
  const Code expect = family() == DeviceFamily::kScsiZbc ? Code::kOk : Code::kZoneState;
  const uint64_t a = seq_[0];
  EXPECT_EQ(dev_->CloseZone(a).code(), expect) << "close of an empty zone";
  EXPECT_EQ(Z(a).cond, ZoneCondition::kEmpty);
  ASSERT_TRUE(dev_->FinishZone(a).ok());
  EXPECT_EQ(dev_->OpenZone(a).code(), expect) << "open of a full zone";
  EXPECT_EQ(dev_->CloseZone(a).code(), expect) << "close of a full zone";
  EXPECT_EQ(Z(a).cond, ZoneCondition::kFull);
}

TEST_F(Conformance, ActiveZoneLimitIsEnforced) {
  const uint32_t max_active = info().max_active_zones;
  if (max_active == 0 || seq_.size() <= max_active) GTEST_SKIP() << "no active-zone limit to reach";
  for (uint32_t k = 0; k < max_active; ++k)
    ASSERT_TRUE(WriteAt(seq_[k], lbs()).ok()) << "zone " << k;
  const uint64_t extra = seq_[max_active];
  EXPECT_EQ(WriteAt(extra, lbs()).code(), Code::kTooManyActiveZones);
  EXPECT_EQ(Z(extra).cond, ZoneCondition::kEmpty);
  EXPECT_EQ(dev_->OpenZone(extra).code(), Code::kTooManyActiveZones);
  ASSERT_TRUE(dev_->FinishZone(seq_[max_active - 1]).ok()) << "the last zone written is open";
  Status s = WriteAt(extra, lbs());
  EXPECT_TRUE(s.ok()) << "finishing a zone frees an active slot: " << s.ToString();
}

TEST_F(Conformance, FinishingAClosedZoneWhenEverySlotIsTaken) {
  const uint32_t max_active = info().max_active_zones;
  if (max_active == 0 || seq_.size() <= max_active || family() == DeviceFamily::kOther)
    GTEST_SKIP() << "needs an active-zone limit";
  for (uint32_t k = 0; k < max_active; ++k)
    ASSERT_TRUE(WriteAt(seq_[k], lbs()).ok()) << "zone " << k;
  const auto closed = std::find_if(seq_.begin(), seq_.begin() + max_active,
                                   [&](uint64_t s) { return Z(s).cond == ZoneCondition::kClosed; });
  if (closed == seq_.begin() + max_active)
    GTEST_SKIP() << "no zone was closed (open limit = active limit)";
  // null_blk reopens a closed zone to finish it and has no open slot to do so.
  const Code expect = family() == DeviceFamily::kNullBlk ? Code::kTooManyOpenZones : Code::kOk;
  EXPECT_EQ(dev_->FinishZone(*closed).code(), expect);
}

TEST_F(Conformance, OpenZoneLimitIsEnforced) {
  const uint32_t max_open = info().max_open_zones;
  if (max_open == 0 || seq_.size() <= max_open) GTEST_SKIP() << "no open-zone limit to reach";
  for (uint32_t k = 0; k < max_open; ++k) ASSERT_TRUE(dev_->OpenZone(seq_[k]).ok()) << "zone " << k;
  const uint32_t max_active = info().max_active_zones;
  // Devices check the active limit first: with max_active == max_open that one trips.
  const Code expect =
      max_active && max_active <= max_open ? Code::kTooManyActiveZones : Code::kTooManyOpenZones;
  EXPECT_EQ(dev_->OpenZone(seq_[max_open]).code(), expect);
  EXPECT_EQ(WriteAt(seq_[max_open], lbs()).code(), expect) << "no implicitly open zone to close";
  ASSERT_TRUE(WriteAt(seq_[0], lbs()).ok());
  if (expect == Code::kTooManyActiveZones) {
    ASSERT_TRUE(dev_->FinishZone(seq_[0]).ok());
    EXPECT_TRUE(dev_->OpenZone(seq_[max_open]).ok()) << "finishing a zone frees its slots";
  } else {
    ASSERT_TRUE(dev_->CloseZone(seq_[0]).ok());
    EXPECT_TRUE(dev_->OpenZone(seq_[max_open]).ok()) << "closing a zone frees an open slot";
  }
}

TEST_F(Conformance, ImplicitOpenClosesTheOldestImplicitlyOpenZone) {
  const uint32_t max_open = info().max_open_zones, max_active = info().max_active_zones;
  if (max_open == 0 || (max_active && max_active <= max_open) || seq_.size() <= max_open)
    GTEST_SKIP() << "needs an open limit below the active limit";
  for (uint32_t k = 0; k <= max_open; ++k)
    ASSERT_TRUE(WriteAt(seq_[k], lbs()).ok()) << "zone " << k;
  uint32_t open = 0, closed = 0;
  for (uint32_t k = 0; k <= max_open; ++k) {
    const Zone z = Z(seq_[k]);
    open += z.open();
    closed += z.cond == ZoneCondition::kClosed;
  }
  EXPECT_EQ(open, max_open);
  EXPECT_EQ(closed, 1u);
  EXPECT_EQ(Z(seq_[max_open]).cond, ZoneCondition::kImplicitOpen);
}

TEST_F(Conformance, ZoneAppendReturnsWhereDataLanded) {
  if (!info().zone_append) GTEST_SKIP() << "no zone append";
  const uint64_t s = seq_[0];
  auto a = dev_->Append(s, Pattern(s, 2 * lbs()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, s);
  auto b = dev_->Append(s, Pattern(s + 2 * lbs(), lbs()));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, s + 2 * lbs());
  EXPECT_EQ(Z(s).wp, s + 3 * lbs());
  ExpectData(s, 3 * lbs());
  EXPECT_EQ(dev_->Append(s + lbs(), Pattern(0, lbs())).status().code(), Code::kInvalidArgument);
  const size_t too_big = info().max_append_bytes + lbs();
  EXPECT_EQ(dev_->Append(s, Pattern(0, too_big)).status().code(), Code::kInvalidArgument);
}

TEST_F(Conformance, CopyMovesRangesInOrderToTheWritePointer) {
  if (!info().copy.supported()) GTEST_SKIP() << "no copy command";
  const uint64_t a = seq_[0], b = seq_[1], L = lbs();
  ASSERT_TRUE(WriteAt(a, 8 * L).ok());
  ASSERT_TRUE(WriteAt(b, L, 5).ok());
  const std::vector<Extent> src = {{a + 5 * L, 2 * L}, {a + L, L}, {a + 7 * L, L}};
  ASSERT_TRUE(dev_->Copy(src, b + L).ok());
  EXPECT_EQ(Z(b).wp, b + 5 * L);
  EXPECT_EQ(Z(b).cond, ZoneCondition::kImplicitOpen);
  std::vector<std::byte> got(4 * L), want;
  ASSERT_TRUE(dev_->Read(b + L, got).ok());
  for (const Extent& e : src) {
    auto p = Pattern(e.offset, e.length);
    want.insert(want.end(), p.begin(), p.end());
  }
  EXPECT_TRUE(got == want) << "copied data, in source order";
  ExpectData(b, L, 5);
}

TEST_F(Conformance, CopyNotAtTheWritePointerWritesNothing) {
  if (!info().copy.supported()) GTEST_SKIP() << "no copy command";
  const uint64_t a = seq_[0], b = seq_[1], L = lbs();
  ASSERT_TRUE(WriteAt(a, 4 * L).ok());
  const std::vector<Extent> src = {{a, 2 * L}};
  EXPECT_EQ(dev_->Copy(src, b + L).code(), Code::kZoneState);
  EXPECT_EQ(Z(b).wp, b);
  // QEMU's ZNS opens the destination before the placement check fails.
  EXPECT_EQ(Z(b).cond, family() == DeviceFamily::kNvmeZns ? ZoneCondition::kImplicitOpen
                                                          : ZoneCondition::kEmpty);
  ASSERT_TRUE(WriteAt(b, L).ok());
  EXPECT_EQ(dev_->Copy(src, b).code(), Code::kZoneState) << "behind the write pointer";
  EXPECT_EQ(Z(b).wp, b + L);
}

TEST_F(Conformance, CopyLimitsAreEnforcedAndReachable) {
  const CopyLimits& lim = info().copy;
  if (!lim.supported()) GTEST_SKIP() << "no copy command";
  const uint64_t a = seq_[0], b = seq_[1], L = lbs();
  const uint64_t ranges = std::min<uint64_t>(lim.max_ranges, lim.max_total_bytes / L);
  ASSERT_TRUE(WriteAt(a, 2 * ranges * L).ok());
  std::vector<Extent> many;
  for (uint64_t k = 0; k < ranges; ++k) many.push_back({a + 2 * k * L, L});
  EXPECT_TRUE(dev_->Copy(many, b).ok()) << ranges << " ranges of one block";
  EXPECT_EQ(Z(b).wp, b + ranges * L);
  many.push_back({a + L, L});
  if (many.size() > lim.max_ranges) {
    EXPECT_EQ(dev_->Copy(many, b + ranges * L).code(), Code::kInvalidArgument)
        << "one range too many";
  }
  if (lim.range_boundary && Z(a).capacity == info().zone_size) {
    const std::vector<Extent> across = {{a + info().zone_size - L, 2 * L}};
    EXPECT_EQ(dev_->Copy(across, b + ranges * L).code(), Code::kInvalidArgument)
        << "across a zone boundary";
  }
  const std::vector<Extent> long_range = {{a, lim.max_range_bytes + L}};
  EXPECT_EQ(dev_->Copy(long_range, b + ranges * L).code(), Code::kInvalidArgument) << "past MSSRL";
  EXPECT_EQ(Z(b).wp, b + ranges * L) << "refused copies write nothing";
}

TEST_F(Conformance, ConventionalZonesTakeWritesAnywhere) {
  if (info().nr_conventional_zones == 0) GTEST_SKIP() << "no conventional zones";
  auto zones = dev_->ReportAllZones();
  ASSERT_TRUE(zones.ok());
  const auto conv =
      std::find_if(zones->begin(), zones->end(), [](const Zone& z) { return !z.sequential(); });
  const uint64_t c = conv->start;
  ASSERT_TRUE(WriteAt(c + 8 * lbs(), 2 * lbs(), 3).ok());
  ASSERT_TRUE(WriteAt(c, lbs(), 4).ok());
  ExpectData(c + 8 * lbs(), 2 * lbs(), 3);
  ExpectData(c, lbs(), 4);
  EXPECT_EQ(dev_->ResetZone(c).code(), Code::kZoneState);
  EXPECT_EQ(dev_->FinishZone(c).code(), Code::kZoneState);
  ASSERT_TRUE(dev_->ResetAll().ok()) << "reset of the whole device skips conventional zones";
  ExpectData(c, lbs(), 4);
  EXPECT_EQ(Z(c).cond, ZoneCondition::kNotWp);
}

}  // namespace
}  // namespace zgc

int main(int argc, char** argv) { return zgc::testing::RunOnDevice(argc, argv, "conformance"); }
