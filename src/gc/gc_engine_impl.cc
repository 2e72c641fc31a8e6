// GcEngineImpl: accounting, placement classes, zone states.
#include "src/gc/gc_engine_impl.h"

#include <algorithm>
#include <limits>

#include "src/base/hex.h"

namespace zgc {

Result<Allocation> GcEngineImpl::Allocate(uint64_t length, const WriteHint& hint) {
  if (length == 0 || length % blk_)
    return Status::InvalidArgument("allocation of " + std::to_string(length) +
                                   " bytes is not whole blocks");
  if (InOwnerCallback()) return Reentered("Allocate");
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(RepairLocked());
  // The owner's own knowledge (hint or death time) is used whatever the gauge says.
  const bool told = hint.dies_at != 0 || hint.lifetime != Lifetime::kUnknown;
  told_ = told_ || told;
  const int allowed = Budget(told).first;
  const double lived = LivedOf(hint);
  int cls = UserClass(hint, allowed, lived);
  cls = Route(open_user_, opt_.user_classes, allowed, cls);
  // Never hand out an empty extent, whatever the zone table says: an open
  // zone with no whole block left is sealed and another one taken.
  while (open_user_[cls] >= 0 && zones_[open_user_[cls]].alloc >= zones_[open_user_[cls]].cap) {
    Seal(static_cast<uint32_t>(open_user_[cls]));
    open_user_[cls] = -1;
  }
  if (open_user_[cls] < 0) {
    // Taking a zone must leave the reserve intact: reclaim first when it would not.
    uint64_t futile = 0;
    while (lists_.free_count() <= opt_.reserve_zones && open_user_[cls] < 0) {
      const uint32_t before = lists_.free_count();
      Status s = Collect(lock);
      if (s.ok()) {
        // Collections that gain no zone (each GC class opening zones of its
        // own) squeeze GC data into whatever GC zone is open.
        futile = lists_.free_count() > before ? 0 : futile + 1;
        if (futile > 2 * uint64_t(opt_.gc_classes) + 2) squeeze_ = true;
        if (futile <= 4 * zones_.size()) continue;
        s = Status::NoSpace(dev_.info().uri + ": garbage collection makes no progress");
      }
      // The background collection this one waited for may have freed a zone.
      if (lists_.free_count() > opt_.reserve_zones) continue;
      // Under that much pressure the free space sits in other classes' open
      // zones: placement gives way before the device runs out.
      const int other = AnyOpen(open_user_, opt_.user_classes);
      if (s.code() != Code::kNoSpace || other < 0) return s;
      cls = other;
    }
    if (open_user_[cls] < 0) open_user_[cls] = static_cast<int32_t>(Open(false, cls));
    squeeze_ = false;
  }
  const uint32_t z = static_cast<uint32_t>(open_user_[cls]);
  ZoneMeta& m = zones_[z];
  if (m.alloc >= m.cap)  // an AnyOpen fallback is never full (full zones are sealed)
    return Status::Internal(dev_.info().uri + ": open user zone " + std::to_string(z) +
                            " has no block left to allocate");
  const uint64_t n = std::min<uint64_t>(length / blk_, m.cap - m.alloc);
  const Allocation a{Start(z) + uint64_t(m.alloc) * blk_, n * blk_};
  if (m.probe)
    probe_.Wrote(z, m.alloc, static_cast<uint32_t>(n), lived, clock_, MeanLifetime(), blk_);
  m.alloc += static_cast<uint32_t>(n);
  Nudge();
  if (m.alloc == m.cap) {
    Seal(z);
    open_user_[cls] = -1;
  }
  return a;
}

uint64_t GcEngineImpl::UserRoom() const {
  uint64_t blocks = 0;
  for (int c = 0; c < opt_.user_classes; ++c)
    if (open_user_[c] >= 0) blocks += zones_[open_user_[c]].cap - zones_[open_user_[c]].alloc;
  const uint32_t spare = lists_.free_count() > opt_.reserve_zones
                             ? lists_.free_count() - opt_.reserve_zones
                             : 0;
  blocks += uint64_t(spare) * min_cap_;
  return blocks * blk_;
}

Status GcEngineImpl::Reserve(uint64_t bytes) {
  if (bytes % blk_)
    return Status::InvalidArgument("reservation of " + std::to_string(bytes) +
                                   " bytes is not whole blocks");
  if (InOwnerCallback()) return Reentered("Reserve");
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(RepairLocked());
  if (bytes > CapacityBlocks(zones_) * blk_)
    return Status::NoSpace(dev_.info().uri + ": " + std::to_string(bytes) +
                           " bytes are more than the device holds");
  uint64_t futile = 0;
  while (UserRoom() < bytes) {
    const uint64_t before = UserRoom();
    Status s = Collect(lock);
    if (!s.ok()) {
      if (s.code() != Code::kNoSpace) return s;
      if (UserRoom() >= bytes) break;  // a background collection this one waited for
      return Status::NoSpace(dev_.info().uri + ": no room for " + std::to_string(bytes) +
                             " bytes: " + std::to_string(UserRoom()) +
                             " can be made free (nothing was written)");
    }
    futile = UserRoom() > before ? 0 : futile + 1;
    if (futile > 2 * uint64_t(opt_.gc_classes) + 2) squeeze_ = true;
    if (futile > 4 * zones_.size())
      return Status::NoSpace(dev_.info().uri +
                             ": garbage collection makes no progress (nothing was written)");
  }
  return Status::OK();
}

Status GcEngineImpl::FinishIfRagged(uint32_t z) {
  ZoneMeta& m = zones_[z];
  if (!m.ragged || m.written != m.cap) return Status::OK();
  IoPhaseScope phase(IoPhase::kRepair, /*only_if_unnamed=*/true);
  return dev_.FinishZone(Start(z));
}

Status GcEngineImpl::Repair() {
  if (InOwnerCallback()) return Reentered("Repair");
  std::lock_guard lock(mu_);
  return RepairLocked();
}

Status GcEngineImpl::RepairLocked() {
  if (to_finish_.empty() && to_reset_.empty()) return Status::OK();
  IoPhaseScope phase(IoPhase::kRepair);
  while (!to_finish_.empty()) {
    const uint32_t z = to_finish_.back();
    if (Status s = dev_.FinishZone(Start(z)); !s.ok())
      return s.WithContext("finishing zone " + std::to_string(z) + " after recovery");
    to_finish_.pop_back();
  }
  while (!to_reset_.empty()) {
    const uint32_t z = to_reset_.back();
    if (Status s = dev_.ResetZone(Start(z)); !s.ok())
      return s.WithContext("resetting zone " + std::to_string(z) + " (no live data) after recovery");
    to_reset_.pop_back();
    ZoneMeta& m = zones_[z];
    m.state = ZoneMeta::State::kFree;
    m.alloc = m.written = 0;
    lists_.PushFree(z);
  }
  return Status::OK();
}

Status GcEngineImpl::OnWrite(Extent e) {
  std::lock_guard lock(mu_);
  const uint32_t z = static_cast<uint32_t>(e.offset / zone_size_);
  if (e.length == 0 || e.offset % blk_ || e.length % blk_ || z >= zones_.size())
    return Status::InvalidArgument("OnWrite: " + Hex(e.offset) + "+" + Hex(e.length) +
                                   " is not whole blocks");
  ZoneMeta& m = zones_[z];
  const bool mine =
      !m.gc && (m.state == ZoneMeta::State::kOpen || m.state == ZoneMeta::State::kFull);
  const uint32_t first = static_cast<uint32_t>((e.offset - Start(z)) / blk_);
  const uint32_t n = static_cast<uint32_t>(e.length / blk_);
  if (!mine || m.degraded || uint64_t(first) + n > m.alloc || !m.extents.Append(first, n))
    return Status::InvalidArgument("OnWrite: " + Hex(e.offset) + "+" + Hex(e.length) +
                                   " was not allocated, or was reported already");
  m.written += n;
  stats_.user_bytes += e.length;
  clock_ += e.length;
  Changed();
  gauge_.Added(false, n);
  gauge_.Wrote(n);
  Reindex(z);
  return FinishIfRagged(z);
}

Status GcEngineImpl::OnInvalidate(Extent e) {
  std::lock_guard lock(mu_);
  if (e.offset % blk_ || e.length % blk_ || e.end() > zone_size_ * zones_.size())
    return Status::InvalidArgument("OnInvalidate: " + Hex(e.offset) + "+" + Hex(e.length) +
                                   " is not whole blocks");
  InvalidateLocked(e);
  Changed();
  return Status::OK();
}

void GcEngineImpl::AdoptZones(const std::vector<std::pair<uint32_t, std::pair<bool, int>>>& open) {
  std::lock_guard lock(mu_);
  for (const auto& [z, slot] : open) {
    ZoneMeta& m = zones_[z];
    m.state = ZoneMeta::State::kOpen;
    m.gc = slot.first;
    m.cls = static_cast<uint8_t>(slot.second);
    m.clock = clock_;
    (slot.first ? open_gc_ : open_user_)[slot.second] = static_cast<int32_t>(z);
  }
  for (uint32_t z = 0; z < zones_.size(); ++z) {
    ZoneMeta& m = zones_[z];
    if (m.state != ZoneMeta::State::kFull && m.state != ZoneMeta::State::kOpen) continue;
    gauge_.Added(m.gc, m.extents.live_blocks());
    if (m.degraded) {
      evacuate_.push_back(z);
      continue;
    }
    // Windowed greedy's window: the adopted full zones, oldest (unknown: by
    // zone) first, so that it has victims after a restart.
    if (opt_.policy == VictimPolicy::kWindowedGreedy && m.state == ZoneMeta::State::kFull &&
        m.written == m.cap)
      sealed_.push_back({z, m.clock});
    Reindex(z);
  }
}

uint32_t GcEngineImpl::FreeZones() const {
  std::lock_guard lock(mu_);
  return lists_.free_count();
}

GcStats GcEngineImpl::Stats() const {
  std::lock_guard lock(mu_);
  GcStats s = stats_;
  s.free_zones = lists_.free_count();
  s.degraded_zones = static_cast<uint32_t>(evacuate_.size());
  s.zone_table_bytes = zones_.capacity() * sizeof(ZoneMeta) + sealed_.size() * sizeof(Sealed) +
                       lists_.memory_bytes();
  for (const ZoneMeta& m : zones_) s.extent_index_bytes += m.extents.memory_bytes();
  return s;
}

uint64_t GcEngineImpl::LiveBytes(uint32_t zone) const {
  std::lock_guard lock(mu_);
  return zone < zones_.size() ? Live(zones_[zone]) : 0;
}

double GcEngineImpl::VictimLifespan() const {
  return lifespans_n_ ? lifespan_sum_ / double(std::min<uint32_t>(lifespans_n_, 16)) : 0;
}

void GcEngineImpl::RecordVictimLifespan(const ZoneMeta& v) {
  if (v.gc || v.cls != 0) return;
  const double opened = double(v.clock) - double(v.span) * double(blk_);
  const double life = std::max(0.0, double(clock_) - opened);
  double& slot = lifespans_[lifespans_n_ % 16];
  if (lifespans_n_ >= 16) lifespan_sum_ -= slot;
  slot = life;
  lifespan_sum_ += life;
  ++lifespans_n_;
}

double GcEngineImpl::MeanLifetime() const {
  const uint64_t live = gauge_.live_blocks();
  return double(live ? live : capacity_blocks_) * double(blk_);
}

// At construction a managed zone is free or (on Resume) full or dirty; a
// degraded one holds data but takes no more.
static bool Managed(const ZoneMeta& m) {
  return !m.degraded && (m.state == ZoneMeta::State::kFree || m.state == ZoneMeta::State::kFull ||
                         m.state == ZoneMeta::State::kDirty);
}

size_t GcEngineImpl::UsableZones(const std::vector<ZoneMeta>& zones) {
  return std::count_if(zones.begin(), zones.end(), Managed);
}

uint64_t GcEngineImpl::CapacityBlocks(const std::vector<ZoneMeta>& zones) {
  uint64_t n = 0;
  for (const ZoneMeta& m : zones) n += Managed(m) ? m.cap : 0;
  return n;
}

uint32_t GcEngineImpl::MinCap(const std::vector<ZoneMeta>& zones) {
  uint32_t n = ~0u;
  for (const ZoneMeta& m : zones)
    if (Managed(m)) n = std::min(n, m.cap);
  return n == ~0u ? 0 : n;
}

uint64_t GcEngineImpl::MaxCap(const std::vector<ZoneMeta>& zones) {
  uint64_t n = 0;
  for (const ZoneMeta& m : zones) n = std::max<uint64_t>(n, Managed(m) ? m.cap : 0);
  return n;
}

std::pair<int, int> GcEngineImpl::Budget(bool told) const {
  // SepBIT's rules need no gauge: where the probe finds (or, before it has
  // seen enough, assumes) a continuum, they are on from the first overwrite.
  if (!told && !gauge_.separate() && opt_.placement != PlacementPolicy::kSepBit && !SepBitSplit())
    return {1, 1};
  // Planned for the full device when the owner told its logical size: a class
  // opened while the device is emptier would be dropped as it fills.
  const double live = std::max(double(gauge_.live_blocks()), double(opt_.logical_bytes / blk_));
  const double spare = (double(capacity_blocks_) - live) / zone_cap_blocks_ - opt_.reserve_zones;
  int extra = spare > 0 ? static_cast<int>(spare / kSparePerClass) : 0;
  int user = 1, gc = 1;
  // A user class past the second costs two: it pays only with room to spare
  // (gc_sim: at Sf 0.1 three user classes cost hot/cold 5 % WA, at Sf 0.2
  // they gain on every skewed workload).
  while (extra > 0 && (user < opt_.user_classes || gc < opt_.gc_classes)) {
    const int before = extra;
    if (gc < opt_.gc_classes) ++gc, --extra;
    const int cost = user >= 2 ? 2 : 1;
    if (extra >= cost && user < opt_.user_classes) user++, extra -= cost;
    if (extra == before) break;
  }
  // Under a continuum, a third user class (between l and the mean lifetime)
  // pays only where lifetimes that long still predict the next one.
  if (ProbedContinuum() && !probe_.middle_sorts()) user = std::min(user, 2);
  return {user, gc};
}

int GcEngineImpl::Route(const int32_t* open, int classes, int allowed, int c) {
  c = std::min(c, allowed - 1);
  // Classes beyond the budget fold into the last allowed one: it finishes
  // their open zones before its own (the allowed class always has a zone
  // open, since relocation opens its next one within the batch that fills
  // the last; waiting for it to have none would leave a dropped class's zone
  // open for good, holding spare). A younger class never folds (short-lived
  // data in a long-lived class's zone, when the budget shrinks by one).
  if (c != allowed - 1) return c;
  for (int o = allowed; o < classes; ++o)
    if (open[o] >= 0) return o;
  return c;
}

int GcEngineImpl::AnyOpen(const int32_t* open, int classes) {
  for (int c = 0; c < classes; ++c)
    if (open[c] >= 0) return c;
  return -1;
}

double GcEngineImpl::LivedOf(const WriteHint& hint) const {
  if (!hint.replaces) return -1;
  const uint32_t z = static_cast<uint32_t>(hint.replaces->offset / zone_size_);
  if (z >= zones_.size() || zones_[z].state == ZoneMeta::State::kUnusable) return -1;
  return std::max(0.0, double(clock_) - BirthOf(z, hint.replaces->offset));
}

bool GcEngineImpl::SepBitSplit() const {
  return opt_.placement == PlacementPolicy::kSepBit ||
         (ProbedContinuum() && Budget(true).first == 2);
}

int GcEngineImpl::UserClass(const WriteHint& hint, int allowed, double lived) const {
  const int k = opt_.user_classes;
  if (k == 1) return 0;
  if (hint.dies_at)
    return ClassForRemainingLife(hint.dies_at > clock_ ? double(hint.dies_at - clock_) : 0,
                                 MeanLifetime(), k);
  if (hint.lifetime != Lifetime::kUnknown) return ClassForHint(hint.lifetime, k);
  if (lived < 0) return k - 1;  // never written before, or its zone is gone: long-lived
  if (opt_.placement == PlacementPolicy::kSepBit)
    return ClassForRemainingLife(lived, SepBitUnit(), k);
  // Split for the classes the budget allows now. With two, under a
  // continuum of lifetimes SepBIT's split at l (LifetimeProbe: at Sf 0.1 it
  // is 0.4-2 % better on Zipf); otherwise at the mean lifetime (a split at l
  // there sends the hot data of a hot/cold workload to the cold class).
  if (std::min(k, allowed) == 2 && SepBitSplit()) return lived < SepBitUnit() ? 0 : 1;
  return ClassForLifetime(lived, VictimLifespan(), MeanLifetime(), std::min(k, allowed));
}

double GcEngineImpl::BirthOf(uint32_t z, uint64_t offset) const {
  const ZoneMeta& m = zones_[z];
  const bool open = m.state == ZoneMeta::State::kOpen;
  if (m.gc) return open ? double(m.clock) : double(m.clock) - double(m.span) * double(blk_);
  const double until = open ? double(clock_) : double(m.clock);
  const double opened = open ? double(m.clock) : until - double(m.span) * double(blk_);
  const double frac = double(offset - Start(z)) / (double(m.cap) * double(blk_));
  return opened + frac * (until - opened);
}

uint32_t GcEngineImpl::Open(bool gc, int cls) {
  const uint32_t z = lists_.PopFree();
  ZoneMeta& m = zones_[z];
  if (!gc && opt_.placement == PlacementPolicy::kLifetime && probe_.WantsZone()) {
    probe_.StartZone(z, m.cap);
    m.probe = true;
  }
  m.state = ZoneMeta::State::kOpen;
  m.gc = gc;
  m.cls = static_cast<uint8_t>(cls);
  m.alloc = m.written = 0;
  m.clock = clock_;
  return z;
}

void GcEngineImpl::Seal(uint32_t z) {
  ZoneMeta& m = zones_[z];
  m.state = ZoneMeta::State::kFull;
  // User zones: how long they were open; GC zones: how old their data was.
  m.span = static_cast<uint32_t>(std::min<uint64_t>((clock_ - std::min(m.clock, clock_)) / blk_,
                                                    std::numeric_limits<uint32_t>::max()));
  m.clock = clock_;
  if (opt_.policy == VictimPolicy::kWindowedGreedy) {
    sealed_.push_back({z, clock_});
    // Stale entries (zones reset or refilled since) are dropped on the way;
    // this bounds the queue to twice the zone count.
    if (sealed_.size() > 2 * zones_.size())
      std::erase_if(sealed_, [&](const Sealed& s) { return !IsCurrent(s); });
  }
  Reindex(z);
}

bool GcEngineImpl::IsCurrent(const Sealed& s) const {
  const ZoneMeta& m = zones_[s.zone];
  return m.clock == s.clock &&
         (m.state == ZoneMeta::State::kFull || m.state == ZoneMeta::State::kCollecting);
}

void GcEngineImpl::Reindex(uint32_t z) {
  ZoneMeta& m = zones_[z];
  if (m.degraded) {
    // Never a victim of the policy: its data is moved out (evacuate_), and
    // once none is left it is out of use for good.
    if (m.extents.live_blocks() == 0 && m.state == ZoneMeta::State::kFull) {
      m.state = ZoneMeta::State::kUnusable;
      std::erase(evacuate_, z);
    }
    return;
  }
  if (m.state == ZoneMeta::State::kFull && m.written == m.cap) {
    lists_.Index(z, m.extents.live_blocks(), m.cap, m.clock);
  } else if (lists_.Indexed(z)) {
    lists_.Remove(z);
  }
}

}  // namespace zgc
