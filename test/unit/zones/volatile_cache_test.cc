// The power-cut model of the emulated devices (cache=volatile): what Sync made
// durable survives a cut, what it did not is lost (kDrop) or torn at block
// granularity (kTear), and the device comes back as after a power cycle.
#include "src/zones/volatile_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "zgc/device.h"

namespace zgc {
namespace {

constexpr uint64_t kB = 4096;
constexpr uint64_t kZ = 256 << 10;  // 64 blocks

std::vector<std::byte> Block(uint64_t tag) {
  std::vector<std::byte> b(kB);
  for (size_t i = 0; i < kB; i += 8) std::memcpy(b.data() + i, &tag, 8);
  return b;
}

uint64_t TagAt(ZonedDevice& d, uint64_t off) {
  std::vector<std::byte> b(kB);
  EXPECT_TRUE(d.Read(off, b).ok());
  uint64_t t;
  std::memcpy(&t, b.data(), 8);
  for (size_t i = 8; i < kB; i += 8) {
    uint64_t u;
    std::memcpy(&u, b.data() + i, 8);
    EXPECT_EQ(u, t) << "block at " << off << " mixes two writes";
  }
  return t;
}

std::unique_ptr<ZonedDevice> Mem(const std::string& extra = "") {
  auto d = OpenDevice("mem:?zone_size=256K&zones=8&conv=1&max_open=0&max_active=0&cache=volatile" +
                      extra);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return std::move(*d);
}

TEST(VolatileCache, DropLosesWhatWasNotSyncedAndKeepsWhatWas) {
  auto d = Mem();
  EXPECT_TRUE(d->info().volatile_cache);
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(d->Write(kZ + i * kB, Block(100 + i)).ok());
  ASSERT_TRUE(d->Sync().ok());
  for (uint64_t i = 4; i < 8; ++i) ASSERT_TRUE(d->Write(kZ + i * kB, Block(100 + i)).ok());
  EXPECT_EQ(TagAt(*d, kZ + 5 * kB), 105u) << "the cache serves reads before a sync";
  ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, 1}).ok());
  // Off: every call fails until the power is back.
  Status off = d->Write(kZ + 4 * kB, Block(1));
  EXPECT_EQ(off.code(), Code::kPowerOff);
  EXPECT_NE(off.message().find("power is off"), std::string::npos);
  std::vector<std::byte> buf(kB);
  EXPECT_EQ(d->Read(kZ, buf).code(), Code::kPowerOff);
  EXPECT_EQ(d->ReportZone(kZ).status().code(), Code::kPowerOff);
  EXPECT_EQ(d->Sync().code(), Code::kPowerOff);
  ASSERT_TRUE(d->PowerOn().ok());
  auto z = d->ReportZone(kZ);
  EXPECT_EQ(z->wp, kZ + 4 * kB);
  EXPECT_EQ(z->cond, ZoneCondition::kClosed) << "a power cycle closes open zones";
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(TagAt(*d, kZ + i * kB), 100 + i);
  EXPECT_EQ(TagAt(*d, kZ + 4 * kB), 0u) << "lost, reads as zeroes";
  // And the zone takes writes again at its durable write pointer.
  EXPECT_TRUE(d->Write(kZ + 4 * kB, Block(7)).ok());
}

TEST(VolatileCache, UnsyncedResetsAndFinishesAreUndoneByADrop) {
  auto d = Mem();
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(d->Write(2 * kZ + i * kB, Block(200 + i)).ok());
  ASSERT_TRUE(d->Write(3 * kZ, Block(300)).ok());
  ASSERT_TRUE(d->Sync().ok());
  ASSERT_TRUE(d->ResetZone(2 * kZ).ok());
  ASSERT_TRUE(d->Write(2 * kZ, Block(999)).ok());  // the zone reused before the sync
  ASSERT_TRUE(d->FinishZone(3 * kZ).ok());
  ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, 2}).ok());
  ASSERT_TRUE(d->PowerOn().ok());
  EXPECT_EQ(d->ReportZone(2 * kZ)->wp, 2 * kZ + 3 * kB);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(TagAt(*d, 2 * kZ + i * kB), 200 + i);
  EXPECT_EQ(d->ReportZone(3 * kZ)->cond, ZoneCondition::kClosed) << "the finish is undone";
  EXPECT_EQ(d->ReportZone(3 * kZ)->wp, 3 * kZ + kB);
}

TEST(VolatileCache, ATearKeepsAPrefixOfEachZonesUnsyncedBlocks) {
  int partial = 0;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    auto d = Mem();
    ASSERT_TRUE(d->Write(kZ, Block(1)).ok());
    ASSERT_TRUE(d->Sync().ok());
    for (uint64_t i = 1; i < 17; ++i) ASSERT_TRUE(d->Write(kZ + i * kB, Block(i + 1)).ok());
    for (uint64_t i = 0; i < 16; ++i) ASSERT_TRUE(d->Write(4 * kZ + i * kB, Block(50 + i)).ok());
    ASSERT_TRUE(d->CutPower({PowerCutMode::kTear, seed}).ok());
    ASSERT_TRUE(d->PowerOn().ok());
    for (const uint64_t start : {kZ, 4 * kZ}) {
      const uint64_t wp = d->ReportZone(start)->wp;
      const uint64_t first = start == kZ ? 1 : 0;  // blocks before were synced
      ASSERT_GE(wp, start + first * kB);
      ASSERT_LE(wp, start + 17 * kB);
      const uint64_t kept = (wp - start) / kB;
      partial += kept > first && kept < (start == kZ ? 17u : 16u);
      for (uint64_t i = 0; i < kept; ++i)
        EXPECT_EQ(TagAt(*d, start + i * kB), start == kZ ? i + 1 : 50 + i) << "seed " << seed;
      for (uint64_t i = kept; i < 18; ++i) EXPECT_EQ(TagAt(*d, start + i * kB), 0u);
    }
  }
  EXPECT_GT(partial, 10) << "tears keep a strict prefix, not all or nothing";
}

TEST(VolatileCache, ConventionalBlocksKeepTheirOldOrNewContentNeverAMix) {
  int old_blocks = 0, new_blocks = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    auto d = Mem();
    for (uint64_t i = 0; i < 8; ++i) ASSERT_TRUE(d->Write(i * kB, Block(10 + i)).ok());
    ASSERT_TRUE(d->Sync().ok());
    for (uint64_t i = 0; i < 8; ++i) ASSERT_TRUE(d->Write(i * kB, Block(90 + i)).ok());
    ASSERT_TRUE(d->CutPower({PowerCutMode::kTear, seed}).ok());
    ASSERT_TRUE(d->PowerOn().ok());
    for (uint64_t i = 0; i < 8; ++i) {
      const uint64_t t = TagAt(*d, i * kB);
      EXPECT_TRUE(t == 10 + i || t == 90 + i) << t;
      (t == 10 + i ? old_blocks : new_blocks)++;
    }
  }
  EXPECT_GT(old_blocks, 0);
  EXPECT_GT(new_blocks, 0);
  auto d = Mem();
  ASSERT_TRUE(d->Write(0, Block(10)).ok());
  ASSERT_TRUE(d->Sync().ok());
  ASSERT_TRUE(d->Write(0, Block(90)).ok());
  ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, 0}).ok());
  ASSERT_TRUE(d->PowerOn().ok());
  EXPECT_EQ(TagAt(*d, 0), 10u);
}

TEST(VolatileCache, AnArmedCutStopsTheNthMutatingCall) {
  auto d = Mem();
  ASSERT_TRUE(d->Write(kZ, Block(1)).ok());
  ASSERT_TRUE(d->Sync().ok());
  ASSERT_TRUE(d->ArmPowerCut(3, {PowerCutMode::kDrop, 0}).ok());
  EXPECT_TRUE(d->Write(kZ + kB, Block(2)).ok());      // 1
  EXPECT_TRUE(d->Write(kZ + 2 * kB, Block(3)).ok());  // 2
  EXPECT_EQ(d->Sync().code(), Code::kPowerOff);        // 3: the power fails instead
  EXPECT_EQ(d->Write(kZ + 3 * kB, Block(4)).code(), Code::kPowerOff);
  ASSERT_TRUE(d->PowerOn().ok());
  EXPECT_EQ(d->ReportZone(kZ)->wp, kZ + kB) << "only the synced block is there";
  EXPECT_EQ(d->ArmPowerCut(0, {}).code(), Code::kInvalidArgument);
}

// The hooks a checker aims with: a cut can be disarmed before it fires, the
// device says whether and where (which phase) it fired, and counts mutating
// calls by phase; a cut aimed at a phase counts only that phase's calls.
TEST(VolatileCache, ACheckerCanAimDisarmAndObserveACut) {
  auto d = Mem();
  ASSERT_TRUE(d->ArmPowerCut(2, {PowerCutMode::kDrop, 0}).ok());
  auto st = d->PowerStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->armed);
  EXPECT_EQ(st->calls_to_cut, 2u);
  ASSERT_TRUE(d->DisarmPowerCut().ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(d->Write(kZ + i * kB, Block(i)).ok());
  st = d->PowerStatus();
  EXPECT_FALSE(st->armed);
  EXPECT_EQ(st->cuts, 0u);
  EXPECT_EQ(st->calls[size_t(IoPhase::kOther)], 4u);
  // Aimed at checkpoints: other calls go by.
  ASSERT_TRUE(d->ArmPowerCut(2, {PowerCutMode::kDrop, 0, IoPhase::kCheckpoint}).ok());
  EXPECT_TRUE(d->Write(kZ + 4 * kB, Block(4)).ok());
  {
    IoPhaseScope phase(IoPhase::kCheckpoint);
    EXPECT_TRUE(d->Write(kZ + 5 * kB, Block(5)).ok());  // 1
    {
      IoPhaseScope inner(IoPhase::kLogGroup, /*only_if_unnamed=*/true);
      EXPECT_EQ(CurrentIoPhase(), IoPhase::kCheckpoint);
    }
    EXPECT_EQ(d->Sync().code(), Code::kPowerOff);  // 2
  }
  EXPECT_EQ(CurrentIoPhase(), IoPhase::kOther);
  st = d->PowerStatus();
  EXPECT_FALSE(st->powered);
  EXPECT_EQ(st->cuts, 1u);
  EXPECT_TRUE(st->last_cut_armed);
  EXPECT_EQ(st->last_cut_phase, IoPhase::kCheckpoint);
  EXPECT_EQ(IoPhaseName(st->last_cut_phase), "checkpoint");
  ASSERT_TRUE(d->PowerOn().ok());
  EXPECT_TRUE(d->PowerStatus()->powered);
}

// Regression (issue 17, item 15): a tear that kept every block up to the
// zone's capacity left the zone closed with its write pointer at capacity, a
// state no device reports; the engine then handed out an empty extent.
TEST(VolatileCache, ATornZoneWrittenToItsCapacityComesBackFull) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    auto d = Mem("&zone_cap=128K");
    for (uint64_t i = 0; i < 32; ++i) ASSERT_TRUE(d->Write(kZ + i * kB, Block(i)).ok());
    ASSERT_TRUE(d->CutPower({PowerCutMode::kTear, seed}).ok());
    ASSERT_TRUE(d->PowerOn().ok());
    const Zone z = *d->ReportZone(kZ);
    if (z.cond == ZoneCondition::kFull) continue;
    EXPECT_LT(z.wp, z.start + z.capacity) << "seed " << seed << ": closed at capacity";
  }
}

TEST(VolatileCache, AnEmuFileIsLeftAsThePowerCutLeftTheDevice) {
  const std::string path = ::testing::TempDir() + "zgc-vc-" + std::to_string(::getpid()) + ".img";
  std::remove(path.c_str());
  const std::string uri = "emu:" + path + "?create=1&zone_size=256K&zones=8&cache=volatile";
  {
    auto d = OpenDevice(uri);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_TRUE((*d)->Write(0, Block(5)).ok());
    ASSERT_TRUE((*d)->Sync().ok());
    ASSERT_TRUE((*d)->Write(kB, Block(6)).ok());
    ASSERT_TRUE((*d)->ResetZone(kZ).ok());
    ASSERT_TRUE((*d)->CutPower({PowerCutMode::kDrop, 0}).ok());
  }
  auto d = OpenDevice("emu:" + path);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE((*d)->info().volatile_cache)
      << "the cache is a property of the opening, not the file";
  EXPECT_EQ((*d)->ReportZone(0)->wp, kB);
  EXPECT_EQ(TagAt(**d, 0), 5u);
  EXPECT_EQ(TagAt(**d, kB), 0u);
  d->reset();
  std::remove(path.c_str());
}

// Found by test/fuzz/uri_fuzz (regressions/uri_fuzz/): on a metadata-only
// device a reset saved the zone's "durable data" (zeroes) anyway, so
// finishing, syncing and resetting a 4 GiB zone allocated 4 GiB (64 GiB for
// the largest zones); overwritten conventional blocks were kept likewise.
TEST(VolatileCache, AMetadataOnlyDeviceSavesNoData) {
  auto d = *OpenDevice("mem:?zone_size=64G&zones=4&conv=1&data=0&cache=volatile");
  const uint64_t z = 64ull << 30;
  ASSERT_TRUE(d->Write(0, Block(1)).ok());
  ASSERT_TRUE(d->FinishZone(z).ok());
  ASSERT_TRUE(d->Sync().ok());
  ASSERT_TRUE(d->Write(0, Block(2)).ok());
  ASSERT_TRUE(d->ResetZone(z).ok());  // used to throw std::bad_alloc (or exhaust memory)
  ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, 0}).ok());
  ASSERT_TRUE(d->PowerOn().ok());
  // The zone state still comes back as it was at the Sync.
  EXPECT_EQ(d->ReportZone(z)->cond, ZoneCondition::kFull);
  EXPECT_EQ(TagAt(*d, 0), 0u);  // a metadata-only device reads zeroes
}

TEST(VolatileCache, OnlyOnDevicesThatHaveOne) {
  auto plain = OpenDevice("mem:?zone_size=256K&zones=8");
  EXPECT_FALSE((*plain)->info().volatile_cache);
  EXPECT_EQ((*plain)->CutPower({}).code(), Code::kNotSupported);
  EXPECT_EQ((*plain)->ArmPowerCut(1, {}).code(), Code::kNotSupported);
  EXPECT_EQ((*plain)->DisarmPowerCut().code(), Code::kNotSupported);
  EXPECT_EQ((*plain)->PowerStatus().status().code(), Code::kNotSupported);
  EXPECT_EQ((*plain)->PowerOn().code(), Code::kNotSupported);
  auto bad = OpenDevice("mem:?zone_size=256K&zones=8&cache=bogus");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("cache='bogus'"), std::string::npos);
}

}  // namespace
}  // namespace zgc
