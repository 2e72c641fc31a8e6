// Copy planning: the one place that cuts batches into commands.
#include <algorithm>
#include <functional>
#include <limits>

#include "src/base/hex.h"
#include "zgc/copy.h"

namespace zgc {

namespace {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

// Where a planning address lives: device, device offset, bytes to the end of
// the contiguous run it belongs to.
struct Location {
  uint32_t device = 0;
  uint64_t offset = 0;
  uint64_t run = kUnbounded;
};
using Locator = std::function<Result<Location>(uint64_t)>;
using LimitsFor = std::function<CopyLimits(uint32_t device)>;

Status CheckLimits(const CopyLimits& l, uint32_t block_size) {
  if (l.max_ranges == 0 || l.max_range_bytes < block_size || l.max_total_bytes < block_size ||
      l.max_range_bytes % block_size || l.max_total_bytes % block_size)
    return Status::InvalidArgument(
        "copy limits must allow at least one block per range and command");
  return Status::OK();
}

Result<std::vector<Extent>> MergedSources(std::span<const Extent> sources, uint32_t block_size) {
  std::vector<Extent> sorted(sources.begin(), sources.end());
  for (const Extent& e : sorted) {
    if (e.length == 0 || e.offset % block_size || e.length % block_size)
      return Status::InvalidArgument("copy source " + Hex(e.offset) + "+" + Hex(e.length) +
                                     " is empty or not aligned to " + std::to_string(block_size) +
                                     " bytes");
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].offset < sorted[i - 1].end())
      return Status::InvalidArgument("copy sources " + Hex(sorted[i - 1].offset) + " and " +
                                     Hex(sorted[i].offset) + " overlap");
  }
  // Adjacent sources merge, in the caller's order (which fixes the destination layout).
  std::vector<Extent> merged;
  for (const Extent& e : sources) {
    if (!merged.empty() && merged.back().end() == e.offset) {
      merged.back().length += e.length;
    } else {
      merged.push_back(e);
    }
  }
  return merged;
}

Result<CopyPlan> Plan(std::span<const Extent> sources, std::span<const Destination> destinations,
                      uint32_t block_size, const Locator& locate, const LimitsFor& limits_for) {
  ZGC_ASSIGN_OR_RETURN(std::vector<Extent> merged, MergedSources(sources, block_size));
  uint64_t total = 0, room = 0;
  for (const Extent& e : merged) total += e.length;
  for (const Destination& d : destinations) {
    if (d.wp % block_size || d.end % block_size || d.wp > d.end)
      return Status::InvalidArgument("copy destination " + Hex(d.wp) + ".." + Hex(d.end) +
                                     " is not aligned");
    room += d.end - d.wp;
  }
  if (total > room)
    return Status::NoSpace("copy of " + std::to_string(total) + " bytes does not fit the " +
                           std::to_string(room) + " bytes of its destinations");
  CopyPlan plan;
  plan.bytes = total;
  CopyCommand cmd;
  CopyLimits lim;
  uint32_t ranges = 0;
  uint64_t cmd_bytes = 0;
  auto flush = [&] {
    if (cmd_bytes) plan.commands.push_back(std::move(cmd));
    cmd = CopyCommand();
    cmd_bytes = 0;
    ranges = 0;
  };
  size_t di = 0;
  uint64_t dwp = destinations.empty() ? 0 : destinations[0].wp;
  for (const Extent& src : merged) {
    uint64_t off = src.offset, rem = src.length;
    while (rem) {
      while (dwp == destinations[di].end) {
        flush();
        dwp = destinations[++di].wp;
      }
      ZGC_ASSIGN_OR_RETURN(Location s, locate(off));
      ZGC_ASSIGN_OR_RETURN(Location d, locate(dwp));
      const bool host = s.device != d.device;
      const CopyLimits dev_limits = limits_for(d.device);
      const CopyLimits want = host || !dev_limits.supported() ? HostCopyLimits() : dev_limits;
      ZGC_RETURN_IF_ERROR(CheckLimits(want, block_size));
      const bool fits = cmd_bytes && cmd.device == d.device && cmd.source_device == s.device &&
                        cmd.host_copy == host && cmd.destination + cmd_bytes == d.offset &&
                        cmd_bytes < lim.max_total_bytes;
      if (!fits) {
        flush();
        cmd.device = d.device;
        cmd.source_device = s.device;
        cmd.host_copy = host;
        cmd.destination = d.offset;
        lim = want;
      }
      const uint64_t to_boundary =
          lim.range_boundary ? lim.range_boundary - s.offset % lim.range_boundary : kUnbounded;
      const uint64_t n =
          std::min({rem, s.run, d.run, destinations[di].end - dwp, lim.max_range_bytes,
                    lim.max_total_bytes - cmd_bytes, to_boundary});
      if (ranges == lim.max_ranges) {
        flush();
        continue;  // the next pass starts a fresh command here
      }
      cmd.sources.push_back({s.offset, n});
      ++ranges;
      cmd_bytes += n;
      if (!plan.placements.empty() &&
          plan.placements.back().source + plan.placements.back().length == off &&
          plan.placements.back().destination + plan.placements.back().length == dwp) {
        plan.placements.back().length += n;
      } else {
        plan.placements.push_back({off, dwp, n});
      }
      off += n;
      rem -= n;
      dwp += n;
    }
  }
  flush();
  return plan;
}

}  // namespace

uint64_t CopyCommand::length() const {
  uint64_t n = 0;
  for (const Extent& e : sources) n += e.length;
  return n;
}

CopyLimits HostCopyLimits() { return CopyLimits{1 << 20, 1 << 20, 256}; }

Result<CopyPlan> PlanCopy(std::span<const Extent> sources,
                          std::span<const Destination> destinations, const CopyLimits& limits,
                          uint32_t block_size) {
  if (limits.supported()) ZGC_RETURN_IF_ERROR(CheckLimits(limits, block_size));
  return Plan(
      sources, destinations, block_size,
      [](uint64_t a) -> Result<Location> {
        return Location{0, a};
      },
      [&](uint32_t) { return limits; });
}

Result<CopyPlan> PlanVolumeCopy(std::span<const Extent> sources,
                                std::span<const Destination> destinations, const VolumeMap& map) {
  std::vector<uint64_t> starts;  // volume offset of each segment
  uint64_t size = 0;
  for (const VolumeSegment& s : map.segments) {
    if (s.length == 0 || s.length % map.block_size || s.device_offset % map.block_size)
      return Status::InvalidArgument("volume segment is empty or not aligned");
    if (s.device >= map.limits.size())
      return Status::InvalidArgument("volume segment names device " + std::to_string(s.device) +
                                     " that has no limits entry");
    starts.push_back(size);
    size += s.length;
  }
  auto locate = [&](uint64_t a) -> Result<Location> {
    if (a >= size)
      return Status::OutOfRange("volume offset " + Hex(a) + " is past the volume end " + Hex(size));
    const size_t i = std::upper_bound(starts.begin(), starts.end(), a) - starts.begin() - 1;
    const VolumeSegment& s = map.segments[i];
    return Location{s.device, s.device_offset + (a - starts[i]), s.length - (a - starts[i])};
  };
  for (const Extent& e : sources)
    if (e.end() > size)
      return Status::OutOfRange("copy source " + Hex(e.offset) + " ends past the volume end");
  for (const Destination& d : destinations)
    if (d.end > size) return Status::OutOfRange("copy destination ends past the volume end");
  return Plan(sources, destinations, map.block_size, locate,
              [&](uint32_t device) { return map.limits[device]; });
}

}  // namespace zgc
