// `zgc run`: the demonstration workload. It fills the device and overwrites it
// several times as a circular log (the oldest zone is reset when no empty zone is
// left), verifies every live block at the end, and reports what happened to the
// zones. It becomes a GC-driven workload when the engine lands.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <vector>

#include "tools/zgc/commands.h"
#include "zgc/device.h"

namespace zgc::cli {

namespace {

constexpr const char* kDefaultUri =
    "emu:zgc-demo.img?create=1&zone_size=16M&zone_cap=12M&zones=64&max_open=14&max_active=14";

struct RunOptions {
  std::string uri = kDefaultUri;
  double passes = 3;
  std::string block = "256K";
  bool quiet = false;
  bool force = false;
};

// Every block starts with the zone generation and its own offset, so a stale or
// misplaced block is detected at verification.
void Stamp(std::vector<std::byte>& buf, uint64_t generation, uint64_t offset, uint32_t lbs) {
  for (size_t b = 0; b < buf.size(); b += lbs) {
    const uint64_t words[2] = {generation, offset + b};
    std::memcpy(buf.data() + b, words, sizeof words);
  }
}

struct Progress {
  bool tty = ::isatty(STDOUT_FILENO);
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last = start;

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  void Show(uint64_t done, uint64_t total, uint64_t resets, size_t live_zones, bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last < std::chrono::milliseconds(tty ? 200 : 2000)) return;
    last = now;
    const double pct = 100.0 * done / total;
    const int bar = static_cast<int>(pct / 5);
    fmt::print(
        "{}[{:<20}] {:5.1f}%  written {:7.1f} MiB  {:6.1f} MiB/s  zones reset {:4}  live zones "
        "{:3}{}",
        tty ? "\r" : "", std::string(bar, '#'), pct, done / 1048576.0,
        done / 1048576.0 / std::max(Elapsed(), 1e-3), resets, live_zones, tty ? "" : "\n");
    std::fflush(stdout);
  }
};

int Run(const RunOptions& o) {
  if (o.uri.rfind("zbd:", 0) == 0 && !o.force)
    return Fail(Status::InvalidArgument(
        o.uri + ": zgc run erases the device; add --force to run it on real hardware"));
  auto opened = OpenDevice(o.uri);
  if (!opened.ok()) return Fail(opened.status());
  ZonedDevice& dev = **opened;
  const DeviceInfo& info = dev.info();
  auto block_bytes = ParseSize(o.block);
  if (!block_bytes.ok()) return Fail(block_bytes.status().WithContext("--block"));
  const uint32_t lbs = info.logical_block_size;
  const uint64_t block = std::max<uint64_t>(*block_bytes / lbs * lbs, lbs);

  std::vector<uint32_t> seq;  // the log ring: sequential zones in order
  auto zones = dev.ReportAllZones();
  if (!zones.ok()) return Fail(zones.status());
  for (const Zone& z : *zones)
    if (z.sequential() && z.cond != ZoneCondition::kOffline && z.cond != ZoneCondition::kReadOnly)
      seq.push_back(static_cast<uint32_t>(z.start / info.zone_size));
  if (seq.size() < 2)
    return Fail(Status::InvalidArgument(o.uri + ": needs at least two writable sequential zones"));
  if (Status s = dev.ResetAll(); !s.ok()) return Fail(s);

  const uint64_t seq_bytes = seq.size() * info.zone_capacity;
  const uint64_t total = static_cast<uint64_t>(o.passes * seq_bytes) / lbs * lbs;
  if (!o.quiet)
    fmt::print(
        "zgc run: {} ({}, {} sequential zones of {} MiB, capacity {} MiB)\n"
        "         writing {:.1f} MiB = {:.1f} x the device, {} KiB per write\n",
        o.uri, info.backend, seq.size(), info.zone_size >> 20, info.zone_capacity / 1048576.0,
        total / 1048576.0, o.passes, block >> 10);

  std::vector<uint64_t> generation(info.nr_zones, 0);
  std::deque<uint32_t> full;  // oldest first
  std::vector<std::byte> buf(block);
  Progress progress;
  uint64_t written = 0, resets = 0;
  size_t ring = 0;
  while (written < total) {
    const uint32_t head = seq[ring];
    ring = (ring + 1) % seq.size();
    auto hz = dev.ReportZone(uint64_t(head) * info.zone_size);
    if (!hz.ok()) return Fail(hz.status());
    if (hz->cond != ZoneCondition::kEmpty) {
      // The ring wrapped: the oldest zone holds the oldest data; reclaim it.
      const uint32_t victim = full.front();
      full.pop_front();
      if (Status s = dev.ResetZone(uint64_t(victim) * info.zone_size); !s.ok()) return Fail(s);
      ++resets;
    }
    ++generation[head];
    uint64_t wp = uint64_t(head) * info.zone_size;
    const uint64_t end = wp + hz->capacity;
    while (wp < end && written < total) {
      const uint64_t n = std::min({block, end - wp, (total - written + lbs - 1) / lbs * lbs});
      buf.resize(n);
      Stamp(buf, generation[head], wp, lbs);
      if (Status s = dev.Write(wp, buf); !s.ok()) return Fail(s);
      wp += n;
      written += n;
      if (!o.quiet) progress.Show(written, total, resets, full.size() + 1, false);
    }
    full.push_back(head);
  }
  if (!o.quiet) progress.Show(written, total, resets, full.size(), true);
  if (!o.quiet && progress.tty) fmt::print("\n");
  if (Status s = dev.Sync(); !s.ok()) return Fail(s);

  // Verify every live block: the right generation at the right offset.
  uint64_t verified = 0;
  for (uint32_t z : full) {
    auto zone = dev.ReportZone(uint64_t(z) * info.zone_size);
    if (!zone.ok()) return Fail(zone.status());
    const uint64_t live_end =
        zone->cond == ZoneCondition::kFull ? zone->start + zone->capacity : zone->wp;
    for (uint64_t off = zone->start; off < live_end; off += buf.size()) {
      buf.resize(std::min<uint64_t>(block, live_end - off));
      if (Status s = dev.Read(off, buf); !s.ok()) return Fail(s);
      for (size_t b = 0; b < buf.size(); b += lbs) {
        uint64_t words[2];
        std::memcpy(words, buf.data() + b, sizeof words);
        if (words[0] != generation[z] || words[1] != off + b)
          return Fail(Status::Corruption(
              fmt::format("{}: block at {:#x} holds generation {} offset {:#x}, expected {} {:#x}",
                          o.uri, off + b, words[0], words[1], generation[z], off + b)));
      }
      verified += buf.size();
    }
  }

  auto final_zones = dev.ReportAllZones();
  if (!final_zones.ok()) return Fail(final_zones.status());
  std::map<std::string, int> by_cond;
  for (const Zone& z : *final_zones) ++by_cond[std::string(ZoneConditionName(z.cond))];
  std::string conds;
  for (const auto& [name, n] : by_cond) conds += fmt::format(" {}:{}", name, n);
  const double secs = progress.Elapsed();
  fmt::print("\n== zgc run report ==\n");
  fmt::print("user bytes written        {:>12.1f} MiB ({:.2f} device capacities)\n",
             written / 1048576.0, double(written) / seq_bytes);
  fmt::print("device bytes written      {:>12.1f} MiB\n", written / 1048576.0);
  fmt::print("write amplification       {:>12.2f}  (a circular log relocates nothing)\n", 1.0);
  fmt::print("relocated by offload      {:>12.1f} MiB\n", 0.0);
  fmt::print("relocated by fallback     {:>12.1f} MiB\n", 0.0);
  fmt::print("zones reset               {:>12}\n", resets);
  fmt::print("live data verified        {:>12.1f} MiB, every block\n", verified / 1048576.0);
  fmt::print("zone conditions          {}\n", conds);
  fmt::print("elapsed                   {:>12.2f} s ({:.1f} MiB/s)\n", secs,
             written / 1048576.0 / std::max(secs, 1e-3));
  return 0;
}

}  // namespace

void AddRunCommand(CLI::App& app, Runner& run) {
  static RunOptions o;
  auto* cmd = app.add_subcommand("run", "Fill and overwrite a device, then report zone use");
  cmd->add_option("uri", o.uri, "Device URI")->capture_default_str();
  cmd->add_option("--passes", o.passes, "Device capacities to write")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--block", o.block, "Write size")->capture_default_str();
  cmd->add_flag("--quiet", o.quiet, "No progress display");
  cmd->add_flag("--force", o.force, "Allow running on a real (zbd:) device, erasing it");
  cmd->callback([&run] { run = [] { return Run(o); }; });
}

}  // namespace zgc::cli
