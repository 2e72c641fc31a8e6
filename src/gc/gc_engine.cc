// GcEngine's factory and checks; the engine itself is GcEngineImpl.
#include <algorithm>

#include "src/gc/gc_engine_impl.h"

namespace zgc {

std::string_view VictimPolicyName(VictimPolicy policy) {
  switch (policy) {
    case VictimPolicy::kGreedy:
      return "greedy";
    case VictimPolicy::kCostBenefit:
      return "cost-benefit";
    case VictimPolicy::kWindowedGreedy:
      return "windowed";
    case VictimPolicy::kDefault:
      return "default";
  }
  return "?";
}

namespace {

// The options as the engine will use them, and its zone table, for Create and
// Check. require_empty: sequential zones must be empty (Create).
Result<std::vector<ZoneMeta>> Survey(ZonedDevice& device, GcOptions& options, bool require_empty) {
  if (options.window == 0) return Status::InvalidArgument("GC options: window must be at least 1");
  if (options.user_classes < 1 || options.gc_classes < 1 || options.user_classes > kMaxClasses ||
      options.gc_classes > kMaxClasses)
    return Status::InvalidArgument("GC options: placement classes must be 1 to " +
                                   std::to_string(kMaxClasses));
  if (options.high_watermark < options.low_watermark ||
      options.low_watermark <= options.reserve_zones)
    return Status::InvalidArgument(
        "GC options: need reserve_zones < low_watermark <= high_watermark");
  const DeviceInfo& info = device.info();
  if (info.logical_block_size == 0 || info.zone_size / info.logical_block_size >= (1ull << 32))
    return Status::NotSupported(info.uri + ": zones of 2^32 blocks or more");
  // Each class keeps a zone open: fit them in the device's limits, GC classes first to give way.
  const uint32_t limit = std::min(info.max_active_zones ? info.max_active_zones : ~0u,
                                  info.max_open_zones ? info.max_open_zones : ~0u);
  // One zone for user data and one to relocate into is the least GC can work with.
  if (limit < 2)
    return Status::InvalidArgument(info.uri + ": the device allows " + std::to_string(limit) +
                                   " open/active zone; the GC engine needs 2 (one for user "
                                   "data, one to relocate into)");
  while (uint32_t(options.user_classes) + options.gc_classes > limit) {
    if (options.gc_classes > 1)
      --options.gc_classes;
    else if (options.user_classes > 1)
      --options.user_classes;
    else
      break;
  }
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, device.ReportAllZones());
  std::vector<ZoneMeta> meta(zones.size());
  uint32_t usable = 0;
  for (size_t i = 0; i < zones.size(); ++i) {
    const Zone& z = zones[i];
    meta[i].cap = static_cast<uint32_t>(z.capacity / info.logical_block_size);
    if (!z.sequential() || z.cond == ZoneCondition::kOffline || z.cond == ZoneCondition::kReadOnly)
      continue;
    if (require_empty && z.cond != ZoneCondition::kEmpty)
      return Status::InvalidArgument(info.uri + ": zone " + std::to_string(i) +
                                     " is not empty; the GC engine starts on an empty device");
    meta[i].state = ZoneMeta::State::kFree;
    ++usable;
  }
  if (usable == 0) return Status::NotSupported(info.uri + ": no sequential zones to manage");
  if (usable < options.reserve_zones + 4)
    return Status::NoSpace(info.uri + ": " + std::to_string(usable) +
                           " zones are too few for a GC reserve of " +
                           std::to_string(options.reserve_zones));
  return meta;
}

}  // namespace

Status GcEngine::Check(ZonedDevice& device, GcOptions options) {
  return Survey(device, options, /*require_empty=*/false).status();
}

Result<uint64_t> GcEngine::MaxLiveBytes(ZonedDevice& device, GcOptions options) {
  ZGC_ASSIGN_OR_RETURN(std::vector<ZoneMeta> meta, Survey(device, options, false));
  // The reserve plus one zone of working room, counted as the largest zones
  // (capacities may differ), so that the bound holds whichever zones are free.
  std::vector<uint64_t> caps;
  for (const ZoneMeta& m : meta)
    if (m.state == ZoneMeta::State::kFree) caps.push_back(m.cap);
  std::sort(caps.begin(), caps.end());
  const size_t keep = caps.size() - std::min<size_t>(caps.size(), options.reserve_zones + 1);
  uint64_t blocks = 0;
  for (size_t i = 0; i < keep; ++i) blocks += caps[i];
  return blocks * device.info().logical_block_size;
}

Result<std::unique_ptr<GcEngine>> GcEngine::Create(ZonedDevice& device, GcOwner& owner,
                                                   GcOptions options) {
  ZGC_ASSIGN_OR_RETURN(std::vector<ZoneMeta> meta, Survey(device, options, true));
  std::vector<std::unique_ptr<Copier>> copiers;
  for (int c = 0; c < options.gc_classes; ++c) {
    ZGC_ASSIGN_OR_RETURN(std::unique_ptr<Copier> copier, Copier::Create(device, options.copy));
    copiers.push_back(std::move(copier));
  }
  return std::unique_ptr<GcEngine>(
      new GcEngineImpl(device, owner, options, std::move(copiers), std::move(meta)));
}

}  // namespace zgc
