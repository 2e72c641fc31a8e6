// `zgc run`: the main job. A logical volume smaller than the device (by the
// spare factor) is filled, then overwritten by a skewed or uniform workload
// while the GC engine's scheduler reclaims zones in the background. Progress
// while it runs; at the end every live block is read back and checked, and the
// report says what GC cost: write amplification, bytes relocated by offload and
// by read/write, zones reset.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>

#include "src/volume/volume_layout.h"
#include "tools/zgc/commands.h"
#include "tools/zgc/run_workload.h"
#include "zgc/gc.h"
#include "zgc/volume.h"

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
  int64_t crash = 0;
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

// Every 4 KiB block of a unit says which unit, which version and which of
// the unit's blocks it is: verification catches stale, torn or misplaced data.
void Stamp(std::vector<std::byte>& buf, uint64_t unit, uint64_t version) {
  for (uint64_t b = 0; b < buf.size(); b += Volume::kBlock) {
    const uint64_t words[3] = {unit, version, b / Volume::kBlock};
    std::memcpy(buf.data() + b, words, sizeof words);
  }
}

// The version every block of a unit holds: 0 for a unit never written (all
// zeroes), ~0 for a mix of versions, ~1 for another unit's data or a block
// out of place.
uint64_t UnitVersion(const std::vector<std::byte>& buf, uint64_t unit) {
  uint64_t version = ~2ull;
  for (uint64_t b = 0; b < buf.size(); b += Volume::kBlock) {
    uint64_t w[3];
    std::memcpy(w, buf.data() + b, sizeof w);
    uint64_t v = w[1];
    if (w[0] == 0 && w[1] == 0 && w[2] == 0) {
      v = 0;
    } else if (w[0] != unit || w[2] != b / Volume::kBlock) {
      return ~1ull;
    }
    if (b && v != version) return ~0ull;
    version = v;
  }
  return version;
}

// What a unit may read back as: its version at the last completed flush, or
// any version written since (after a power cut).
struct UnitState {
  uint64_t acked = 0;   // 0: never flushed
  uint64_t newest = 0;  // the last version written
  std::vector<uint64_t> since;
};

int Run(const RunOptions& o) {
  // Usage first: nothing is opened (or created) for a command line that is wrong.
  if (!std::isfinite(o.passes) || o.passes <= 0 || o.passes > 1e6)
    return Usage(fmt::format("--passes {} is not a number of volumes in (0, 1e6]", o.passes));
  if (!(o.spare > 0 && o.spare < 1))
    return Usage(fmt::format("--spare {} is not in (0, 1)", o.spare));
  if (Status s = UnitPicker::CheckKind(o.workload); !s.ok()) return Usage(s);
  auto block_bytes = ParseBlock(o.block);
  if (!block_bytes.ok()) return Usage(block_bytes.status());
  if (o.crash < 0 || o.crash > 100000)
    return Usage(fmt::format("--crash {} is not in [0, 100000]", o.crash));
  if (o.uri.rfind("zbd:", 0) == 0 && !o.force)
    return Fail(Status::InvalidArgument(
        o.uri + ": zgc run erases the device; add --force to run it on real hardware"));
  std::string uri = o.uri;
  if (o.crash) {
    // Power cuts need the emulated devices' volatile cache: the tool turns it on.
    if (uri.rfind("emu:", 0) != 0 && uri.rfind("mem:", 0) != 0)
      return Fail(Status::NotSupported(uri + ": --crash cuts power on emu: or mem: devices only"));
    if (uri.find("cache=") == std::string::npos)
      uri += (uri.find('?') == std::string::npos ? "?" : "&") + std::string("cache=volatile");
  }
  auto opened = OpenDevice(uri);
  if (!opened.ok()) return Fail(opened.status());
  ZonedDevice& dev = **opened;
  const DeviceInfo& info = dev.info();
  // Everything that can be refused is refused before the device is erased.
  if (!info.stores_data)
    return Fail(Status::NotSupported(
        uri + ": the device keeps no data (metadata only), and zgc run verifies every block"));
  if (*block_bytes % info.logical_block_size)
    return Usage(Status::InvalidArgument(
        fmt::format("--block {} is not a multiple of the {}-byte logical block", o.block,
                    info.logical_block_size)));
  auto zones = dev.ReportAllZones();
  if (!zones.ok()) return Fail(zones.status());
  // The background scheduler keeps a zone or two free ahead of the writer, not
  // more: every zone it holds free is spare space that cannot gather garbage,
  // which costs write amplification on a device of few zones.
  VolumeOptions vo;
  vo.spare = o.spare;
  vo.gc.low_watermark = vo.gc.reserve_zones + 1;
  vo.gc.high_watermark = vo.gc.reserve_zones + 2;
  // The volume's plan (what Format lays down, and every check it makes)
  // before anything is erased: options the device cannot take (too few zones
  // for the log and the reserve, a spare that leaves no room, too few
  // open/active zones) are the command line's mistake, a usage error; and so
  // is a volume too small for one write unit, which only the plan can tell.
  GcOptions planned_gc;
  auto plan = PlanVolume(dev, vo, &planned_gc);
  if (!plan.ok())
    return plan.status().code() == Code::kInvalidArgument ? Usage(plan.status())
                                                          : Fail(plan.status());
  const uint64_t unit = UnitBytes(*block_bytes, Volume::kBlock, *zones);
  const uint64_t volume_bytes = plan->logical_blocks * Volume::kBlock;
  if (volume_bytes < unit)
    return Usage(fmt::format(
        "{}: --spare {} leaves a volume of {}, less than one write unit of {} (--block {})", uri,
        o.spare, Bytes(volume_bytes), Bytes(unit), o.block));
  if (Status s = Volume::Format(dev, vo); !s.ok()) return Fail(s);
  auto vol = Volume::Open(dev, vo);
  if (!vol.ok()) return Fail(vol.status());
  const uint64_t units = (*vol)->size() / unit;
  auto picker = UnitPicker::Create(o.workload, units, o.seed);
  if (!picker.ok()) return Fail(picker.status().WithContext(uri));
  const uint64_t total_units =
      std::max<uint64_t>(1, static_cast<uint64_t>(o.passes * double(units)));
  const uint64_t total = total_units * unit;
  if (!o.quiet)
    fmt::print(
        "zgc run: {} ({}, {} zones of {}, capacity {})\n"
        "         volume {} (spare {:.0f} %), {} units, '{}' workload{}\n"
        "         writing {:.1f} MiB = {:.1f} x the volume; GC in the background\n",
        uri, info.backend, info.nr_zones, Bytes(info.zone_size), Bytes(info.zone_capacity),
        Bytes(units * unit), o.spare * 100, Bytes(unit), o.workload,
        o.crash ? fmt::format(", {} power cuts", o.crash) : "", total / 1048576.0, o.passes);
  std::vector<UnitState> state(units);
  std::vector<std::byte> buf(unit);
  std::mt19937_64 rng(o.seed ^ 0x5a4743);
  uint64_t cuts = 0, lost = 0, checked = 0, version = 0;
  GcStats sum;  // over the volume's openings (each power cut reopens it)
  auto add = [&](const GcStats& s) {
    sum.user_bytes += s.user_bytes;
    sum.relocated_bytes += s.relocated_bytes;
    sum.offloaded_bytes += s.offloaded_bytes;
    sum.fallback_bytes += s.fallback_bytes;
    sum.zones_reset += s.zones_reset;
    sum.collections += s.collections;
    sum.background_collections += s.background_collections;
    sum.gc_seconds += s.gc_seconds;
  };
  // After a cut: every unit reads back as its flushed version or one written since.
  auto verify_after_cut = [&](Volume& v) -> Status {
    for (uint64_t u = 0; u < units; ++u) {
      ZGC_RETURN_IF_ERROR(v.Read(u * unit, buf));
      const uint64_t got = UnitVersion(buf, u);
      UnitState& st = state[u];
      ++checked;
      const bool ok =
          got == st.acked || std::find(st.since.begin(), st.since.end(), got) != st.since.end();
      if (!ok) ++lost;
      // What it reads now is where it stands.
      st.acked = st.newest = got >= ~1ull ? 0 : got;
      st.since.clear();
    }
    return Status::OK();
  };
  Progress progress;
  const uint64_t per_segment = total_units / (uint64_t(o.crash) + 1) + 1;
  uint64_t i = 0;
  Status failed;
  while (i < total_units && failed.ok()) {
    const bool cut_here = cuts < uint64_t(o.crash);
    // Every other cut lands among the first calls after a recovery (its
    // deferred repair, the log's first append, the first collection).
    if (cut_here)
      (void)dev.ArmPowerCut(cuts % 2 ? 1 + rng() % 12 : 50 + rng() % 3000,
                            {rng() % 2 ? PowerCutMode::kTear : PowerCutMode::kDrop, rng()});
    const uint64_t end = std::min(total_units, i + per_segment);
    Status s;
    for (; i < end && s.ok(); ++i) {
      // The first pass fills the volume in order; the rest follow the workload.
      const uint64_t u = i < units ? i : picker->Next();
      Stamp(buf, u, ++version);
      state[u].since.push_back(version);
      state[u].newest = version;
      s = (*vol)->Write(u * unit, buf);
      if (s.ok() && o.crash && i % 64 == 63) {
        s = (*vol)->Flush();
        if (s.ok())
          for (UnitState& st : state)
            if (!st.since.empty()) st.acked = st.newest, st.since.clear();
      }
      if (!o.quiet) progress.Show((i + 1) * unit, total, (*vol)->gc().Stats(), false);
    }
    if (!cut_here) {
      failed = s;
      continue;
    }
    // Only the power going may stop a segment: any other error is a failure.
    if (!s.ok() && s.code() != Code::kPowerOff) {
      failed = s.WithContext(fmt::format("before cut {}", cuts + 1));
      continue;
    }
    // The power goes (now, if the armed cut has not come yet), and comes back.
    (void)dev.CutPower({PowerCutMode::kDrop, rng()});
    add((*vol)->gc().Stats());
    vol->reset();
    ++cuts;
    if (Status on = dev.PowerOn(); !on.ok()) return Fail(on);
    vol = Volume::Open(dev, vo);
    if (!vol.ok())
      return Fail(vol.status().WithContext(fmt::format("recovery after cut {}", cuts)));
    if (Status c = (*vol)->Check(); !c.ok()) return Fail(c.WithContext("fsck after a power cut"));
    if (Status v = verify_after_cut(**vol); !v.ok()) return Fail(v);
  }
  if (!failed.ok()) return Fail(failed);
  if (Status st = (*vol)->Close(); !st.ok()) return Fail(st);
  add((*vol)->gc().Stats());
  const VolumeStats vs = (*vol)->Stats();
  if (!o.quiet) progress.Show(total, total, sum, true);
  if (!o.quiet && progress.tty) fmt::print("\n");
  // Every unit is read back and checked.
  uint64_t verified = 0;
  for (uint64_t u = 0; u < units; ++u) {
    if (Status r = (*vol)->Read(u * unit, buf); !r.ok()) return Fail(r);
    const uint64_t got = UnitVersion(buf, u);
    const UnitState& st = state[u];
    const bool ok = got == st.newest ||
                    (o.crash && (got == st.acked || std::find(st.since.begin(), st.since.end(),
                                                              got) != st.since.end()));
    if (!ok)
      return Fail(Status::Corruption(
          fmt::format("{}: unit {} at {:#x} holds {}, expected version {}", uri, u, u * unit,
                      got == ~0ull   ? "a mix of versions"
                      : got == ~1ull ? "another unit's data"
                                     : fmt::format("version {}", got),
                      st.newest)));
    verified += unit;
  }
  if (Status c = (*vol)->Check(); !c.ok()) return Fail(c);

  auto final_zones = dev.ReportAllZones();
  if (!final_zones.ok()) return Fail(final_zones.status());
  std::map<std::string, int> by_cond;
  for (const Zone& z : *final_zones) ++by_cond[std::string(ZoneConditionName(z.cond))];
  std::string conds;
  for (const auto& [name, n] : by_cond) conds += fmt::format(" {}:{}", name, n);
  const double secs = progress.Elapsed();
  const double mib = 1048576.0;
  const GcStats& s = sum;
  fmt::print("\n== zgc run report ==\n");
  fmt::print("user bytes written        {:>12.1f} MiB ({:.2f} x the volume)\n", s.user_bytes / mib,
             double(s.user_bytes) / double(units * unit));
  fmt::print("device bytes written      {:>12.1f} MiB (+ {:.1f} MiB of metadata log)\n",
             (s.user_bytes + s.relocated_bytes) / mib, vs.log.device_bytes / mib);
  fmt::print("write amplification       {:>12.3f}\n", s.write_amplification());
  fmt::print("relocated by offload      {:>12.1f} MiB\n", s.offloaded_bytes / mib);
  fmt::print("relocated by fallback     {:>12.1f} MiB\n", s.fallback_bytes / mib);
  fmt::print("zones reset               {:>12}  ({} collections, {} in the background)\n",
             s.zones_reset, s.collections, s.background_collections);
  fmt::print("GC time                   {:>12.2f} s\n", s.gc_seconds);
  fmt::print("live data verified        {:>12.1f} MiB, every block\n", verified / mib);
  const double blocks = double(vs.logical_bytes / Volume::kBlock);
  fmt::print("block map memory          {:>12.2f} bytes per 4 KiB block (+ {:.2f} of zone "
             "summaries)\n",
             double(vs.map_memory_bytes) / blocks, double(vs.summary_memory_bytes) / blocks);
  fmt::print("zone conditions          {}\n", conds);
  if (o.crash)
    fmt::print("cuts: {}, acknowledged blocks lost: {} ({} units checked after the cuts)\n", cuts,
               lost, checked);
  fmt::print("elapsed                   {:>12.2f} s ({:.1f} MiB/s of user writes)\n", secs,
             s.user_bytes / mib / std::max(secs, 1e-3));
  return lost ? 1 : 0;
}

int Fsck(const std::string& uri, bool json) {
  auto dev = OpenDevice(uri);
  if (!dev.ok()) return Fail(dev.status());
  // Read-only: fsck never writes, whatever it finds (the device reads back
  // byte-identical), and background GC never starts.
  VolumeOptions ro;
  ro.read_only = true;
  ro.background_gc = false;
  auto vol = Volume::Open(**dev, ro);
  if (!vol.ok()) return Fail(vol.status());
  if (Status c = (*vol)->Check(); !c.ok()) return Fail(c);
  const VolumeStats s = (*vol)->Stats();
  if (json) {
    fmt::print(
        "{{\"ok\": true, \"logical_bytes\": {}, \"mapped_blocks\": {}, \"log_zones\": {}, "
        "\"checkpoint_seq\": {}, \"durable_seq\": {}}}\n",
        s.logical_bytes, s.mapped_blocks, s.log.zones, s.log.checkpoint_seq, s.log.durable_seq);
  } else {
    fmt::print(
        "{}: volume of {}, {} blocks mapped, log of {} zones (records up to {}): consistent (log, "
        "map, zones, GC accounting)\n",
        uri, Bytes(s.logical_bytes), s.mapped_blocks, s.log.zones, s.log.durable_seq);
  }
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
  cmd->add_option("--crash", o.crash,
                  "Cut power N times at random points (emu:/mem:), recover and verify each time")
      ->capture_default_str();
  cmd->callback([&run] { run = [] { return Run(o); }; });
  AddDeviceCommand(app, run, "fsck", "Check a zgc volume: its log, map, zones and GC accounting",
                   Fsck);
}

}  // namespace zgc::cli
