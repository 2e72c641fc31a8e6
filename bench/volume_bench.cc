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
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zgc::Volume against raw sequential writes, in one run"};
  uint32_t zones = 128;
  std::string zone_size_text = "8M";
  std::vector<std::string> kinds = {"mem", "emu"};
  double overwrites = 1.5;
  std::vector<uint32_t> sector_sizes = {4096, 512};
  bool cases_only = false, recovery_only = false;
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
  std::filesystem::remove(BenchFile());
  return 0;
}
