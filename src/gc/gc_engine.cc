// The GC engine: accounting, victim choice, placement and the relocation protocol.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "src/gc/victim_index.h"
#include "src/gc/zone_extents.h"
#include "src/zones/zone_rules.h"
#include "zgc/gc.h"

namespace zgc {

namespace {

constexpr int kUserClasses = 2;  // 0: short-lived, 1: long-lived (or unknown)
constexpr int kGcClasses = 2;    // 0: first relocation, 1: survived a relocation before

struct ZoneMeta {
  enum class State : uint8_t { kUnusable, kFree, kOpen, kFull, kCollecting };
  State state = State::kUnusable;
  bool gc = false;  // holds relocated data
  uint64_t start = 0, cap = 0;
  uint64_t alloc = 0;    // next byte to hand out (absolute)
  uint64_t written = 0;  // bytes that landed (reported or relocated), live or not
  uint64_t open_clock = 0, seal_clock = 0;
  ZoneExtents extents;
};

class GcEngineImpl final : public GcEngine {
 public:
  GcEngineImpl(ZonedDevice& device, GcOwner& owner, GcOptions options,
               std::unique_ptr<Copier> copier, std::vector<ZoneMeta> zones)
      : dev_(device),
        owner_(owner),
        opt_(options),
        copier_(std::move(copier)),
        lbs_(device.info().logical_block_size),
        zone_size_(device.info().zone_size),
        zones_(std::move(zones)),
        index_(static_cast<uint32_t>(zones_.size())) {
    for (uint32_t z = static_cast<uint32_t>(zones_.size()); z-- > 0;)
      if (zones_[z].state == ZoneMeta::State::kFree) free_.push_back(z);
    std::fill(std::begin(open_user_), std::end(open_user_), -1);
    std::fill(std::begin(open_gc_), std::end(open_gc_), -1);
  }

  Result<Allocation> Allocate(uint64_t length, Lifetime hint,
                              std::optional<Extent> replaces) override {
    if (length == 0 || length % lbs_)
      return Status::InvalidArgument("allocation of " + std::to_string(length) +
                                     " bytes is not whole blocks");
    std::unique_lock lock(mu_);
    int cls = UserClass(hint, replaces);
    if (open_user_[cls] < 0) {
      // Taking a zone must leave the reserve intact: reclaim first when it would not.
      while (free_.size() <= opt_.reserve_zones && open_user_[cls] < 0) {
        Status s = Collect(lock);
        if (s.ok()) continue;
        // Under that much pressure the free space sits in other classes' open
        // zones: placement gives way before the device runs out.
        const int other = 1 - cls;
        if (s.code() != Code::kNoSpace || open_user_[other] < 0) return s;
        cls = other;
      }
      if (open_user_[cls] < 0) open_user_[cls] = static_cast<int32_t>(Open(false));
    }
    const uint32_t z = static_cast<uint32_t>(open_user_[cls]);
    ZoneMeta& m = zones_[z];
    const uint64_t n = std::min(length, m.start + m.cap - m.alloc);
    const Allocation a{m.alloc, n};
    m.alloc += n;
    Nudge();
    if (m.alloc == m.start + m.cap) {
      Seal(z);
      open_user_[cls] = -1;
    }
    return a;
  }

  Status OnWrite(Extent e) override {
    std::lock_guard lock(mu_);
    const uint32_t z = static_cast<uint32_t>(e.offset / zone_size_);
    if (e.length == 0 || e.offset % lbs_ || e.length % lbs_ || z >= zones_.size())
      return Status::InvalidArgument("OnWrite: " + Hex(e.offset) + "+" + Hex(e.length) +
                                     " is not whole blocks");
    ZoneMeta& m = zones_[z];
    const bool mine =
        !m.gc && (m.state == ZoneMeta::State::kOpen || m.state == ZoneMeta::State::kFull);
    if (!mine || e.end() > m.alloc ||
        !m.extents.Append(static_cast<uint32_t>((e.offset - m.start) / lbs_),
                          static_cast<uint32_t>(e.length / lbs_)))
      return Status::InvalidArgument("OnWrite: " + Hex(e.offset) + "+" + Hex(e.length) +
                                     " was not allocated, or was reported already");
    m.written += e.length;
    stats_.user_bytes += e.length;
    clock_ += e.length;
    Reindex(z);
    return Status::OK();
  }

  Status OnInvalidate(Extent e) override {
    std::lock_guard lock(mu_);
    if (e.offset % lbs_ || e.length % lbs_ || e.end() > zone_size_ * zones_.size())
      return Status::InvalidArgument("OnInvalidate: " + Hex(e.offset) + "+" + Hex(e.length) +
                                     " is not whole blocks");
    InvalidateLocked(e);
    return Status::OK();
  }

  ~GcEngineImpl() override { (void)Stop(); }

  Status CollectOnce() override {
    std::unique_lock lock(mu_);
    return Collect(lock);
  }

  Status Start() override {
    std::lock_guard lock(mu_);
    if (bg_.joinable()) return Status::Busy("the GC scheduler is already running");
    stop_ = paused_ = false;
    bg_error_ = Status::OK();
    bg_ = std::thread([this] { Background(); });
    return Status::OK();
  }

  void Pause() override {
    std::lock_guard lock(mu_);
    paused_ = true;
  }

  void Resume() override {
    std::lock_guard lock(mu_);
    paused_ = false;
    wake_.notify_all();
  }

  Status Stop() override {
    {
      std::lock_guard lock(mu_);
      if (!bg_.joinable()) return Status::OK();
      stop_ = true;
      wake_.notify_all();
    }
    bg_.join();
    std::lock_guard lock(mu_);
    return bg_error_;
  }

  uint32_t FreeZones() const override {
    std::lock_guard lock(mu_);
    return static_cast<uint32_t>(free_.size());
  }

  GcStats Stats() const override {
    std::lock_guard lock(mu_);
    GcStats s = stats_;
    s.free_zones = static_cast<uint32_t>(free_.size());
    return s;
  }

  uint64_t LiveBytes(uint32_t zone) const override {
    std::lock_guard lock(mu_);
    return zone < zones_.size() ? uint64_t(zones_[zone].extents.live_blocks()) * lbs_ : 0;
  }

 private:
  // The scheduler: between the watermarks, one collection at a time, paced.
  void Background() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || (!paused_ && free_.size() < opt_.low_watermark); });
      if (stop_) return;
      while (!stop_ && !paused_ && free_.size() < opt_.high_watermark) {
        const uint64_t before = stats_.relocated_bytes;
        Status s = Collect(lock);
        if (!s.ok()) {
          if (s.code() != Code::kNoSpace && bg_error_.ok()) bg_error_ = s;
          // Nothing to reclaim now: wait for the owner to free something.
          wake_.wait_for(lock, std::chrono::milliseconds(10), [&] { return stop_; });
          break;
        }
        ++stats_.background_collections;
        if (opt_.rate_limit) {
          const auto pause = std::chrono::duration<double>(double(stats_.relocated_bytes - before) / double(opt_.rate_limit));
          wake_.wait_for(lock, pause, [&] { return stop_; });
        }
      }
    }
  }

  // Below the low watermark, writes wake the scheduler.
  void Nudge() {
    if (bg_.joinable() && free_.size() < opt_.low_watermark) wake_.notify_all();
  }

  uint64_t Live(const ZoneMeta& m) const { return uint64_t(m.extents.live_blocks()) * lbs_; }

  // SepBIT's idea: data that dies young is written apart from the rest. A hint
  // decides; otherwise the lifetime of the data the write replaces does.
  int UserClass(Lifetime hint, const std::optional<Extent>& replaces) const {
    if (!opt_.separate_lifetimes) return 0;
    if (hint != Lifetime::kUnknown) return hint <= Lifetime::kMedium ? 0 : 1;
    if (!replaces || lifespan_ <= 0) return 1;
    const uint32_t z = static_cast<uint32_t>(replaces->offset / zone_size_);
    if (z >= zones_.size() || zones_[z].gc) return 1;  // it survived a collection: long-lived
    const ZoneMeta& m = zones_[z];
    const uint64_t until = m.state == ZoneMeta::State::kOpen ? clock_ : m.seal_clock;
    const double frac = double(replaces->offset - m.start) / double(m.cap);
    const double written_at = m.open_clock + frac * double(until - m.open_clock);
    return double(clock_) - written_at < lifespan_ ? 0 : 1;
  }

  uint32_t Open(bool gc) {
    const uint32_t z = free_.back();
    free_.pop_back();
    ZoneMeta& m = zones_[z];
    m.state = ZoneMeta::State::kOpen;
    m.gc = gc;
    m.alloc = m.start;
    m.written = 0;
    m.open_clock = clock_;
    return z;
  }

  void Seal(uint32_t z) {
    zones_[z].state = ZoneMeta::State::kFull;
    zones_[z].seal_clock = clock_;
    sealed_.push_back({z, clock_});
    Reindex(z);
  }

  // Full zones whose every allocation has landed are victim candidates.
  void Reindex(uint32_t z) {
    ZoneMeta& m = zones_[z];
    if (m.state == ZoneMeta::State::kFull && m.written == m.cap) {
      index_.Update(z, Live(m), m.cap);
    } else {
      index_.Remove(z);
    }
  }

  uint64_t GcRoom() const {
    uint64_t room = 0;
    for (int32_t z : open_gc_)
      if (z >= 0) room += zones_[z].start + zones_[z].cap - zones_[z].alloc;
    return room;
  }

  // consolidate: accept an entirely live victim if the open GC zones can take
  // all of it, which turns their scattered tails into one free zone.
  Result<uint32_t> PickVictim(bool consolidate = false) {
    uint32_t best = VictimIndex::kNone;
    double best_score = -1;
    auto consider = [&](uint32_t z, double score) {
      if (score > best_score) best = z, best_score = score;
    };
    if (opt_.policy == VictimPolicy::kWindowedGreedy) {
      // The oldest `window` full zones; stale entries (reset or resealed) drop out.
      uint32_t seen = 0;
      for (auto it = sealed_.begin(); it != sealed_.end() && seen < opt_.window;) {
        const ZoneMeta& m = zones_[it->first];
        if (!index_.Contains(it->first) || m.seal_clock != it->second) {
          if (m.state != ZoneMeta::State::kFull || m.seal_clock != it->second) {
            it = sealed_.erase(it);
            continue;
          }
          ++it;
          continue;
        }
        consider(it->first, 1.0 - double(Live(m)) / double(m.cap));
        ++seen;
        ++it;
      }
    } else {
      uint32_t seen = 0;
      index_.Visit([&](uint32_t z) {
        const ZoneMeta& m = zones_[z];
        const double u = double(Live(m)) / double(m.cap);
        if (opt_.policy == VictimPolicy::kGreedy) {
          consider(z, 1.0 - u);
        } else {
          const double age = double(clock_ - m.seal_clock) + 1.0;
          consider(z, (1.0 - u) * age / (1.0 + u));
        }
        return ++seen < opt_.candidates;
      });
    }
    if (best == VictimIndex::kNone)
      return Status::NoSpace(dev_.info().uri +
                             ": no zone can be reclaimed (every full zone is entirely live)");
    if (Live(zones_[best]) == zones_[best].cap && !(consolidate && Live(zones_[best]) <= GcRoom()))
      return Status::NoSpace(dev_.info().uri +
                             ": no zone can be reclaimed (every full zone is entirely live)");
    return best;
  }

  // When every full zone is entirely live, the free space sits in open zones
  // (each placement class keeps one), dead or not yet allocated: finish the open
  // zone with the most of it, all of whose allocations have landed, so that a
  // collection can turn it into a free zone.
  Status SealOpenZoneWithMostGarbage() {
    int32_t* best = nullptr;
    uint64_t best_dead = 0;
    // Only user zones: a GC zone's tail is consumed by relocations, and sealing it
    // would just move its data into the next GC zone.
    for (int32_t* slot : {&open_user_[0], &open_user_[1]}) {
      if (*slot < 0) continue;
      const ZoneMeta& m = zones_[*slot];
      if (m.written != m.alloc - m.start) continue;  // an owner's write is still on its way
      const uint64_t dead = m.cap - Live(m);
      if (dead > best_dead) best = slot, best_dead = dead;
    }
    if (!best)
      return Status::NoSpace(dev_.info().uri +
                             ": no zone can be reclaimed (every zone is entirely live)");
    const uint32_t z = static_cast<uint32_t>(*best);
    ZGC_RETURN_IF_ERROR(dev_.FinishZone(zones_[z].start));
    ZoneMeta& m = zones_[z];
    m.alloc = m.start + m.cap;
    m.written = m.cap;  // the unwritten tail is dead space now
    *best = -1;
    Seal(z);
    return Status::OK();
  }

  Status Collect(std::unique_lock<std::mutex>& lock) {
    cv_.wait(lock, [&] { return !collecting_; });
    auto victim = PickVictim();
    if (!victim.ok() && victim.status().code() == Code::kNoSpace) {
      if (SealOpenZoneWithMostGarbage().ok()) {
        victim = PickVictim();
      } else {
        victim = PickVictim(/*consolidate=*/true);
      }
    }
    if (!victim.ok()) return victim.status();
    const uint32_t v = *victim;
    collecting_ = true;
    const auto t0 = std::chrono::steady_clock::now();
    Status s = Relocate(lock, v);
    stats_.gc_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    collecting_ = false;
    cv_.notify_all();
    return s;
  }

  // The relocation protocol for victim v (lock held on entry and exit).
  Status Relocate(std::unique_lock<std::mutex>& lock, uint32_t v) {
    ZoneMeta& vm = zones_[v];
    index_.Remove(v);
    vm.state = ZoneMeta::State::kCollecting;
    dying_.clear();
    std::vector<Extent> sources;
    vm.extents.ForEach([&](uint32_t s, uint32_t n) {
      sources.push_back({vm.start + uint64_t(s) * lbs_, uint64_t(n) * lbs_});
    });
    const int cls = opt_.separate_lifetimes && vm.gc ? 1 : 0;
    // Destinations: the GC zone of the class, then zones from the free pool (the reserve is for
    // this).
    std::vector<Destination> dests;
    std::vector<uint32_t> dest_zones;
    const bool pressed = free_.size() <= opt_.reserve_zones;
    for (uint64_t need = Live(vm); need;) {
      // Under pressure the other GC class's open zone is used before a free zone.
      const int other = 1 - cls;
      if (open_gc_[cls] < 0 && pressed && open_gc_[other] >= 0) {
        const ZoneMeta& om = zones_[open_gc_[other]];
        if (om.alloc < om.start + om.cap) std::swap(open_gc_[cls], open_gc_[other]);
      }
      if (open_gc_[cls] < 0) {
        if (free_.empty()) {
          vm.state = ZoneMeta::State::kFull;
          Reindex(v);
          return Status::NoSpace(dev_.info().uri + ": no free zone left to relocate into");
        }
        open_gc_[cls] = static_cast<int32_t>(Open(true));
      }
      const uint32_t d = static_cast<uint32_t>(open_gc_[cls]);
      ZoneMeta& dm = zones_[d];
      const uint64_t take = std::min(need, dm.start + dm.cap - dm.alloc);
      dests.push_back({dm.alloc, dm.alloc + take});
      dest_zones.push_back(d);
      dm.alloc += take;
      need -= take;
      if (dm.alloc == dm.start + dm.cap) {
        Seal(d);
        open_gc_[cls] = -1;
      }
    }
    const CopyStats before = copier_->stats();
    lock.unlock();
    auto plan = sources.empty() ? Result<CopyPlan>(CopyPlan{}) : copier_->Copy(sources, dests);
    lock.lock();
    const CopyStats after = copier_->stats();
    stats_.offloaded_bytes += after.offloaded_bytes() - before.offloaded_bytes();
    stats_.fallback_bytes += after.fallback_bytes() - before.fallback_bytes();
    if (!plan.ok()) {
      // What landed is garbage; the victim is untouched and stays mapped.
      for (uint32_t d : dest_zones) Resync(d);
      vm.state = ZoneMeta::State::kFull;
      Reindex(v);
      return plan.status();
    }
    // The copies count as live before the owner is asked, so that an owner that
    // remaps and then overwrites (OnInvalidate at the new place) is accounted.
    std::vector<Move> moves;
    for (const Placement& p : plan->placements) {
      moves.push_back({{p.source, p.length}, p.destination});
      AddRelocated(p.destination, p.length);
    }
    stats_.relocated_bytes += plan->bytes;
    lock.unlock();
    auto accepted =
        moves.empty() ? Result<std::vector<bool>>(std::vector<bool>{}) : owner_.Relocate(moves);
    lock.lock();
    if (!accepted.ok() || accepted->size() != moves.size()) {
      for (const Move& m : moves) InvalidateLocked({m.to, m.from.length});
      vm.state = ZoneMeta::State::kFull;
      Reindex(v);
      return accepted.ok() ? Status::InvalidArgument("owner answered for the wrong number of moves")
                           : accepted.status().WithContext("owner could not relocate");
    }
    for (size_t i = 0; i < moves.size(); ++i) {
      if ((*accepted)[i]) continue;
      stats_.rejected_bytes += moves[i].from.length;
      InvalidateLocked({moves[i].to, moves[i].from.length});
    }
    // What the owner invalidated in the victim during the copy is dead at its copy.
    for (const Extent& d : dying_) {
      for (const Placement& p : plan->placements) {
        const uint64_t lo = std::max(d.offset, p.source), hi = std::min(d.end(), p.source + p.length);
        if (lo < hi) InvalidateLocked({p.destination + (lo - p.source), hi - lo});
      }
    }
    dying_.clear();
    // Only now may the victim go.
    ZGC_RETURN_IF_ERROR(dev_.ResetZone(vm.start));
    if (!vm.gc)
      lifespan_ = lifespan_ ? 0.9 * lifespan_ + 0.1 * double(clock_ - vm.open_clock)
                            : double(clock_ - vm.open_clock);
    vm.extents.Clear();
    vm.state = ZoneMeta::State::kFree;
    vm.alloc = vm.start;
    vm.written = 0;
    free_.push_back(v);
    ++stats_.zones_reset;
    ++stats_.collections;
    return Status::OK();
  }

  void AddRelocated(uint64_t offset, uint64_t length) {
    for (uint64_t off = offset; off < offset + length;) {
      const uint32_t z = static_cast<uint32_t>(off / zone_size_);
      ZoneMeta& m = zones_[z];
      const uint64_t n = std::min(offset + length, m.start + m.cap) - off;
      m.extents.Append(static_cast<uint32_t>((off - m.start) / lbs_),
                       static_cast<uint32_t>(n / lbs_));
      m.written += n;
      Reindex(z);
      off += n;
    }
  }

  void InvalidateLocked(Extent e) {
    for (uint64_t off = e.offset; off < e.end();) {
      const uint32_t z = static_cast<uint32_t>(off / zone_size_);
      const uint64_t n = std::min(e.end(), zones_[z].start + zone_size_) - off;
      const uint32_t died = zones_[z].extents.Invalidate(
          static_cast<uint32_t>((off - zones_[z].start) / lbs_), static_cast<uint32_t>(n / lbs_));
      // Data dying in a victim being copied dies at its copy too (applied once
      // the copy's placements are known).
      if (died && zones_[z].state == ZoneMeta::State::kCollecting) dying_.push_back({off, n});
      Reindex(z);
      off += n;
    }
  }

  // After a failed copy: the zone's allocation point follows the device.
  void Resync(uint32_t d) {
    ZoneMeta& dm = zones_[d];
    auto z = dev_.ReportZone(dm.start);
    const uint64_t wp = !z.ok()                           ? dm.start + dm.cap
                        : z->cond == ZoneCondition::kFull ? dm.start + dm.cap
                                                          : z->wp;
    dm.written = wp - dm.start;  // landed bytes are garbage but occupy the zone
    dm.alloc = wp;
    if (dm.alloc == dm.start + dm.cap && dm.state == ZoneMeta::State::kOpen) {
      for (int& c : open_gc_)
        if (c == static_cast<int>(d)) c = -1;
      Seal(d);
    }
    Reindex(d);
  }

  ZonedDevice& dev_;
  GcOwner& owner_;
  const GcOptions opt_;
  std::unique_ptr<Copier> copier_;
  const uint64_t lbs_, zone_size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool collecting_ = false;
  std::condition_variable wake_;  // the scheduler's
  std::thread bg_;
  bool stop_ = false, paused_ = false;
  Status bg_error_;
  std::vector<Extent> dying_;  // invalidated in the victim during its collection
  std::vector<ZoneMeta> zones_;
  VictimIndex index_;
  std::deque<std::pair<uint32_t, uint64_t>> sealed_;  // (zone, seal clock), oldest first
  std::vector<uint32_t> free_;
  int32_t open_user_[kUserClasses];
  int32_t open_gc_[kGcClasses];
  uint64_t clock_ = 0;   // user bytes written so far: the engine's time
  double lifespan_ = 0;  // recent user zones' time from open to reclaim
  GcStats stats_;
};

}  // namespace

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

Result<std::unique_ptr<GcEngine>> GcEngine::Create(ZonedDevice& device, GcOwner& owner,
                                                   GcOptions options) {
  if (options.candidates == 0 || options.window == 0)
    return Status::InvalidArgument("GC options: candidates and window must be at least 1");
  if (options.high_watermark < options.low_watermark || options.low_watermark <= options.reserve_zones)
    return Status::InvalidArgument("GC options: need reserve_zones < low_watermark <= high_watermark");
  if (options.policy == VictimPolicy::kDefault) options.separate_lifetimes = true;
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, device.ReportAllZones());
  std::vector<ZoneMeta> meta(zones.size());
  uint32_t usable = 0;
  for (size_t i = 0; i < zones.size(); ++i) {
    const Zone& z = zones[i];
    meta[i].start = z.start;
    meta[i].cap = z.capacity;
    if (!z.sequential() || z.cond == ZoneCondition::kOffline || z.cond == ZoneCondition::kReadOnly)
      continue;
    if (z.cond != ZoneCondition::kEmpty)
      return Status::InvalidArgument(device.info().uri + ": zone " + std::to_string(i) +
                                     " is not empty; the GC engine starts on an empty device");
    meta[i].state = ZoneMeta::State::kFree;
    ++usable;
  }
  if (usable == 0)
    return Status::NotSupported(device.info().uri + ": no sequential zones to manage");
  if (usable < options.reserve_zones + 4)
    return Status::NoSpace(device.info().uri + ": " + std::to_string(usable) +
                           " zones are too few for a GC reserve of " +
                           std::to_string(options.reserve_zones));
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<Copier> copier, Copier::Create(device, options.copy));
  return std::unique_ptr<GcEngine>(
      new GcEngineImpl(device, owner, options, std::move(copier), std::move(meta)));
}

}  // namespace zgc
