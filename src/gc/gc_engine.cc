// GcEngine's factory and checks; the engine itself is GcEngineImpl.
#include <algorithm>

#include "src/base/breakage.h"
#include "src/base/hex.h"
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
Result<std::vector<ZoneMeta>> Survey(ZonedDevice& device, GcOptions& options, bool require_empty,
                                     std::vector<Zone>* report = nullptr) {
  const DeviceInfo& info = device.info();
  // Relocation needs a zone to write into: with no reserve, user writes may
  // take the last free zone, and a collection then has nowhere to put a
  // victim's live data (no_space after a partial write, then read-only). One
  // free zone always suffices: a victim holds less than a zone of live data,
  // and the GC classes share their open zones when no free one is left.
  if (options.reserve_zones < 1)
    return Status::InvalidArgument(info.uri +
                                   ": GC options: reserve_zones 0 leaves garbage collection no "
                                   "free zone to relocate into; it needs at least 1");
  // An unknown copy path is refused here; an absent one by Copier::Create (Check).
  if (options.copy.path && static_cast<int>(*options.copy.path) >= kCopyPaths)
    return Status::InvalidArgument(info.uri + ": GC options: copy path " +
                                   std::to_string(static_cast<int>(*options.copy.path)) +
                                   " is not one of blkcopy, nvme, nvme-uring, native, rw");
  if (options.window == 0) return Status::InvalidArgument("GC options: window must be at least 1");
  if (options.user_classes < 1 || options.gc_classes < 1 || options.user_classes > kMaxClasses ||
      options.gc_classes > kMaxClasses)
    return Status::InvalidArgument("GC options: placement classes must be 1 to " +
                                   std::to_string(kMaxClasses));
  if (options.high_watermark < options.low_watermark ||
      options.low_watermark <= options.reserve_zones)
    return Status::InvalidArgument(
        "GC options: need reserve_zones < low_watermark <= high_watermark");
  if (options.block_bytes == 0) options.block_bytes = info.logical_block_size;
  const uint64_t blk = options.block_bytes;
  if (blk == 0 || blk % info.logical_block_size)
    return Status::InvalidArgument("GC options: block_bytes " + std::to_string(blk) +
                                   " is not a multiple of the device's " +
                                   std::to_string(info.logical_block_size) + "-byte logical block");
  if (info.zone_size / blk >= (1ull << 32))
    return Status::NotSupported(info.uri + ": zones of 2^32 blocks or more");
  // Each class keeps a zone open: fit them in the device's limits, GC classes first to give way.
  uint32_t limit = std::min(info.max_active_zones ? info.max_active_zones : ~0u,
                            info.max_open_zones ? info.max_open_zones : ~0u);
  if (options.owner_active_zones >= limit)
    return Status::InvalidArgument(info.uri + ": the owner keeps " +
                                   std::to_string(options.owner_active_zones) +
                                   " of the device's " + std::to_string(limit) +
                                   " open/active zones and the GC engine needs 2");
  limit -= limit == ~0u ? 0 : options.owner_active_zones;
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
  const uint64_t last =
      options.zones ? uint64_t(options.first_zone) + options.zones : info.nr_zones;
  if (options.first_zone >= info.nr_zones || last > info.nr_zones)
    return Status::InvalidArgument(info.uri + ": GC zones " + std::to_string(options.first_zone) +
                                   ".." + std::to_string(last - 1) + " are past the device's " +
                                   std::to_string(info.nr_zones));
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, device.ReportAllZones());
  std::vector<ZoneMeta> meta(zones.size());
  uint32_t usable = 0;
  for (size_t i = 0; i < zones.size(); ++i) {
    const Zone& z = zones[i];
    meta[i].cap = static_cast<uint32_t>(z.capacity / blk);
    meta[i].ragged = z.capacity % blk != 0;
    if (i < options.first_zone || i >= last) continue;  // not the engine's
    if (!z.sequential() || z.cond == ZoneCondition::kOffline || meta[i].cap == 0) continue;
    if (z.cond == ZoneCondition::kReadOnly) {
      // Never written or reset; Resume adopts its live data to move it out.
      if (!require_empty) meta[i].degraded = true;
      continue;
    }
    if (require_empty && z.cond != ZoneCondition::kEmpty)
      return Status::InvalidArgument(info.uri + ": zone " + std::to_string(i) +
                                     " is not empty; the GC engine starts on an empty device");
    meta[i].state = ZoneMeta::State::kFree;
    ++usable;
  }
  if (report) *report = zones;
  if (usable == 0) return Status::NotSupported(info.uri + ": no sequential zones to manage");
  if (usable < options.reserve_zones + 4)
    return Status::NoSpace(info.uri + ": " + std::to_string(usable) +
                           " zones are too few for a GC reserve of " +
                           std::to_string(options.reserve_zones));
  // (Resume passes no report check: zones that degraded since the owner
  // sized itself leave less room than it maps, and the engine still serves.)
  const uint64_t capacity = GcEngineImpl::CapacityBlocks(meta) * blk;
  if (!report && options.logical_bytes > capacity)
    return Status::InvalidArgument(
        "GC options: logical_bytes " + std::to_string(options.logical_bytes) +
        " is more than the managed zones hold (" + std::to_string(capacity) + " bytes)");
  return meta;
}

}  // namespace

Status GcEngine::Check(ZonedDevice& device, GcOptions options) {
  ZGC_RETURN_IF_ERROR(Survey(device, options, /*require_empty=*/false).status());
  // A copy path the device lacks fails Create and Resume (so a volume's
  // Open): refused here too, with Create's own answer. Building a Copier
  // probes the device and writes nothing.
  return Copier::Create(device, options.copy).status();
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
  return blocks * options.block_bytes;
}

namespace {

Result<std::vector<std::unique_ptr<Copier>>> MakeCopiers(ZonedDevice& device,
                                                         const GcOptions& options) {
  std::vector<std::unique_ptr<Copier>> copiers;
  for (int c = 0; c < options.gc_classes; ++c) {
    ZGC_ASSIGN_OR_RETURN(std::unique_ptr<Copier> copier, Copier::Create(device, options.copy));
    copiers.push_back(std::move(copier));
  }
  return copiers;
}

}  // namespace

Result<std::unique_ptr<GcEngine>> GcEngine::Create(ZonedDevice& device, GcOwner& owner,
                                                   GcOptions options) {
  ZGC_ASSIGN_OR_RETURN(std::vector<ZoneMeta> meta, Survey(device, options, true));
  ZGC_ASSIGN_OR_RETURN(auto copiers, MakeCopiers(device, options));
  return std::unique_ptr<GcEngine>(
      new GcEngineImpl(device, owner, options, std::move(copiers), std::move(meta)));
}

Result<std::unique_ptr<GcEngine>> GcEngine::Resume(ZonedDevice& device, GcOwner& owner,
                                                   GcOptions options,
                                                   std::span<const Extent> live) {
  std::vector<Zone> zones;
  ZGC_ASSIGN_OR_RETURN(std::vector<ZoneMeta> meta, Survey(device, options, false, &zones));
  const DeviceInfo& info = device.info();
  const uint64_t blk = options.block_bytes, zs = info.zone_size;
  // Check every extent before anything is written (in device order; an
  // owner that rebuilt them from a bitmap gives them sorted already).
  auto by_offset = [](const Extent& a, const Extent& b) { return a.offset < b.offset; };
  std::vector<Extent> copy;
  std::span<const Extent> sorted = live;
  if (!std::is_sorted(live.begin(), live.end(), by_offset)) {
    copy.assign(live.begin(), live.end());
    std::sort(copy.begin(), copy.end(), by_offset);
    sorted = copy;
  }
  auto bad = [&](const Extent& e, const std::string& why) {
    return Status::InvalidArgument(info.uri + ": the owner's live extent " + Hex(e.offset) + "+" +
                                   Hex(e.length) + " " + why);
  };
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Extent& e = sorted[i];
    if (e.length == 0 || e.offset % blk || e.length % blk) return bad(e, "is not whole blocks");
    const uint64_t z = e.offset / zs;
    if (z >= zones.size() || (e.end() - 1) / zs != z) return bad(e, "is not inside one zone");
    if (zones[z].cond == ZoneCondition::kOffline && z >= options.first_zone)
      return bad(e, "lies in offline zone " + std::to_string(z) + " (its data is lost)");
    if (meta[z].state != ZoneMeta::State::kFree && !meta[z].degraded)
      return bad(e, "is not in a zone the engine manages");
    const Zone& zone = zones[z];
    const uint64_t written = zone.cond == ZoneCondition::kFull || meta[z].degraded
                                 ? zone.start + zone.capacity
                                 : zone.wp;
    if (e.end() > written) return bad(e, "lies past the zone's write pointer " + Hex(written));
    if (e.end() > zone.start + uint64_t(meta[z].cap) * blk)
      return bad(e, "lies past the zone's last whole block");
    if (i && sorted[i - 1].end() > e.offset) return bad(e, "overlaps another");
  }
  ZGC_ASSIGN_OR_RETURN(auto copiers, MakeCopiers(device, options));
  // Adopt: zones with live data are full victims; the rest become free.
  std::vector<uint8_t> has_live(zones.size(), 0);
  for (const Extent& e : sorted) {
    const uint32_t z = static_cast<uint32_t>(e.offset / zs);
    has_live[z] = 1;
    meta[z].extents.Append(static_cast<uint32_t>((e.offset - z * zs) / blk),
                           static_cast<uint32_t>(e.length / blk));
  }
  // Half-written zones with live data are continued at their write pointer,
  // one per placement class (user classes first: they take the most writes);
  // any more, and any whose write pointer is not on a block boundary or has
  // no whole block left, are finished, their unwritten tails dead. Nothing is
  // written here: Repair does the finishing and resetting.
  std::vector<std::pair<uint32_t, std::pair<bool, int>>> continued;  // zone, (gc, class)
  std::vector<uint32_t> finish, reset;
  int next_user = 0, next_gc = 0;
  for (uint32_t z = 0; z < zones.size(); ++z) {
    ZoneMeta& m = meta[z];
    if (m.degraded) {
      // Read-only: its live data is moved out; nothing else happens to it.
      if (has_live[z]) {
        m.state = ZoneMeta::State::kFull;
        m.alloc = m.written = m.cap;
      }
      continue;
    }
    if (m.state != ZoneMeta::State::kFree || zones[z].cond == ZoneCondition::kEmpty) continue;
    if (!has_live[z]) {
      m.state = ZoneMeta::State::kDirty;
      reset.push_back(z);
      continue;
    }
    if (zones[z].cond != ZoneCondition::kFull) {
      const uint64_t at = zones[z].wp - zones[z].start;
      const bool whole = at % blk == 0 && at / blk < m.cap;
      if (whole && (next_user < options.user_classes || next_gc < options.gc_classes)) {
        const bool gc = next_user >= options.user_classes;
        continued.push_back({z, {gc, gc ? next_gc++ : next_user++}});
        m.state = ZoneMeta::State::kFull;  // until AdoptZones opens it
        m.alloc = m.written = static_cast<uint32_t>(at / blk);
        continue;
      }
      finish.push_back(z);
    }
    m.state = ZoneMeta::State::kFull;
    m.alloc = m.written = m.cap;
  }
  auto* engine = new GcEngineImpl(device, owner, options, std::move(copiers), std::move(meta));
  engine->AdoptZones(continued);
  engine->SetRepairs(std::move(finish), std::move(reset));
  std::unique_ptr<GcEngine> e(engine);
  if (breakage::resume_writes_at_open.load(std::memory_order_relaxed))
    ZGC_RETURN_IF_ERROR(e->Repair());
  return e;
}

}  // namespace zgc
