// `zgc copy URI --src OFF:LEN[,OFF:LEN...] --dst-zone N [--path ...] [--verify]`
#include <fmt/core.h>

#include <algorithm>
#include <cstring>

#include "tools/zgc/commands.h"
#include "zgc/copy.h"

namespace zgc::cli {

namespace {

struct CopyArgs {
  std::string uri, src, path = "auto", dst_zone;
  bool verify = false;
};

Result<std::vector<Extent>> ParseSources(const std::string& text) {
  std::vector<Extent> out;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    const size_t colon = item.find(':');
    if (colon == std::string::npos)
      return Status::InvalidArgument("--src item '" + item + "' is not OFFSET:LENGTH");
    ZGC_ASSIGN_OR_RETURN(uint64_t off, ParseSize(item.substr(0, colon)));
    ZGC_ASSIGN_OR_RETURN(uint64_t len, ParseSize(item.substr(colon + 1)));
    out.push_back({off, len});
    at = comma + 1;
  }
  return out;
}

int RunCopy(const CopyArgs& a) {
  auto sources = ParseSources(a.src);
  if (!sources.ok()) return Usage(sources.status());
  CopyOptions options;
  if (a.path != "auto") {
    auto p = ParseCopyPath(a.path);
    if (!p.ok()) return Usage(p.status());
    options.path = *p;
  }
  auto dst_zone = ParseIndex(a.dst_zone, "--dst-zone");
  if (!dst_zone.ok()) return Usage(dst_zone.status());
  auto dev = OpenDevice(a.uri);
  if (!dev.ok()) return Fail(dev.status());
  ZonedDevice& d = **dev;
  const DeviceInfo& info = d.info();
  if (*dst_zone >= info.nr_zones)
    return Fail(Status::OutOfRange(
        fmt::format("{}: no zone {} (the device has {})", a.uri, *dst_zone, info.nr_zones)));
  auto zone = d.ReportZone(*dst_zone * info.zone_size);
  if (!zone.ok()) return Fail(zone.status());
  if (!zone->sequential() || zone->remaining() == 0)
    return Fail(Status::ZoneState(
        fmt::format("{}: zone {} is {}: copies go to a sequential zone with room (reset it?)",
                    a.uri, *dst_zone, ZoneConditionName(zone->cond))));
  // Every check that needs no I/O comes before any I/O and any allocation
  // sized by the user's numbers.
  uint64_t total = 0;
  for (const Extent& e : *sources) {
    if (e.length == 0 || e.offset % info.logical_block_size || e.length % info.logical_block_size)
      return Fail(Status::InvalidArgument(
          fmt::format("--src {:#x}:{:#x} is not aligned to the {}-byte logical block (or is empty)",
                      e.offset, e.length, info.logical_block_size)));
    if (e.offset >= info.capacity_bytes() || e.length > info.capacity_bytes() - e.offset)
      return Fail(Status::OutOfRange(fmt::format("--src {:#x}:{:#x} ends past the device end {:#x}",
                                                 e.offset, e.length, info.capacity_bytes())));
    if (e.offset < zone->start + zone->capacity && e.end() > zone->wp)
      return Fail(Status::InvalidArgument(
          fmt::format("--src {:#x}:{:#x} overlaps the unwritten part of destination zone {}",
                      e.offset, e.length, *dst_zone)));
    total += e.length;
  }
  if (total > zone->remaining())
    return Fail(Status::NoSpace(fmt::format("{}: {} bytes do not fit the {} bytes left in zone {}",
                                            a.uri, total, zone->remaining(), *dst_zone)));
  auto copier = Copier::Create(d, options);
  if (!copier.ok()) return Fail(copier.status());
  const Destination dest{zone->wp, zone->start + zone->capacity};
  auto plan = (*copier)->Copy(*sources, std::span(&dest, 1));
  if (!plan.ok()) return Fail(plan.status());
  const CopyStats st = (*copier)->stats();
  fmt::print("copied {} bytes to zone {} at {:#x}..{:#x} in {} command(s)\n", plan->bytes,
             *dst_zone, dest.wp, dest.wp + plan->bytes, plan->commands.size());
  for (int p = 0; p < kCopyPaths; ++p) {
    const PathStats& ps = st.paths[p];
    if (ps.bytes || ps.failures)
      fmt::print("  {:<10} {:>10} bytes  {:>4} commands  {} failures\n", CopyPathName(CopyPath(p)),
                 ps.bytes, ps.commands, ps.failures);
  }
  fmt::print("  host bytes read {}, written {} (data and copy descriptors)\n", st.host_bytes_read,
             st.host_bytes_written);
  if (a.verify) {
    // Sources are never written by a copy (they lie below the destination's
    // write pointer, checked above), so they are compared after it, in
    // bounded pieces.
    constexpr uint64_t kChunk = 1 << 20;
    std::vector<std::byte> want(kChunk), got(kChunk);
    for (const Extent& e : *sources) {
      uint64_t done = 0;
      for (const Placement& p : plan->placements) {
        // Adjacent sources merge: a placement may cover parts of several sources.
        const uint64_t lo = std::max(p.source, e.offset),
                       hi = std::min(p.source + p.length, e.end());
        for (uint64_t at = lo; at < hi; at += kChunk) {
          const size_t n = std::min(kChunk, hi - at);
          const uint64_t dst = p.destination + (at - p.source);
          if (Status s = d.Read(at, std::span(want).first(n)); !s.ok()) return Fail(s);
          if (Status s = d.Read(dst, std::span(got).first(n)); !s.ok()) return Fail(s);
          if (std::memcmp(got.data(), want.data(), n) != 0)
            return Fail(Status::Corruption(
                fmt::format("verify: data copied from {:#x} to {:#x} differs", at, dst)));
        }
        done += hi > lo ? hi - lo : 0;
      }
      if (done != e.length) return Fail(Status::Corruption("verify: source not fully placed"));
    }
    fmt::print("verified: every copied byte matches its source\n");
  }
  return 0;
}

}  // namespace

void AddCopyCommand(CLI::App& app, Runner& run) {
  static CopyArgs a;
  auto* cmd = app.add_subcommand(
      "copy", "Copy source ranges to a zone's write pointer through the best path");
  cmd->add_option("uri", a.uri, "Device URI")->required();
  cmd->add_option("--src", a.src, "Sources: OFFSET:LENGTH[,OFFSET:LENGTH...] (sizes take K/M/G)")
      ->required();
  cmd->add_option("--dst-zone", a.dst_zone, "Destination zone index")->required();
  cmd->add_option("--path", a.path, "auto, blkcopy, nvme, nvme-uring, native or rw")
      ->capture_default_str();
  cmd->add_flag("--verify", a.verify, "Read back and compare with the sources");
  cmd->callback([&run] { run = [] { return RunCopy(a); }; });
}

}  // namespace zgc::cli
