// Rules of the emulated devices that the conformance suite cannot reach from
// the public API alone: geometry validation, degraded zones, limits.
#include "src/zones/emulated_device.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "src/zones/emu_file_format.h"
#include "src/zones/emu_geometry.h"
#include "src/zones/mem_zone_store.h"
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

// A store whose data moves wait until `parties` of them are under way at once
// (or time out): proof that the device does not serialize them.
class RendezvousStore final : public ZoneStore {
 public:
  RendezvousStore(uint64_t bytes, int parties) : mem_(bytes, true), parties_(parties) {}
  Status Read(uint64_t o, std::span<std::byte> d) override { return mem_.Read(o, d); }
  Status Write(uint64_t o, std::span<const std::byte> d) override {
    if (armed) ZGC_RETURN_IF_ERROR(Meet());
    return mem_.Write(o, d);
  }
  Status Copy(uint64_t s, uint64_t d, uint64_t n) override {
    if (armed) ZGC_RETURN_IF_ERROR(Meet());
    return mem_.Copy(s, d, n);
  }
  Status Discard(uint64_t o, uint64_t n) override { return mem_.Discard(o, n); }
  Status SaveZone(uint32_t, const Zone&) override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  std::atomic<bool> armed{false};
  int arrived() {
    std::lock_guard lock(mu_);
    return arrived_;
  }

 private:
  Status Meet() {
    std::unique_lock lock(mu_);
    ++arrived_;
    cv_.notify_all();
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= parties_; }))
      return Status::Aborted("the other command never started: calls are serialized");
    return Status::OK();
  }
  MemZoneStore mem_;
  const int parties_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
};

// An emulated device of `zones` 1 MiB zones over a rendezvous store.
std::unique_ptr<EmulatedDevice> RendezvousDevice(uint32_t zones, int parties,
                                                 RendezvousStore** store_out) {
  EmuGeometry g = EmuGeometry::Defaults(4096);
  g.zone_size = g.zone_cap = 1 << 20;
  g.nr_zones = zones;
  std::vector<Zone> table;
  for (uint32_t i = 0; i < g.nr_zones; ++i) table.push_back(emu_format::InitialZone(g, i));
  auto store = std::make_unique<RendezvousStore>(uint64_t(zones) << 20, parties);
  *store_out = store.get();
  return std::make_unique<EmulatedDevice>(g.ToInfo("mem:test", "mem", "rendezvous"),
                                          std::move(store), std::move(table));
}

// Regression: mem:'s one mutex serialized every copy and write, although
// the header says calls run concurrently.
TEST(EmulatedDevice, CopiesAndWritesToDifferentZonesRunConcurrently) {
  for (const bool copies : {true, false}) {
    SCOPED_TRACE(copies ? "copies" : "writes");
    RendezvousStore* rv = nullptr;
    auto dev = RendezvousDevice(8, 3, &rv);
    EmulatedDevice& d = *dev;
    ASSERT_TRUE(d.Write(0, Bytes(64 << 10)).ok());
    rv->armed = true;
    std::vector<std::thread> threads;
    std::vector<Status> results(3);
    for (int t = 0; t < 3; ++t)
      threads.emplace_back([&, t] {
        const uint64_t dst = uint64_t(t + 1) << 20;
        const Extent src{0, 64 << 10};
        results[t] = copies ? d.Copy(std::span(&src, 1), dst) : d.Write(dst, Bytes(64 << 10));
      });
    for (auto& t : threads) t.join();
    for (const Status& r : results) EXPECT_TRUE(r.ok()) << r.ToString();
    rv->armed = false;
    for (int t = 1; t <= 3; ++t) {
      std::vector<std::byte> got(64 << 10);
      ASSERT_TRUE(d.Read(uint64_t(t) << 20, got).ok());
      EXPECT_EQ(got, Bytes(64 << 10));
      EXPECT_EQ(d.ReportZone(uint64_t(t) << 20)->wp, (uint64_t(t) << 20) + (64 << 10));
    }
  }
}

// A second write to a zone whose write is in flight is refused, not interleaved.
TEST(EmulatedDevice, ASecondWriteToABusyZoneIsRefused) {
  RendezvousStore* rv = nullptr;
  auto dev = RendezvousDevice(4, 2, &rv);
  EmulatedDevice& d = *dev;
  rv->armed = true;
  Status first;
  std::thread t([&] { first = d.Write(0, Bytes(4096)); });
  // Once the first write is moving its data, try the same place.
  while (rv->arrived() == 0) std::this_thread::yield();
  const Status second = d.Write(0, Bytes(4096, 1));
  EXPECT_EQ(second.code(), Code::kZoneState) << second.ToString();
  EXPECT_NE(second.message().find("in flight"), std::string::npos) << second.ToString();
  // Release the first write (it waits for a second party).
  (void)rv->Write(2 << 20, Bytes(4096));
  t.join();
  rv->armed = false;
  EXPECT_TRUE(first.ok()) << first.ToString();
  EXPECT_EQ(d.ReportZone(0)->wp, 4096u);
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
  // Regression: the test wrote only to a healthy zone; this is the read-only one.
  Status ro = d->Write(4096, Bytes(4096));
  EXPECT_EQ(ro.code(), Code::kZoneState) << ro.ToString();
  EXPECT_NE(ro.message().find("read-only"), std::string::npos) << ro.ToString();
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

// Regression: CheckWrite returned OK for conventional zones before it looked
// at read-only or offline.
TEST(EmulatedDevice, DegradedConventionalZonesRefuseWrites) {
  auto d = Mem("zone_size=1M&zones=4&conv=2");
  auto* emu = static_cast<EmulatedDevice*>(d.get());
  ASSERT_TRUE(d->Write(8192, Bytes(4096)).ok());
  ASSERT_TRUE(emu->SetZoneCondition(0, ZoneCondition::kReadOnly).ok());
  ASSERT_TRUE(emu->SetZoneCondition(1, ZoneCondition::kOffline).ok());
  Status ro = d->Write(8192, Bytes(4096));
  EXPECT_EQ(ro.code(), Code::kZoneState) << ro.ToString();
  EXPECT_NE(ro.message().find("read-only"), std::string::npos) << ro.ToString();
  Status off = d->Write((1 << 20) + 4096, Bytes(4096));
  EXPECT_EQ(off.code(), Code::kZoneState) << off.ToString();
  EXPECT_NE(off.message().find("offline"), std::string::npos) << off.ToString();
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(d->Read(8192, buf).ok());
  EXPECT_EQ(buf, Bytes(4096)) << "nothing was written to the read-only zone";
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
