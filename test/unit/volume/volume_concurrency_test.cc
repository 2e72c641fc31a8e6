// zgc::Volume under concurrency: readers beside a writer and background GC
// on a device that takes time per command (every read returns a version that
// was current at some point during it, and the writer keeps going), and a
// victim's reset waiting for a read that resolved into it.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "test/support/block_model.h"
#include "test/support/latency_device.h"
#include "test/support/watchdog.h"
#include "zgc/volume.h"

namespace zgc {
namespace {

constexpr uint64_t kB = Volume::kBlock;
using testing::LatencyDevice;
using testing::Stamp;
using testing::VersionOf;

// Readers check each block against two watermarks the writer keeps: the
// version whose Write had returned before the read began (`done`) and the
// newest whose Write had begun before the read ended (`begun`). A read must
// return one in between: never an older one (a stale mapping), never a mix.
TEST(VolumeConcurrency, ReadersSeeACurrentVersionWhileAWriterAndGcKeepGoing) {
  auto d = std::make_unique<LatencyDevice>(
      *OpenDevice("mem:?zone_size=256K&zones=48&max_open=0&max_active=0"),
      std::chrono::microseconds(50));
  LatencyDevice& dev = *d;
  VolumeOptions o;
  o.spare = 0.25;
  o.gc.low_watermark = 6;
  o.gc.high_watermark = 8;
  ASSERT_TRUE(Volume::Format(dev, o).ok());
  auto v = Volume::Open(dev, o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  Volume& vol = **v;
  const uint64_t blocks = vol.size() / kB;
  std::vector<std::atomic<uint64_t>> begun(blocks), done(blocks);
  // Fill once so that overwrites make garbage and the background GC works.
  for (uint64_t l = 0; l < blocks; ++l) {
    ASSERT_TRUE(vol.Write(l * kB, Stamp(l, 1)).ok());
    begun[l] = done[l] = 1;
  }
  testing::Watchdog watchdog(std::chrono::seconds(60));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0}, bad{0};
  std::string first_bad;
  std::mutex bad_mu;
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::vector<std::byte> buf(4 * kB);
      while (!stop.load()) {
        const uint64_t n = 1 + rng() % 4, first = rng() % (blocks - n);
        std::vector<uint64_t> lo(n);
        for (uint64_t k = 0; k < n; ++k) lo[k] = done[first + k].load();
        Status s = vol.Read(first * kB, std::span(buf).first(n * kB));
        for (uint64_t k = 0; k < n; ++k) {
          const uint64_t hi = begun[first + k].load();
          const uint64_t got = VersionOf(&buf[k * kB], first + k);
          if (!s.ok() || got < lo[k] || got > hi) {
            std::lock_guard lock(bad_mu);
            if (!bad++)
              first_bad = "block " + std::to_string(first + k) + ": read " + std::to_string(got) +
                          ", current during the read: " + std::to_string(lo[k]) + ".." +
                          std::to_string(hi) + " " + s.ToString();
          }
        }
        reads.fetch_add(1);
      }
    });
  }
  // The writer finishes a fixed amount of work: with readers able to starve
  // it, this never ends (the watchdog fails the run).
  std::mt19937_64 rng(99);
  const uint64_t collections0 = vol.Stats().gc.collections;
  for (int i = 0; i < 3000; ++i) {
    const uint64_t l = rng() % 4 ? rng() % (blocks / 4) : rng() % blocks;
    const uint64_t ver = begun[l].load() + 1;
    begun[l].store(ver);
    ASSERT_TRUE(vol.Write(l * kB, Stamp(l, ver)).ok()) << i;
    done[l].store(ver);
    if (i % 64 == 63) {
      ASSERT_TRUE(vol.Flush().ok());
    }
    if (i % 100 == 0) watchdog.Progress("write " + std::to_string(i));
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0u) << first_bad;
  EXPECT_GT(reads.load(), 100u);
  EXPECT_GT(vol.Stats().gc.collections, collections0) << "GC was meant to run beside the reads";
  ASSERT_TRUE(vol.Check().ok()) << vol.Check().ToString();
  ASSERT_TRUE(vol.Close().ok());
}

// A read caught in the device inside the victim holds the victim's reset
// back (not the collection's copy or remap): the collection finishes once
// the read does, and the read returns the data it resolved.
TEST(VolumeConcurrency, AResetWaitsForAReadInFlightIntoTheVictim) {
  auto d = std::make_unique<LatencyDevice>(
      *OpenDevice("mem:?zone_size=64K&zones=40&max_open=0&max_active=0"),
      std::chrono::microseconds(0));
  LatencyDevice& dev = *d;
  VolumeOptions o;
  o.background_gc = false;
  ASSERT_TRUE(Volume::Format(dev, o).ok());
  auto v = Volume::Open(dev, o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  Volume& vol = **v;
  // 32 blocks fill two zones of 16; all but blocks 0 and 16 are rewritten,
  // so each of those zones is mostly garbage. One read resolves blocks 0..16
  // (into both, whichever is the victim) and is caught in its first device
  // read.
  for (uint64_t l = 0; l < 32; ++l) ASSERT_TRUE(vol.Write(l * kB, Stamp(l, 1)).ok());
  for (uint64_t l = 1; l < 32; ++l) {
    if (l != 16) {
      ASSERT_TRUE(vol.Write(l * kB, Stamp(l, 2)).ok());
    }
  }
  auto victim = vol.gc().PeekVictim();
  ASSERT_TRUE(victim.ok()) << victim.status().ToString();
  ASSERT_EQ(vol.gc().LiveBytes(*victim), kB);
  std::vector<std::byte> got(17 * kB);
  Status read_status;
  std::atomic<bool> go{false}, read_done{false};
  std::thread reader([&] {
    while (!go) std::this_thread::yield();
    read_status = vol.Read(0, got);
    read_done = true;
  });
  dev.CloseGateFor(reader.get_id());
  go = true;
  for (int i = 0; i < 10000 && !dev.Caught(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(dev.Caught());
  const uint64_t resets = dev.resets();
  std::atomic<bool> collected{false};
  Status collect_status;
  std::thread collector([&] {
    collect_status = vol.gc().CollectOnce();
    collected = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(collected.load()) << "the collection finished under a read of its victim";
  EXPECT_EQ(dev.resets(), resets) << "the victim was reset under a read in flight";
  dev.Open();
  reader.join();
  collector.join();
  ASSERT_TRUE(read_status.ok()) << read_status.ToString();
  ASSERT_TRUE(read_done);
  for (uint64_t l = 0; l <= 16; ++l)
    EXPECT_EQ(VersionOf(&got[l * kB], l), l % 16 ? 2u : 1u) << "block " << l;
  ASSERT_TRUE(collect_status.ok()) << collect_status.ToString();
  EXPECT_GT(dev.resets(), resets);
  EXPECT_EQ(vol.gc().LiveBytes(*victim), 0u);
  std::vector<std::byte> again(17 * kB);
  ASSERT_TRUE(vol.Read(0, again).ok());
  for (uint64_t l = 0; l <= 16; ++l)
    EXPECT_EQ(VersionOf(&again[l * kB], l), l % 16 ? 2u : 1u) << "block " << l;
  ASSERT_TRUE(vol.Check().ok()) << vol.Check().ToString();
}

}  // namespace
}  // namespace zgc
