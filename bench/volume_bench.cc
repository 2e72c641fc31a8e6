// volume_bench: zgc::Volume against raw sequential writes to the same device,
// measured in the same run.
//   volume_bench [--zones 128] [--zone-size 8M] [--devices mem,emu] [--overwrites 1.5]
// Cases: 4 KiB random writes with the volume at 50 % and 90 % of what the
// device allows, and 64 KiB random writes at 90 %; a Flush every 64 writes.
// For each: user throughput as a ratio to raw sequential writes of the same
// size, device WA ((user + relocated) / user), metadata (log) bytes per user
// byte, Flush latency p50/p99, and map memory per logical block. Then recovery:
// power is cut (volatile cache, drop) after more and more records since the
// last checkpoint, and Volume::Open is timed against reading the log zones,
// with the host's cache warm and (emu:) dropped, as after a real power cut.
//
// --concurrency (issue 19; alone with --concurrency-only): over a device
// wrapper that takes a fixed time per data command (--latency-us, commands
// in parallel, as an SSD takes them) on mem:,
// - 4 KiB random writes at 1, 4 and 16 threads, each as a ratio to 1 thread;
// - 1 writer beside 8 readers with background GC collecting: its writes/s as
//   a ratio to the same writer alone, and the readers' p99 against the
//   device latency;
// then on large sparse mem: devices (data allocated only where written), one
// collection of a zone holding one live block at 16 GiB, 256 GiB and 1 TiB
// logical, and Volume::Stats(), each against one pass over a forward map of
// that size (what a collection and Stats cost before zone summaries), plus
// the worst 4 KiB write that ran during the collection.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "test/support/latency_device.h"
#include "zgc/device_wrapper.h"
#include "zgc/volume.h"

namespace {

using namespace zgc;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kB = Volume::kBlock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The emu: device's backing file.
std::filesystem::path BenchFile() {
  return std::filesystem::temp_directory_path() / "zgc-volume-bench.img";
}

std::string Uri(const std::string& kind, uint32_t zones, uint64_t zone_size, bool cache,
                uint32_t lbs = 4096) {
  const std::string geo = "zone_size=" + std::to_string(zone_size >> 20) +
                          "M&zones=" + std::to_string(zones) + "&max_open=14&max_active=14" +
                          "&lbs=" + std::to_string(lbs);
  const std::string c = cache ? "&cache=volatile" : "";
  if (kind == "mem") return "mem:?" + geo + c;
  const auto path = BenchFile();
  std::filesystem::remove(path);
  return "emu:" + path.string() + "?create=1&" + geo + c;
}

// Raw sequential writes of `io` bytes filling the device's zones in order;
// the best of three passes after a first untimed one (which touches a new
// mem: device's memory or a new emu: file's blocks, as the volume's fill
// did): the baseline is the device at its fastest, not its page faults.
double RawSequential(const std::string& uri, uint64_t io, uint64_t bytes) {
  auto d = OpenDevice(uri);
  if (!d.ok()) return std::fprintf(stderr, "%s\n", d.status().ToString().c_str()), 0;
  const DeviceInfo& info = (*d)->info();
  std::vector<std::byte> buf(io, std::byte{0x5a});
  double rate = 0;
  for (int pass = 0; pass < 4; ++pass) {
    if (!(*d)->ResetAll().ok()) return 0;
    const auto t0 = Clock::now();
    uint64_t done = 0;
    for (uint32_t z = 0; z < info.nr_zones && done < bytes; ++z) {
      auto zone = (*d)->ReportZone(uint64_t(z) * info.zone_size);
      if (!zone.ok() || !zone->sequential()) continue;
      for (uint64_t off = 0; off + io <= zone->capacity && done < bytes; off += io, done += io)
        if (!(*d)->Write(zone->start + off, buf).ok()) return 0;
    }
    if (!(*d)->Sync().ok()) return 0;
    if (pass) rate = std::max(rate, double(done) / Since(t0));
  }
  return rate;
}

struct CaseResult {
  double mbps = 0, raw_mbps = 0, wa = 0, meta = 0, p50 = 0, p99 = 0, map_bytes = 0;
};

CaseResult RunCase(const std::string& uri, double fill, uint64_t io, double overwrites) {
  CaseResult r;
  auto d = OpenDevice(uri);
  if (!d.ok()) return std::fprintf(stderr, "%s\n", d.status().ToString().c_str()), r;
  VolumeOptions o;
  o.spare = 1 - fill;
  if (Status s = Volume::Format(**d, o); !s.ok())
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), r;
  auto v = Volume::Open(**d, o);
  if (!v.ok()) return std::fprintf(stderr, "%s\n", v.status().ToString().c_str()), r;
  Volume& vol = **v;
  const uint64_t blocks = vol.size() / kB, per = io / kB;
  std::vector<std::byte> buf(io, std::byte{0x33});
  for (uint64_t b = 0; b + per <= blocks; b += per)  // filled once, not measured
    if (!vol.Write(b * kB, buf).ok()) return r;
  (void)vol.Flush();
  const VolumeStats before = vol.Stats();
  std::mt19937_64 rng(1);
  const uint64_t n = static_cast<uint64_t>(overwrites * double(blocks / per));
  std::vector<double> flush_us;
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t b = rng() % (blocks / per) * per;
    if (!vol.Write(b * kB, buf).ok()) {
      std::fprintf(stderr, "write failed\n");
      return r;
    }
    if (i % 64 == 63) {
      const auto f0 = Clock::now();
      (void)vol.Flush();
      flush_us.push_back(Since(f0) * 1e6);
    }
  }
  (void)vol.Flush();
  const double secs = Since(t0);
  const VolumeStats after = vol.Stats();
  const double user = double(n * io);
  r.mbps = user / secs;
  r.wa = (user + double(after.gc.relocated_bytes - before.gc.relocated_bytes)) / user;
  r.meta = double(after.log.device_bytes - before.log.device_bytes) / user;
  std::sort(flush_us.begin(), flush_us.end());
  if (!flush_us.empty()) {
    r.p50 = flush_us[flush_us.size() / 2];
    r.p99 = flush_us[flush_us.size() * 99 / 100];
  }
  r.map_bytes = double(after.map_memory_bytes) / double(blocks);
  return r;
}

// Drops the emu: file's pages from the host's cache, as a power cut does:
// the next reads come from the disk.
void DropCache(const std::string& kind) {
  if (kind != "emu") return;
  const auto path = BenchFile();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fdatasync(fd);
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// Recovery after a cut with `records` map records written since the last
// checkpoint: Volume::Open against reading the log zones' written bytes, each
// the median of five, alternating. `cold`: the host cache is dropped before
// each (emu: only; a power cut leaves nothing cached).
void Recovery(const std::string& kind, uint32_t zones, uint64_t zone_size, uint64_t records,
              bool cold) {
  auto d = OpenDevice(Uri(kind, zones, zone_size, /*cache=*/true));
  if (!d.ok()) return;
  VolumeOptions o;
  o.log_zones = 8;
  if (!Volume::Format(**d, o).ok() || !(*d)->Sync().ok()) return;
  {
    auto v = Volume::Open(**d, o);
    if (!v.ok()) return;
    std::vector<std::byte> buf(kB, std::byte{1});
    std::mt19937_64 rng(3);
    const uint64_t blocks = (*v)->size() / kB;
    for (uint64_t b = 0; b < blocks; ++b) (void)(*v)->Write(b * kB, buf);
    (void)(*v)->Close();  // a checkpoint of a full map
    v = Volume::Open(**d, o);
    if (!v.ok()) return;
    for (uint64_t i = 0; i < records; ++i) {
      (void)(*v)->Write(rng() % blocks * kB, buf);
      if (i % 64 == 63) (void)(*v)->Flush();
    }
    (void)(*v)->Flush();
    (void)(*d)->CutPower({PowerCutMode::kDrop, 1});
  }
  (void)(*d)->PowerOn();
  const DeviceInfo& info = (*d)->info();
  std::vector<double> reads, opens;
  uint64_t log_bytes = 0;
  for (int round = 0; round < 5; ++round) {
    if (cold) DropCache(kind);
    const auto r0 = Clock::now();
    log_bytes = 0;
    for (uint32_t z = info.nr_conventional_zones; z < info.nr_conventional_zones + o.log_zones;
         ++z) {
      auto zone = (*d)->ReportZone(uint64_t(z) * info.zone_size);
      if (!zone.ok() || zone->wp <= zone->start) continue;
      std::vector<std::byte> b(zone->wp - zone->start);
      (void)(*d)->Read(zone->start, b);
      log_bytes += b.size();
    }
    reads.push_back(Since(r0));
    if (cold) DropCache(kind);
    const auto o0 = Clock::now();
    auto v = Volume::Open(**d, o);
    opens.push_back(Since(o0));
    if (!v.ok()) {
      std::printf("%-4s recovery: %s\n", kind.c_str(), v.status().ToString().c_str());
      return;
    }
  }
  std::sort(reads.begin(), reads.end());
  std::sort(opens.begin(), opens.end());
  const double read_s = reads[2], open_s = opens[2];
  std::printf("%-4s %-5s %10llu %10.2f %12.2f %12.2f %10.2f\n", kind.c_str(),
              cold ? "cold" : "warm", (unsigned long long)records, double(log_bytes) / (1 << 20),
              read_s * 1e3, open_s * 1e3, open_s / read_s);
  std::fflush(stdout);
}

using testing::LatencyDevice;  // test/support: a fixed time per data command

struct LatencyVolume {
  std::unique_ptr<LatencyDevice> dev;
  std::unique_ptr<Volume> vol;
};

// A volume at 75 % of what the device allows, filled once (not timed), so
// that random overwrites make garbage and GC collects.
LatencyVolume MakeLatencyVolume(uint32_t zones, uint64_t zone_size, uint32_t latency_us) {
  LatencyVolume lv;
  auto d = OpenDevice(Uri("mem", zones, zone_size, false));
  if (!d.ok()) return lv;
  lv.dev = std::make_unique<LatencyDevice>(std::move(*d), std::chrono::microseconds(latency_us));
  VolumeOptions o;
  o.spare = 0.25;
  if (!Volume::Format(*lv.dev, o).ok()) return lv;
  auto v = Volume::Open(*lv.dev, o);
  if (!v.ok()) return lv;
  // The fill is 64 KiB writes: 16 blocks a device command.
  std::vector<std::byte> buf(16 * kB, std::byte{0x44});
  const uint64_t blocks = (*v)->size() / kB;
  for (uint64_t b = 0; b + 16 <= blocks; b += 16)
    if (!(*v)->Write(b * kB, buf).ok()) return lv;
  (void)(*v)->Flush();
  lv.vol = std::move(*v);
  return lv;
}

// `threads` writers of random 4 KiB blocks for `secs`: writes per second.
double WriteRate(Volume& vol, int threads, double secs, std::atomic<bool>* also_stop = nullptr) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> writes{0};
  const uint64_t blocks = vol.size() / kB;
  std::vector<std::thread> ts;
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(100 + t);
      std::vector<std::byte> buf(kB, std::byte{0x55});
      while (!stop.load(std::memory_order_relaxed)) {
        if (!vol.Write(rng() % blocks * kB, buf).ok()) break;
        writes.fetch_add(1, std::memory_order_relaxed);
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(secs));
  stop = true;
  if (also_stop) *also_stop = true;
  for (auto& t : ts) t.join();
  return double(writes.load()) / Since(t0);
}

void Concurrency(uint32_t zones, uint64_t zone_size, uint32_t latency_us, double secs) {
  std::printf("\nconcurrency: mem: with %u us per data command, %u zones of %llu MiB\n", latency_us,
              zones, (unsigned long long)(zone_size >> 20));
  {
    LatencyVolume lv = MakeLatencyVolume(zones, zone_size, latency_us);
    if (!lv.vol) return (void)std::printf("setup failed\n");
    const double one = WriteRate(*lv.vol, 1, secs);
    std::printf("%-34s %10s %8s\n", "4 KiB random writes", "writes/s", "ratio");
    for (int threads : {1, 4, 16}) {
      const double r = threads == 1 ? one : WriteRate(*lv.vol, threads, secs);
      std::printf("%-34s %10.0f %8.2f\n", (std::to_string(threads) + " thread(s)").c_str(), r,
                  r / one);
      std::fflush(stdout);
    }
    (void)lv.vol->Close();
  }
  {
    LatencyVolume lv = MakeLatencyVolume(zones, zone_size, latency_us);
    if (!lv.vol) return (void)std::printf("setup failed\n");
    Volume& vol = *lv.vol;
    const VolumeStats s0 = vol.Stats();
    const double alone = WriteRate(vol, 1, secs);
    const VolumeStats s1 = vol.Stats();
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> lat(8);
    std::vector<std::thread> readers;
    const uint64_t blocks = vol.size() / kB;
    for (int t = 0; t < 8; ++t)
      readers.emplace_back([&, t] {
        std::mt19937_64 rng(200 + t);
        std::vector<std::byte> buf(kB);
        while (!stop.load(std::memory_order_relaxed)) {
          const auto r0 = Clock::now();
          if (!vol.Read(rng() % blocks * kB, buf).ok()) break;
          lat[t].push_back(Since(r0) * 1e6);
        }
      });
    const double beside = WriteRate(vol, 1, secs, &stop);
    for (auto& r : readers) r.join();
    const VolumeStats s2 = vol.Stats();
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const double p99 = all.empty() ? 0 : all[all.size() * 99 / 100];
    std::printf("%-34s %10.0f %8s  (%llu collections)\n", "1 writer alone", alone, "1.00",
                (unsigned long long)(s1.gc.collections - s0.gc.collections));
    std::printf(
        "%-34s %10.0f %8.2f  (%llu collections; %.0f reads/s, p99 %.0f us = %.2fx the "
        "device latency)\n",
        "1 writer beside 8 readers", beside, beside / alone,
        (unsigned long long)(s2.gc.collections - s1.gc.collections), double(all.size()) / secs, p99,
        p99 / latency_us);
    std::fflush(stdout);
    (void)vol.Close();
  }
}

// One collection of a zone holding one live block on a sparse mem: device of
// `logical` bytes (zones of 256 MiB), against one pass over a forward map of
// that size; Stats() likewise; the worst 4 KiB write beside the collection.
void CollectionAtSize(uint64_t logical) {
  constexpr uint64_t kZone = 256ull << 20;
  const uint64_t zones = logical / kZone * 5 / 4 + 16;
  auto d = OpenDevice("mem:?zone_size=256M&zones=" + std::to_string(zones) +
                      "&max_open=14&max_active=14");
  if (!d.ok()) return (void)std::printf("%s\n", d.status().ToString().c_str());
  VolumeOptions o;
  o.logical_bytes = logical;
  o.background_gc = false;
  if (Status s = Volume::Format(**d, o); !s.ok())
    return (void)std::printf("%s\n", s.ToString().c_str());
  auto v = Volume::Open(**d, o);
  if (!v.ok()) return (void)std::printf("%s\n", v.status().ToString().c_str());
  Volume& vol = **v;
  // Two zones' worth of blocks spread over the volume, then all rewritten
  // but one: the first zone is the victim, holding one live block.
  const uint64_t per_zone = kZone / kB, blocks = vol.size() / kB;
  const uint64_t stride = blocks / (2 * per_zone);
  std::vector<std::byte> buf(kB, std::byte{0x66});
  for (int pass = 0; pass < 2; ++pass)
    for (uint64_t i = pass; i < 2 * per_zone; ++i)
      if (!vol.Write(i * stride * kB, buf).ok()) return (void)std::printf("write failed\n");
  (void)vol.Flush();
  // The baseline: one pass over a forward map of this size (the volume's own
  // is 4 bytes a block).
  std::vector<uint32_t> map(blocks, 0);
  for (uint64_t i = 0; i < 2 * per_zone; ++i) map[i * stride] = uint32_t(i + 1);
  const auto b0 = Clock::now();
  const uint64_t mapped = std::count_if(map.begin(), map.end(), [](uint32_t p) { return p; });
  const double pass = Since(b0);
  map = {};
  std::atomic<bool> stop{false};
  double worst = 0;
  std::thread writer([&] {
    std::mt19937_64 rng(7);
    while (!stop.load()) {
      const auto w0 = Clock::now();
      if (!vol.Write((rng() % blocks) * kB, buf).ok()) break;
      worst = std::max(worst, Since(w0));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const uint64_t checkpoints = vol.Stats().log.checkpoints;
  const auto c0 = Clock::now();
  Status s = vol.gc().CollectOnce();
  const double collect = Since(c0);
  stop = true;
  writer.join();
  const auto s0 = Clock::now();
  VolumeStats st;
  for (int i = 0; i < 1000; ++i) st = vol.Stats();
  const double stats = Since(s0) / 1000;
  std::printf("%9llu GiB %12.3f %14.3f %9.4f %12.3f %10.5f %9.6f %9.2f %4llu%s\n",
              (unsigned long long)(logical >> 30), pass * 1e3, collect * 1e3, collect / pass,
              worst * 1e3, stats * 1e3, stats / pass,
              double(st.map_memory_bytes + st.summary_memory_bytes) / double(blocks),
              (unsigned long long)(st.log.checkpoints - checkpoints),
              s.ok() && mapped ? "" : (" " + s.ToString()).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zgc::Volume against raw sequential writes, in one run"};
  uint32_t zones = 128;
  std::string zone_size_text = "8M";
  std::vector<std::string> kinds = {"mem", "emu"};
  double overwrites = 1.5;
  std::vector<uint32_t> sector_sizes = {4096, 512};
  bool cases_only = false, recovery_only = false, concurrency = false, concurrency_only = false;
  uint32_t latency_us = 100;
  double secs = 2;
  std::vector<uint64_t> sizes_gib = {16, 256, 1024};
  app.add_option("--zones", zones)->capture_default_str();
  app.add_option("--zone-size", zone_size_text, "MiB, e.g. 16M")->capture_default_str();
  app.add_option("--devices", kinds, "mem, emu")->delimiter(',')->capture_default_str();
  app.add_option("--lbs", sector_sizes, "Device logical block sizes for the write cases")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--overwrites", overwrites, "Random writes, in logical sizes")
      ->capture_default_str();
  app.add_flag("--cases-only", cases_only, "Skip the recovery table");
  app.add_flag("--recovery-only", recovery_only, "Skip the write cases");
  app.add_flag("--concurrency", concurrency, "Also the concurrency and size tables (issue 19)");
  app.add_flag("--concurrency-only", concurrency_only, "Only the concurrency and size tables");
  app.add_option("--latency-us", latency_us, "Per data command, concurrency table")
      ->capture_default_str();
  app.add_option("--seconds", secs, "Per concurrency measurement")->capture_default_str();
  app.add_option("--sizes", sizes_gib, "Logical GiB for the collection table")
      ->delimiter(',')
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const uint64_t zone_size = std::stoull(zone_size_text) << 20;
  if (zones < 16 || zone_size < (1 << 20) || !(overwrites > 0 && overwrites < 100)) {
    std::fprintf(stderr, "volume_bench: need --zones >= 16, --zone-size >= 1M, --overwrites > 0\n");
    return 2;
  }
  for (uint32_t lbs : sector_sizes)
    if (lbs < 512 || lbs > 4096 || 4096 % lbs) {
      std::fprintf(stderr, "volume_bench: --lbs must divide 4096\n");
      return 2;
    }
  const uint64_t raw_bytes = uint64_t(zones / 2) * zone_size;
  std::printf("volume_bench: %u zones of %llu MiB; a Flush every 64 writes\n", zones,
              (unsigned long long)(zone_size >> 20));
  struct Case {
    const char* name;
    double fill;
    uint64_t io;
  };
  const Case cases[] = {
      {"4K rand 50%", 0.5, 4096}, {"4K rand 90%", 0.9, 4096}, {"64K rand 90%", 0.9, 65536}};
  if (concurrency_only) cases_only = recovery_only = concurrency = true;
  if (!recovery_only) {
    std::printf("%-4s %5s %-12s %9s %9s %7s %7s %10s %9s %9s %10s\n", "dev", "lbs", "case", "MB/s",
                "raw MB/s", "ratio", "WA", "meta/user", "flush p50", "flush p99", "map B/blk");
    for (const std::string& k : kinds) {
      for (uint32_t lbs : sector_sizes) {
        for (const Case& c : cases) {
          CaseResult r = RunCase(Uri(k, zones, zone_size, false, lbs), c.fill, c.io, overwrites);
          r.raw_mbps = RawSequential(Uri(k, zones, zone_size, false, lbs), c.io, raw_bytes);
          std::printf("%-4s %5u %-12s %9.1f %9.1f %7.3f %7.3f %9.2f%% %7.0fus %7.0fus %10.2f\n",
                      k.c_str(), lbs, c.name, r.mbps / 1e6, r.raw_mbps / 1e6,
                      r.raw_mbps ? r.mbps / r.raw_mbps : 0, r.wa, r.meta * 100, r.p50, r.p99,
                      r.map_bytes);
          std::fflush(stdout);
        }
      }
    }
  }
  if (!cases_only) {
    std::printf(
        "\nrecovery after a power cut (log of 8 zones, full-map checkpoint, then records)\n");
    std::printf("%-4s %-5s %10s %10s %12s %12s %10s\n", "dev", "cache", "records", "log MiB",
                "read log ms", "Open ms", "Open/read");
    for (const std::string& k : kinds)
      for (bool cold : {false, true})
        for (uint64_t records : {uint64_t(0), uint64_t(20000), uint64_t(80000), uint64_t(320000)})
          if (!cold || k == "emu") Recovery(k, zones, zone_size, records, cold);
  }
  if (concurrency) {
    Concurrency(48, 1 << 20, latency_us, secs);  // small: GC collects within seconds
    std::printf("\none collection of a zone holding 1 live block (256 MiB zones), Stats()\n");
    std::printf("%13s %12s %14s %9s %12s %10s %9s %9s %4s\n", "logical", "map pass ms",
                "collection ms", "/pass", "worst wr ms", "Stats ms", "/pass", "mem B/blk", "ckpt");
    for (uint64_t g : sizes_gib) CollectionAtSize(g << 30);
  }
  std::filesystem::remove(BenchFile());
  return 0;
}
