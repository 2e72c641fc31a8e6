// The volume's layout (src/volume/volume_layout.cc): what PlanVolume lets
// Format lay down and Open take, and how it refuses the rest before anything
// is written.
#include "src/volume/volume_layout.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "test/support/block_model.h"
#include "zgc/volume.h"

namespace zgc {
namespace {

constexpr uint64_t kB = Volume::kBlock;

using testing::Stamp;
using testing::VersionOf;

// The device's data and zone states, to prove that a call wrote nothing.
std::vector<std::byte> Image(ZonedDevice& d) {
  std::vector<std::byte> all(d.info().capacity_bytes());
  EXPECT_TRUE(d.Read(0, all).ok());
  auto zones = d.ReportAllZones();
  EXPECT_TRUE(zones.ok());
  if (zones.ok())
    for (const Zone& z : *zones) {
      const auto* p = reinterpret_cast<const std::byte*>(&z);
      all.insert(all.end(), p, p + sizeof z);
    }
  return all;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A formatted volume holding data, closed: what a refused call must not touch.
std::unique_ptr<ZonedDevice> VolumeWithData(const std::string& uri) {
  auto d = OpenDevice(uri);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  if (!d.ok()) return nullptr;
  EXPECT_TRUE(Volume::Format(**d, {}).ok());
  auto v = Volume::Open(**d, {});
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (!v.ok()) return nullptr;
  for (uint64_t lba = 0; lba < 64; ++lba) EXPECT_TRUE((*v)->Write(lba * kB, Stamp(lba, 1)).ok());
  EXPECT_TRUE((*v)->Close().ok());
  return std::move(*d);
}

constexpr const char* kDev = "mem:?zone_size=64K&zones=40&max_open=0&max_active=0";

// Regression: reserve_zones = 0 was formatted; the volume then wedged
// (no_space after a partial write, then read-only). Format and Open refuse
// it, naming the device, and write nothing.
TEST(VolumeLayout, AReserveOfZeroIsRefusedByFormatAndOpen) {
  auto d = VolumeWithData(kDev);
  ASSERT_TRUE(d);
  const auto before = Image(*d);
  VolumeOptions zero;
  zero.gc.reserve_zones = 0;
  zero.gc.low_watermark = 1;
  zero.gc.high_watermark = 2;
  const Status f = Volume::Format(*d, zero);
  EXPECT_EQ(f.code(), Code::kInvalidArgument) << f.ToString();
  EXPECT_NE(f.message().find(std::string(kDev) + ": GC options: reserve_zones 0 leaves"),
            std::string::npos)
      << f.ToString();
  GcOptions gc;
  EXPECT_EQ(PlanVolume(*d, zero, &gc).status().code(), Code::kInvalidArgument);
  auto o = Volume::Open(*d, zero);
  EXPECT_EQ(o.status().code(), Code::kInvalidArgument) << o.status().ToString();
  EXPECT_TRUE(Image(*d) == before) << "a refused Format or Open wrote to the device";
}

// The engine's real minimum, one free zone to relocate into, holds a volume
// at its full size through many passes of overwrites with GC in the writer.
TEST(VolumeLayout, AReserveOfOneKeepsAFullVolumeWriting) {
  for (const char* uri : {kDev, "mem:?zone_size=64K&zone_cap=40K&zones=24&max_open=6&max_active=6",
                          "mem:?lbs=512&zone_size=64K&zone_cap=63K&zones=24"}) {
    SCOPED_TRACE(uri);
    auto d = *OpenDevice(uri);
    VolumeOptions o;
    o.spare = 0.05;
    o.background_gc = false;
    o.gc.reserve_zones = 1;
    o.gc.low_watermark = 2;
    o.gc.high_watermark = 3;
    ASSERT_TRUE(Volume::Format(*d, o).ok());
    auto v = Volume::Open(*d, o);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    const uint64_t blocks = (*v)->size() / kB;
    std::map<uint64_t, uint64_t> version;
    std::mt19937_64 rng(9);
    for (uint64_t i = 0; i < 12 * blocks; ++i) {
      const uint64_t lba = i < blocks ? i : rng() % blocks;
      const Status s = (*v)->Write(lba * kB, Stamp(lba, ++version[lba]));
      ASSERT_TRUE(s.ok()) << i << ": " << s.ToString();
      if (i % 64 == 63) {
        ASSERT_TRUE((*v)->Flush().ok());
      }
    }
    EXPECT_TRUE((*v)->Check().ok());
    std::vector<std::byte> b(kB);
    for (const auto& [lba, ver] : version) {
      ASSERT_TRUE((*v)->Read(lba * kB, b).ok());
      ASSERT_EQ(VersionOf(b.data(), lba), ver) << lba;
    }
  }
}

// Regression: the copy path was not validated by Format: an unknown value
// read past a name table, and blkcopy on a mem: device formatted and then
// failed Open with not_supported. Both are refused before anything is
// written: unknown as invalid_argument, absent as not_supported naming the
// device and the path. One the device has formats and opens.
TEST(VolumeLayout, FormatRefusesAnUnknownOrAbsentCopyPath) {
  auto d = VolumeWithData(kDev);
  ASSERT_TRUE(d);
  const auto before = Image(*d);
  for (const int bad : {7, 200}) {
    VolumeOptions o;
    o.gc.copy.path = static_cast<CopyPath>(bad);
    const Status f = Volume::Format(*d, o);
    EXPECT_EQ(f.code(), Code::kInvalidArgument) << f.ToString();
    EXPECT_NE(f.message().find(std::string(kDev) + ": GC options: copy path " +
                               std::to_string(bad) + " is not one of"),
              std::string::npos)
        << f.ToString();
    EXPECT_EQ(Volume::Open(*d, o).status().code(), Code::kInvalidArgument);
  }
  VolumeOptions blk;
  blk.gc.copy.path = CopyPath::kBlkCopy;
  const Status f = Volume::Format(*d, blk);
  EXPECT_EQ(f.code(), Code::kNotSupported) << f.ToString();
  EXPECT_NE(f.message().find(std::string(kDev) + ": copy path blkcopy is absent"),
            std::string::npos)
      << f.ToString();
  EXPECT_TRUE(Image(*d) == before) << "a refused Format wrote to the device";
  VolumeOptions native;
  native.gc.copy.path = CopyPath::kNative;
  ASSERT_TRUE(Volume::Format(*d, native).ok());
  auto v = Volume::Open(*d, native);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
}

// Regression: the first guess of the logical size was the address space
// (zone_size x zones), not what the zones hold: zones of 32 MiB holding
// 64 KiB were sized for a map of 1.25 GiB, whose log (46 zones) is past
// the device's 40, and Format refused.
TEST(VolumeLayout, TheDefaultSizeFollowsTheZonesCapacity) {
  const std::string uri = "mem:?zone_size=32M&zone_cap=64K&zones=40";
  auto d = *OpenDevice(uri);
  GcOptions gc;
  auto plan = PlanVolume(*d, {}, &gc);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_LT(plan->logical_blocks * kB, uint64_t(40) * (64 << 10));
  const Status f = Volume::Format(*d, {});
  ASSERT_TRUE(f.ok()) << f.ToString();
  auto v = Volume::Open(*d, {});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const uint64_t blocks = (*v)->size() / kB;
  ASSERT_GT(blocks, 100u);
  for (int pass = 1; pass <= 3; ++pass)
    for (uint64_t lba = 0; lba < blocks; ++lba)
      ASSERT_TRUE((*v)->Write(lba * kB, Stamp(lba, pass)).ok()) << pass << " " << lba;
  ASSERT_TRUE((*v)->Close().ok());
  v->reset();
  auto again = Volume::Open(*d, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  std::vector<std::byte> b(kB);
  for (uint64_t lba = 0; lba < blocks; ++lba) {
    ASSERT_TRUE((*again)->Read(lba * kB, b).ok());
    ASSERT_EQ(VersionOf(b.data(), lba), 3u) << lba;
  }
}

// Regression: the log's refusals read "...: the volume's metadata log:
// metadata log: ..." (PlanVolume prefixed what CheckFormat had named). Each
// prefix appears once: the device, then the log.
TEST(VolumeLayout, ALogRefusalNamesTheDeviceAndTheLogOnce) {
  const std::string uri = "mem:?zone_size=1M&zones=3";
  auto d = *OpenDevice(uri);
  const Status f = Volume::Format(*d, {});
  EXPECT_EQ(f.code(), Code::kInvalidArgument) << f.ToString();
  EXPECT_EQ(
      f.message().rfind(uri + ": metadata log: 4 zones from zone 0 are past the device's 3", 0), 0u)
      << f.ToString();
  EXPECT_EQ(Count(f.message(), "metadata log"), 1u) << f.ToString();
  EXPECT_EQ(Count(f.message(), uri), 1u) << f.ToString();
  // An explicit log size that is too small: the same shape.
  auto e = *OpenDevice(kDev);
  const Status g = Volume::Format(*e, {.log_zones = 1});
  EXPECT_EQ(g.code(), Code::kInvalidArgument) << g.ToString();
  EXPECT_EQ(g.message().rfind(std::string(kDev) + ": metadata log: ", 0), 0u) << g.ToString();
  EXPECT_EQ(Count(g.message(), "metadata log"), 1u) << g.ToString();
}

}  // namespace
}  // namespace zgc
