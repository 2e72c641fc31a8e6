// `zgc run`: the main job. A logical volume smaller than the device (by the
// spare factor) is filled, then overwritten by a skewed or uniform workload
// while the GC engine's scheduler reclaims zones in the background. Progress
// while it runs; at the end every live block is read back and checked, and the
// report says what GC cost: write amplification, bytes relocated by offload and
// by read/write, zones reset.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <map>
#include <numeric>

#include "tools/zgc/commands.h"
#include "tools/zgc/run_workload.h"
#include "zgc/gc.h"

namespace zgc::cli {

namespace {

constexpr const char* kDefaultUri =
    "emu:zgc-demo.img?create=1&zone_size=16M&zone_cap=12M&zones=64&max_open=14&max_active=14";

struct RunOptions {
  std::string uri = kDefaultUri;
  double passes = 3;
  double spare = 0.2;
  std::string block = "256K";
  std::string workload = "hot";
  uint64_t seed = 1;
  bool quiet = false;
  bool force = false;
};

struct Progress {
  bool tty = ::isatty(STDOUT_FILENO);
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last = start;

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  void Show(uint64_t done, uint64_t total, const GcStats& s, bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last < std::chrono::milliseconds(tty ? 200 : 2000)) return;
    last = now;
    const double pct = 100.0 * double(done) / double(total);
    fmt::print(
        "{}[{:<20}] {:5.1f}%  written {:8.1f} MiB  {:6.1f} MiB/s  WA {:4.2f}  zones reset {:5}  "
        "free zones {:3}{}",
        tty ? "\r" : "", std::string(static_cast<size_t>(pct / 5), '#'), pct, done / 1048576.0,
        done / 1048576.0 / std::max(Elapsed(), 1e-3), s.write_amplification(), s.zones_reset,
        s.free_zones, tty ? "" : "\n");
    std::fflush(stdout);
  }
};

// The largest power of two <= want (and >= one block) dividing every zone's
// capacity, so that a unit never straddles a zone end.
uint64_t UnitBytes(uint64_t want, uint32_t lbs, const std::vector<Zone>& zones) {
  uint64_t g = 0;
  for (const Zone& z : zones)
    if (z.sequential()) g = std::gcd(g, z.capacity);
  uint64_t unit = lbs;
  while (unit * 2 <= want && g % (unit * 2) == 0) unit *= 2;
  return unit;
}

// The write unit as given: a size, a whole number of 4 KiB (so of any
// logical block size up to 4 KiB), at most 1 GiB. Checked before the device
// is opened, since opening may create it.
Result<uint64_t> ParseBlock(const std::string& text) {
  auto b = ParseSize(text);
  if (!b.ok()) return b.status().WithContext("--block");
  if (*b == 0 || *b % 4096 || *b > (1ull << 30))
    return Status::InvalidArgument(
        fmt::format("--block {} is not a multiple of 4 KiB between 4K and 1G", text));
  return b;
}

int Run(const RunOptions& o) {
  // Usage first: nothing is opened (or created) for a command line that is wrong.
  if (!std::isfinite(o.passes) || o.passes <= 0 || o.passes > 1e6)
    return Usage(fmt::format("--passes {} is not a number of volumes in (0, 1e6]", o.passes));
  if (!(o.spare > 0 && o.spare < 1))
    return Usage(fmt::format("--spare {} is not in (0, 1)", o.spare));
  if (Status s = UnitPicker::CheckKind(o.workload); !s.ok()) return Usage(s);
  auto block_bytes = ParseBlock(o.block);
  if (!block_bytes.ok()) return Usage(block_bytes.status());
  if (o.uri.rfind("zbd:", 0) == 0 && !o.force)
    return Fail(Status::InvalidArgument(
        o.uri + ": zgc run erases the device; add --force to run it on real hardware"));
  auto opened = OpenDevice(o.uri);
  if (!opened.ok()) return Fail(opened.status());
  ZonedDevice& dev = **opened;
  const DeviceInfo& info = dev.info();
  // Everything that can be refused is refused before the device is erased.
  if (!info.stores_data)
    return Fail(Status::NotSupported(
        o.uri + ": the device keeps no data (metadata only), and zgc run verifies every block"));
  if (*block_bytes % info.logical_block_size)
    return Fail(Status::InvalidArgument(fmt::format(
        "--block {} is not a multiple of the {}-byte logical block", o.block,
        info.logical_block_size)));
  auto zones = dev.ReportAllZones();
  if (!zones.ok()) return Fail(zones.status());
  // The background scheduler keeps a zone or two free ahead of the writer, not
  // more: every zone it holds free is spare space that cannot gather garbage,
  // which costs write amplification on a device of few zones.
  GcOptions gc_options;
  gc_options.low_watermark = gc_options.reserve_zones + 1;
  gc_options.high_watermark = gc_options.reserve_zones + 2;
  if (Status s = GcEngine::Check(dev, gc_options); !s.ok()) return Fail(s);
  auto max_live = GcEngine::MaxLiveBytes(dev, gc_options);
  if (!max_live.ok()) return Fail(max_live.status());

  uint64_t seq_zones = 0;
  for (const Zone& z : *zones)
    seq_zones +=
        z.sequential() && z.cond != ZoneCondition::kOffline && z.cond != ZoneCondition::kReadOnly;
  const uint64_t unit = UnitBytes(*block_bytes, info.logical_block_size, *zones);
  // The spare factor is taken over the zones user data may use (the GC reserve is not spare).
  const uint64_t usable =
      seq_zones > gc_options.reserve_zones ? (seq_zones - gc_options.reserve_zones) : 0;
  const uint64_t units =
      static_cast<uint64_t>(double(usable * info.zone_capacity) * (1.0 - o.spare)) / unit;
  if (units * unit > *max_live)
    return Fail(Status::InvalidArgument(fmt::format(
        "{}: a volume of {} with --spare {} leaves GC no zone to work in: {} sequential zones "
        "hold at most {} of live data beside the GC reserve of {} zones; raise --spare to {:.2f} "
        "or use a larger device",
        o.uri, Bytes(units * unit), o.spare, seq_zones, Bytes(*max_live),
        gc_options.reserve_zones,
        std::ceil(100.0 * (1.0 - double(*max_live) / double(usable * info.zone_capacity))) /
            100.0)));
  auto picker = UnitPicker::Create(o.workload, units, o.seed);
  if (!picker.ok()) return Fail(picker.status().WithContext(o.uri));
  if (Status s = dev.ResetAll(); !s.ok()) return Fail(s);

  RunWorkload volume(dev, units, unit);
  auto engine = GcEngine::Create(dev, volume, gc_options);
  if (!engine.ok()) return Fail(engine.status());
  GcEngine& gc = **engine;
  volume.Attach(&gc);
  const uint64_t total_units = static_cast<uint64_t>(o.passes * double(units));
  const uint64_t total = total_units * unit;
  if (!o.quiet)
    fmt::print(
        "zgc run: {} ({}, {} sequential zones of {} MiB, capacity {:.1f} MiB)\n"
        "         volume {:.1f} MiB (spare {:.0f} %), {} KiB units, '{}' workload\n"
        "         writing {:.1f} MiB = {:.1f} x the volume; GC in the background\n",
        o.uri, info.backend, seq_zones, info.zone_size >> 20, info.zone_capacity / 1048576.0,
        double(units * unit) / 1048576.0, o.spare * 100, unit >> 10, o.workload, total / 1048576.0,
        o.passes);
  if (Status s = gc.Start(); !s.ok()) return Fail(s);
  Progress progress;
  Status failed;
  for (uint64_t i = 0; i < total_units && failed.ok(); ++i) {
    // The first pass fills the volume in order; the rest follow the workload.
    failed = volume.Write(i < units ? i : picker->Next());
    if (!o.quiet) progress.Show((i + 1) * unit, total, gc.Stats(), false);
  }
  Status stopped = gc.Stop();
  if (!failed.ok()) return Fail(failed);
  if (!stopped.ok()) return Fail(stopped.WithContext("background GC"));
  const GcStats s = gc.Stats();
  if (!o.quiet) progress.Show(total, total, s, true);
  if (!o.quiet && progress.tty) fmt::print("\n");
  if (Status st = dev.Sync(); !st.ok()) return Fail(st);
  auto verified = volume.Verify();
  if (!verified.ok()) return Fail(verified.status());

  auto final_zones = dev.ReportAllZones();
  if (!final_zones.ok()) return Fail(final_zones.status());
  std::map<std::string, int> by_cond;
  for (const Zone& z : *final_zones) ++by_cond[std::string(ZoneConditionName(z.cond))];
  std::string conds;
  for (const auto& [name, n] : by_cond) conds += fmt::format(" {}:{}", name, n);
  const double secs = progress.Elapsed();
  const double mib = 1048576.0;
  fmt::print("\n== zgc run report ==\n");
  fmt::print("user bytes written        {:>12.1f} MiB ({:.2f} x the volume)\n", s.user_bytes / mib,
             double(s.user_bytes) / double(units * unit));
  fmt::print("device bytes written      {:>12.1f} MiB\n", (s.user_bytes + s.relocated_bytes) / mib);
  fmt::print("write amplification       {:>12.3f}\n", s.write_amplification());
  fmt::print("relocated by offload      {:>12.1f} MiB\n", s.offloaded_bytes / mib);
  fmt::print("relocated by fallback     {:>12.1f} MiB\n", s.fallback_bytes / mib);
  fmt::print("zones reset               {:>12}  ({} collections, {} in the background)\n",
             s.zones_reset, s.collections, s.background_collections);
  fmt::print("GC time                   {:>12.2f} s\n", s.gc_seconds);
  fmt::print("live data verified        {:>12.1f} MiB, every block\n", *verified / mib);
  fmt::print("zone conditions          {}\n", conds);
  fmt::print("elapsed                   {:>12.2f} s ({:.1f} MiB/s of user writes)\n", secs,
             s.user_bytes / mib / std::max(secs, 1e-3));
  return 0;
}

}  // namespace

void AddRunCommand(CLI::App& app, Runner& run) {
  static RunOptions o;
  auto* cmd = app.add_subcommand(
      "run", "Fill and overwrite a volume on the device while GC reclaims zones, then verify");
  cmd->add_option("uri", o.uri, "Device URI")->capture_default_str();
  cmd->add_option("--passes", o.passes, "Volume sizes to write (the first pass fills it)")
      ->capture_default_str();
  cmd->add_option("--spare", o.spare, "Share of the usable capacity kept free for GC")
      ->capture_default_str();
  cmd->add_option("--block", o.block, "Write unit (rounded down to divide the zone capacity)")
      ->capture_default_str();
  cmd->add_option("--workload", o.workload, "uniform, hot (80/20) or zipf")->capture_default_str();
  cmd->add_option("--seed", o.seed)->capture_default_str();
  cmd->add_flag("--quiet", o.quiet, "No progress display");
  cmd->add_flag("--force", o.force, "Allow running on a real (zbd:) device, erasing it");
  cmd->callback([&run] { run = [] { return Run(o); }; });
}

}  // namespace zgc::cli
