// Rules of the emulated devices that the conformance suite cannot reach from
// the public API alone: geometry validation, degraded zones, limits.
#include "src/zones/emulated_device.h"

#include <gtest/gtest.h>

#include <thread>

#include "zgc/device.h"

namespace zgc {
namespace {

std::vector<std::byte> Bytes(size_t n, uint8_t v = 0xAB) {
  return std::vector<std::byte>(n, std::byte{v});
}

std::unique_ptr<ZonedDevice> Mem(const std::string& params) {
  auto d = OpenDevice("mem:?" + params);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(*d) : nullptr;
}

TEST(EmuGeometry, RejectsBadGeometryNamingTheParameter) {
  struct Case {
    const char* params;
    const char* names;
  } cases[] = {
      {"zone_size=0", "zone_size"},
      {"zone_size=3M", "zone_size"},
      {"zone_size=128T", "zone_size"},
      {"zone_size=1M&zone_cap=2M", "zone_cap"},
      {"zone_size=1M&zone_cap=1000", "zone_cap"},
      {"zones=0", "zones"},
      {"zones=99999999", "zones"},
      {"zones=4&conv=4", "conv"},
      {"lbs=1000", "lbs"},
      {"lbs=256", "lbs"},
      {"max_open=20&max_active=10", "max_open"},
      {"zone_size=64G&zones=100000", "exceeds"},
      {"copy_ranges=300", "copy_ranges"},
  };
  for (const Case& c : cases) {
    auto d = OpenDevice(std::string("mem:?") + c.params);
    ASSERT_FALSE(d.ok()) << c.params;
    EXPECT_EQ(d.status().code(), Code::kInvalidArgument) << c.params;
    EXPECT_NE(d.status().message().find(c.names), std::string::npos) << d.status().ToString();
  }
}

TEST(EmulatedDevice, ReportsGeometryAndLimits) {
  auto d = Mem("zone_size=1M&zone_cap=768K&zones=8&conv=1&max_open=2&max_active=3&lbs=512");
  const DeviceInfo& i = d->info();
  EXPECT_EQ(i.zone_size, 1u << 20);
  EXPECT_EQ(i.zone_capacity, 768u << 10);
  EXPECT_EQ(i.nr_zones, 8u);
  EXPECT_EQ(i.nr_conventional_zones, 1u);
  EXPECT_EQ(i.logical_block_size, 512u);
  EXPECT_EQ(i.copy.max_ranges, 128u);
  EXPECT_EQ(i.copy.max_range_bytes, 128u * 512);
  EXPECT_TRUE(i.zone_append);
  auto z = d->ReportZone(0);
  EXPECT_EQ(z->type, ZoneType::kConventional);
  EXPECT_EQ(z->capacity, 1u << 20);
  EXPECT_EQ(d->ReportZone(1 << 20)->capacity, 768u << 10);
  EXPECT_FALSE(Mem("copy=0")->info().copy.supported());
}

TEST(EmulatedDevice, OfflineZonesRefuseReadsAndReadOnlyZonesRefuseWrites) {
  auto d = Mem("zone_size=1M&zones=4");
  auto* emu = static_cast<EmulatedDevice*>(d.get());
  ASSERT_TRUE(d->Write(0, Bytes(4096)).ok());
  ASSERT_TRUE(emu->SetZoneCondition(0, ZoneCondition::kReadOnly).ok());
  std::vector<std::byte> buf(4096);
  EXPECT_TRUE(d->Read(0, buf).ok()) << "read-only zones stay readable";
  EXPECT_EQ(buf, Bytes(4096));
  EXPECT_EQ(d->Write(1 << 20, Bytes(4096)).code(), Code::kOk);
  EXPECT_EQ(d->ResetZone(0).code(), Code::kZoneState);
  ASSERT_TRUE(emu->SetZoneCondition(1, ZoneCondition::kOffline).ok());
  Status s = d->Read(1 << 20, buf);
  EXPECT_EQ(s.code(), Code::kZoneState);
  EXPECT_NE(s.message().find("offline"), std::string::npos);
  EXPECT_EQ(d->Write(2 << 20, Bytes(4096)).code(), Code::kOk);
  EXPECT_EQ(d->Write((1 << 20), Bytes(4096)).code(), Code::kZoneState);
  // A degraded zone frees the active resource it held.
  EXPECT_EQ(d->ReportZone(0)->cond, ZoneCondition::kReadOnly);
}

TEST(EmulatedDevice, ActiveLimitCountsClosedZonesAndFinishFreesThem) {
  auto d = Mem("zone_size=1M&zones=8&max_open=2&max_active=3");
  const uint64_t Z = 1 << 20;
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(d->Write(k * Z, Bytes(4096)).ok()) << k;
  // Zone 0 was closed by the device to make room for zone 2.
  EXPECT_EQ(d->ReportZone(0)->cond, ZoneCondition::kClosed);
  EXPECT_EQ(d->Write(3 * Z, Bytes(4096)).code(), Code::kTooManyActiveZones);
  EXPECT_EQ(d->ReportZone(3 * Z)->cond, ZoneCondition::kEmpty);
  ASSERT_TRUE(d->FinishZone(0).ok());
  EXPECT_TRUE(d->Write(3 * Z, Bytes(4096)).ok());
}

TEST(EmulatedDevice, ExplicitOpensAreNeverClosedByTheDevice) {
  auto d = Mem("zone_size=1M&zones=8&max_open=2&max_active=0");
  const uint64_t Z = 1 << 20;
  ASSERT_TRUE(d->OpenZone(0).ok());
  ASSERT_TRUE(d->OpenZone(Z).ok());
  EXPECT_EQ(d->Write(2 * Z, Bytes(4096)).code(), Code::kTooManyOpenZones);
  EXPECT_EQ(d->ReportZone(0)->cond, ZoneCondition::kExplicitOpen);
}

TEST(EmulatedDevice, WritesSpanningZonesArePerformedZoneByZone) {
  auto d = Mem("zone_size=64K&zones=4&max_open=0&max_active=0");
  ASSERT_TRUE(d->Write(0, Bytes(60 << 10)).ok());
  // 4 KiB completes zone 0, 4 KiB starts zone 1: the kernel splits such a write.
  ASSERT_TRUE(d->Write(60 << 10, Bytes(8 << 10, 0xCD)).ok());
  EXPECT_EQ(d->ReportZone(0)->cond, ZoneCondition::kFull);
  EXPECT_EQ(d->ReportZone(64 << 10)->wp, (64u + 4) << 10);
  // A spanning write whose second piece is refused keeps the first piece.
  auto e = Mem("zone_size=64K&zones=4&max_open=0&max_active=0");
  ASSERT_TRUE(e->Write(0, Bytes(60 << 10)).ok());
  ASSERT_TRUE(e->Write(64 << 10, Bytes(4096)).ok());
  EXPECT_EQ(e->Write(60 << 10, Bytes(8 << 10)).code(), Code::kZoneState);
  EXPECT_EQ(e->ReportZone(0)->cond, ZoneCondition::kFull);
}

TEST(EmulatedDevice, MetadataOnlyMemoryKeepsStateButNotData) {
  auto d = Mem("zone_size=1M&zones=4&data=0");
  ASSERT_TRUE(d->Write(0, Bytes(8192)).ok());
  EXPECT_EQ(d->ReportZone(0)->wp, 8192u);
  std::vector<std::byte> buf(4096, std::byte{1});
  ASSERT_TRUE(d->Read(0, buf).ok());
  EXPECT_EQ(buf, Bytes(4096, 0));
}

TEST(EmulatedDevice, ConcurrentWritersToDistinctZonesKeepCountsRight) {
  auto d = Mem("zone_size=1M&zones=8&max_open=4&max_active=4&data=0");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (uint64_t off = 0; off < (1 << 20); off += 4096)
        ASSERT_TRUE(d->Write(t * (1ull << 20) + off, Bytes(4096)).ok());
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(d->ReportZone(t * (1ull << 20))->cond, ZoneCondition::kFull);
  for (int t = 4; t < 8; ++t)
    EXPECT_TRUE(d->Write(t * (1ull << 20), Bytes(4096)).ok()) << "all slots free";
}

}  // namespace
}  // namespace zgc
