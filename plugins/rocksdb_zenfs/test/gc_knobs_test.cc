// GC knobs: URI parameters, stored at format, overridden at open, absurd
// values refused before anything is written, milestone 1's config read.
#include "plugins/rocksdb_zenfs/gc_knobs.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "plugins/rocksdb_zenfs/file_table.h"
#include "plugins/rocksdb_zenfs/zone_file_system.h"
#include "zgc/log.h"

namespace zgc::rocksdb_plugin {
namespace {

std::vector<std::byte> Image(ZonedDevice& dev) {
  std::vector<std::byte> img(dev.info().capacity_bytes());
  EXPECT_TRUE(dev.Read(0, img).ok());
  auto zones = dev.ReportAllZones();
  for (const Zone& z : *zones) {
    const auto* p = reinterpret_cast<const std::byte*>(&z.wp);
    img.insert(img.end(), p, p + sizeof(z.wp));
    img.push_back(static_cast<std::byte>(z.cond));
  }
  return img;
}

TEST(GcKnobs, ParsedFromTheUriApartFromTheDevicesParameters) {
  GcKnobs k;
  auto dev = GcKnobs::SplitUri(
      "mem:?zone_size=1M&gc_low=4&zones=64&gc_high=8&gc_policy=greedy&gc_rate=16M&gc_background=0",
      &k);
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(*dev, "mem:?zone_size=1M&zones=64");
  EXPECT_EQ(k.low, 4u);
  EXPECT_EQ(k.high, 8u);
  EXPECT_EQ(k.policy, VictimPolicy::kGreedy);
  EXPECT_EQ(k.rate, 16u << 20);
  EXPECT_EQ(k.background, false);
  EXPECT_FALSE(k.reserve.has_value());
  EXPECT_EQ(k.ToString(), "gc_policy=greedy&gc_low=4&gc_high=8&gc_rate=16777216&gc_background=0");
  GcKnobs only;
  EXPECT_EQ(*GcKnobs::SplitUri("emu:/x.img?gc_low=2", &only), "emu:/x.img");
  EXPECT_EQ(*GcKnobs::SplitUri("emu:/x.img", &only), "emu:/x.img");
  for (const char* bad : {"mem:?gc_low=-1", "mem:?gc_low=x", "mem:?gc_policy=fifo", "mem:?gc_lwo=4",
                          "mem:?gc_classes=0", "mem:?gc_classes=99", "mem:?gc_background=2",
                          "mem:?gc_rate=2T", "mem:?gc_stall_ms=99999999999"}) {
    GcKnobs x;
    auto r = GcKnobs::SplitUri(bad, &x);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("gc_"), std::string::npos) << r.status().ToString();
  }
}

TEST(GcKnobs, StoredAtFormatOverriddenAtOpen) {
  auto dev = OpenDevice("mem:?zone_size=1M&zones=32");
  ASSERT_TRUE(dev.ok());
  ZoneFsOptions fo;
  fo.knobs.low = 5;
  fo.knobs.high = 9;
  fo.knobs.policy = VictimPolicy::kCostBenefit;
  {
    auto fs = ZoneFileSystem::Open(**dev, fo);
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    EXPECT_EQ((*fs)->Knobs().low, 5u);
    EXPECT_EQ((*fs)->StoredKnobs().high, 9u);
  }
  {
    // Reopened without knobs: the stored ones.
    auto fs = ZoneFileSystem::Open(**dev, ZoneFsOptions());
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    EXPECT_EQ((*fs)->Knobs().low, 5u);
    EXPECT_EQ((*fs)->Knobs().policy, VictimPolicy::kCostBenefit);
  }
  {
    // Given at open: for this open only.
    ZoneFsOptions over;
    over.knobs.high = 12;
    over.knobs.rate = 1 << 20;
    auto fs = ZoneFileSystem::Open(**dev, over);
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    EXPECT_EQ((*fs)->Knobs().low, 5u);
    EXPECT_EQ((*fs)->Knobs().high, 12u);
    EXPECT_EQ((*fs)->Knobs().rate, 1u << 20);
    EXPECT_EQ((*fs)->StoredKnobs().high, 9u);
  }
  // Bad at open: refused, nothing written.
  const auto before = Image(**dev);
  ZoneFsOptions bad;
  bad.knobs.low = 20;  // above the stored gc_high=9
  auto fs = ZoneFileSystem::Open(**dev, bad);
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.status().code(), Code::kInvalidArgument);
  EXPECT_NE(fs.status().message().find("gc_low=20"), std::string::npos) << fs.status().ToString();
  EXPECT_EQ(Image(**dev), before);
}

TEST(GcKnobs, AbsurdValuesAreRefusedBeforeFormat) {
  auto dev = OpenDevice("mem:?zone_size=1M&zones=16");
  ASSERT_TRUE(dev.ok());
  const auto blank = Image(**dev);
  auto refuse = [&](void (*set)(GcKnobs*), const char* name) {
    ZoneFsOptions fo;
    set(&fo.knobs);
    auto fs = ZoneFileSystem::Open(**dev, fo);
    ASSERT_FALSE(fs.ok()) << name;
    EXPECT_EQ(fs.status().code(), Code::kInvalidArgument) << fs.status().ToString();
    EXPECT_NE(fs.status().message().find(name), std::string::npos) << fs.status().ToString();
    EXPECT_EQ(Image(**dev), blank) << name;
  };
  refuse([](GcKnobs* k) { k->reserve = 0; }, "gc_reserve");
  refuse([](GcKnobs* k) { k->reserve = 1000; }, "gc_reserve");
  refuse([](GcKnobs* k) { k->high = 1000; }, "gc_high");
  refuse([](GcKnobs* k) { k->low = 8, k->high = 7; }, "gc_low");
  refuse([](GcKnobs* k) { k->window = 0; }, "gc_window");
  refuse([](GcKnobs* k) { k->low = 2, k->reserve = 2; }, "gc_low");
  // Through the URI too (the registry's path).
  auto fs = ZoneFileSystem::Open("mem:?zone_size=1M&zones=16&gc_high=99", ZoneFsOptions());
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.status().code(), Code::kInvalidArgument) << fs.status().ToString();
  fs = ZoneFileSystem::Open("mem:?zone_size=1M&zones=16&gc_low=3&gc_high=4", ZoneFsOptions());
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_EQ((*fs)->Knobs().high, 4u);
}

// A device formatted by milestone 1 (config version 1, no knobs) opens with
// the defaults, and the knobs given at open apply.
TEST(GcKnobs, MilestoneOneConfigIsRead) {
  auto dev = OpenDevice("mem:?zone_size=1M&zones=16");
  ASSERT_TRUE(dev.ok());
  LogOptions lo;
  lo.first_zone = 0;
  lo.max_checkpoint_bytes = 256 << 10;
  FsConfig c;
  auto v1 = EncodeFsConfig(c);
  v1.resize(kFsConfigV1Bytes);
  v1[8] = std::byte{1};
  auto zones = MetaLog::CheckFormat(**dev, lo, v1);
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  c.log_zones = *zones;
  c.data_first = *zones;
  v1 = EncodeFsConfig(c);
  v1.resize(kFsConfigV1Bytes);
  v1[8] = std::byte{1};
  lo.zones = *zones;
  ASSERT_TRUE(MetaLog::Format(**dev, lo, v1, FileTable(4096).EncodeCheckpoint()).ok());
  ZoneFsOptions fo;
  fo.knobs.low = 3;
  auto fs = ZoneFileSystem::Open(**dev, fo);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_EQ((*fs)->StoredKnobs(), GcKnobs());
  EXPECT_EQ((*fs)->Knobs().low, 3u);
  EXPECT_EQ((*fs)->Knobs().high, GcOptions().high_watermark);
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE((*fs)->NewWritableFile("/x", rocksdb::FileOptions(), &f, nullptr).ok());
  ASSERT_TRUE(f->Append("hello", rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_TRUE((*fs)->Check().ok());
}

}  // namespace
}  // namespace zgc::rocksdb_plugin
