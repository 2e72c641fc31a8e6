// The GC engine: accounting, victim choice, placement and the relocation protocol.
#include <tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>

#include "src/gc/placement_class.h"
#include "src/gc/victim_scorer.h"
#include "src/gc/zone_extents.h"
#include "src/gc/zone_lists.h"
#include "src/zones/zone_rules.h"
#include "zgc/gc.h"

namespace zgc {

namespace {

constexpr int kMaxClasses = 8;

// 64 bytes per zone, everything included (the lists' links live here).
struct ZoneMeta {
  enum class State : uint8_t { kUnusable, kFree, kOpen, kFull, kCollecting };
  ZoneExtents extents;
  uint64_t clock = 0;      // open: when it opened; full: when it filled (engine clock)
  uint32_t open_span = 0;  // full: blocks of user writes while it was open (saturates)
  uint32_t cap = 0;        // blocks
  uint32_t alloc = 0;      // blocks handed out
  uint32_t written = 0;    // blocks that landed (reported or relocated), live or not
  ZoneLists::Link link;
  State state = State::kUnusable;
  bool gc = false;  // holds relocated data
  uint8_t cls = 0;  // placement class
};
static_assert(sizeof(ZoneMeta) <= 64, "the per-zone budget is 64 bytes");

// One GC class's share of a victim: what to copy and where.
struct CopyGroup {
  std::vector<Extent> sources;
  std::vector<Destination> dests;
  std::vector<uint32_t> dest_zones;
  uint64_t bytes = 0;
  Result<CopyPlan> plan = CopyPlan{};
  CopyStats before;
};

class GcEngineImpl final : public GcEngine {
 public:
  GcEngineImpl(ZonedDevice& device, GcOwner& owner, GcOptions options,
               std::vector<std::unique_ptr<Copier>> copiers, std::vector<ZoneMeta> zones)
      : dev_(device),
        owner_(owner),
        opt_(options),
        copiers_(std::move(copiers)),
        lbs_(device.info().logical_block_size),
        zone_size_(device.info().zone_size),
        zones_(std::move(zones)),
        lists_(&zones_[0].link, sizeof(ZoneMeta)),
        capacity_blocks_(CapacityBlocks(zones_)),
        zone_cap_blocks_(double(capacity_blocks_) / std::max<size_t>(UsableZones(zones_), 1)),
        gauge_(capacity_blocks_ / 8) {
    for (uint32_t z = static_cast<uint32_t>(zones_.size()); z-- > 0;)
      if (zones_[z].state == ZoneMeta::State::kFree) lists_.PushFree(z);
    std::fill(std::begin(open_user_), std::end(open_user_), -1);
    std::fill(std::begin(open_gc_), std::end(open_gc_), -1);
  }

  Result<Allocation> Allocate(uint64_t length, const WriteHint& hint) override {
    if (length == 0 || length % lbs_)
      return Status::InvalidArgument("allocation of " + std::to_string(length) +
                                     " bytes is not whole blocks");
    std::unique_lock lock(mu_);
    int cls = UserClass(hint);
    // The owner's own knowledge (hint or death time) is used whatever the gauge says.
    const bool told = hint.dies_at != 0 || hint.lifetime != Lifetime::kUnknown;
    cls = Route(open_user_, opt_.user_classes, Budget(told).first, cls);
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
          if (futile > 4 * zones_.size())
            return Status::NoSpace(dev_.info().uri + ": garbage collection makes no progress");
          continue;
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
    const uint64_t n = std::min<uint64_t>(length / lbs_, m.cap - m.alloc);
    const Allocation a{Start(z) + uint64_t(m.alloc) * lbs_, n * lbs_};
    m.alloc += static_cast<uint32_t>(n);
    Nudge();
    if (m.alloc == m.cap) {
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
    const uint32_t first = static_cast<uint32_t>((e.offset - Start(z)) / lbs_);
    const uint32_t n = static_cast<uint32_t>(e.length / lbs_);
    if (!mine || uint64_t(first) + n > m.alloc || !m.extents.Append(first, n))
      return Status::InvalidArgument("OnWrite: " + Hex(e.offset) + "+" + Hex(e.length) +
                                     " was not allocated, or was reported already");
    m.written += n;
    stats_.user_bytes += e.length;
    clock_ += e.length;
    gauge_.Added(false, n);
    gauge_.Wrote(n);
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

  Result<uint32_t> PeekVictim() override {
    std::lock_guard lock(mu_);
    return PickVictim();
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
    return lists_.free_count();
  }

  GcStats Stats() const override {
    std::lock_guard lock(mu_);
    GcStats s = stats_;
    s.free_zones = lists_.free_count();
    s.zone_table_bytes = zones_.capacity() * sizeof(ZoneMeta) + sealed_.size() * sizeof(Sealed);
    for (const ZoneMeta& m : zones_) s.extent_index_bytes += m.extents.memory_bytes();
    return s;
  }

  uint64_t LiveBytes(uint32_t zone) const override {
    std::lock_guard lock(mu_);
    return zone < zones_.size() ? Live(zones_[zone]) : 0;
  }

 private:
  struct Sealed {
    uint32_t zone;
    uint64_t clock;
  };

  // The scheduler: between the watermarks, one collection at a time, paced.
  void Background() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock,
                 [&] { return stop_ || (!paused_ && lists_.free_count() < opt_.low_watermark); });
      if (stop_) return;
      while (!stop_ && !paused_ && lists_.free_count() < opt_.high_watermark) {
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
          const auto pause = std::chrono::duration<double>(double(stats_.relocated_bytes - before) /
                                                           double(opt_.rate_limit));
          wake_.wait_for(lock, pause, [&] { return stop_; });
        }
      }
    }
  }

  // Below the low watermark, writes wake the scheduler.
  void Nudge() {
    if (bg_.joinable() && lists_.free_count() < opt_.low_watermark) wake_.notify_all();
  }

  uint64_t Start(uint32_t z) const { return uint64_t(z) * zone_size_; }
  // Until a user zone has been reclaimed, a device's worth of writes stands in
  // for how long user zones live (known death times need a scale).
  double Lifespan() const {
    return lifespan_.value() > 0 ? lifespan_.value() : double(capacity_blocks_) * double(lbs_);
  }
  static size_t UsableZones(const std::vector<ZoneMeta>& zones) {
    return std::count_if(zones.begin(), zones.end(),
                         [](const ZoneMeta& m) { return m.state == ZoneMeta::State::kFree; });
  }
  static uint64_t CapacityBlocks(const std::vector<ZoneMeta>& zones) {
    uint64_t n = 0;
    for (const ZoneMeta& m : zones) n += m.state == ZoneMeta::State::kFree ? m.cap : 0;
    return n;
  }
  // How many classes of each kind are worth their open zones now. An open zone
  // holds space no other class can use (half a zone on average), so classes
  // beyond the first user and GC class need spare space to match: one per
  // kSparePerClass spare zones, GC classes first. None while separation does
  // not pay (SeparationGauge) unless the owner tells lifetimes.
  static constexpr double kSparePerClass = 6;
  std::pair<int, int> Budget(bool told) const {
    if (!told && !gauge_.separate()) return {1, 1};
    const double spare =
        (double(capacity_blocks_) - double(gauge_.live_blocks())) / zone_cap_blocks_ -
        opt_.reserve_zones;
    int extra = spare > 0 ? static_cast<int>(spare / kSparePerClass) : 0;
    int user = 1, gc = 1;
    while (extra > 0 && (user < opt_.user_classes || gc < opt_.gc_classes)) {
      if (gc < opt_.gc_classes) ++gc, --extra;
      if (extra > 0 && user < opt_.user_classes) ++user, --extra;
    }
    return {user, gc};
  }
  // Class c of `classes`, of which `allowed` are in use: the last allowed one
  // takes the rest, but an open zone of a class no longer allowed is filled
  // first, so that it closes instead of holding its space forever.
  static int Route(const int32_t* open, int classes, int allowed, int c) {
    c = std::min(c, allowed - 1);
    if (open[c] >= 0) return c;
    for (int o = allowed; o < classes; ++o)
      if (open[o] >= 0) return o;
    return c;
  }
  uint64_t Live(const ZoneMeta& m) const { return uint64_t(m.extents.live_blocks()) * lbs_; }
  static int AnyOpen(const int32_t* open, int classes) {
    for (int c = 0; c < classes; ++c)
      if (open[c] >= 0) return c;
    return -1;
  }

  // The known death time decides; else the owner's hint; else how long the data
  // this write replaces lived (SepBIT's idea: data that dies young is written
  // apart from the rest). Data never written before counts as long-lived.
  int UserClass(const WriteHint& hint) {
    const int k = opt_.user_classes;
    if (k == 1) return 0;
    if (hint.dies_at)
      return ClassForRemainingLife(hint.dies_at > clock_ ? double(hint.dies_at - clock_) : 0,
                                   Lifespan(), k);
    if (hint.lifetime != Lifetime::kUnknown) return ClassForHint(hint.lifetime, k);
    if (!hint.replaces || lifespan_.value() <= 0) return k - 1;
    const uint32_t z = static_cast<uint32_t>(hint.replaces->offset / zone_size_);
    if (z >= zones_.size() || zones_[z].gc) return k - 1;  // it survived a collection
    const ZoneMeta& m = zones_[z];
    const bool open = m.state == ZoneMeta::State::kOpen;
    const double until = open ? double(clock_) : double(m.clock);
    const double opened = open ? double(m.clock) : until - double(m.open_span) * double(lbs_);
    const double frac = double(hint.replaces->offset - Start(z)) / (double(m.cap) * double(lbs_));
    const double written_at = opened + frac * (until - opened);
    return ClassForRemainingLife(double(clock_) - written_at, lifespan_.value(), k);
  }

  uint32_t Open(bool gc, int cls) {
    const uint32_t z = lists_.PopFree();
    ZoneMeta& m = zones_[z];
    m.state = ZoneMeta::State::kOpen;
    m.gc = gc;
    m.cls = static_cast<uint8_t>(cls);
    m.alloc = m.written = 0;
    m.clock = clock_;
    return z;
  }

  void Seal(uint32_t z) {
    ZoneMeta& m = zones_[z];
    m.state = ZoneMeta::State::kFull;
    m.open_span = static_cast<uint32_t>(
        std::min<uint64_t>((clock_ - m.clock) / lbs_, std::numeric_limits<uint32_t>::max()));
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

  bool IsCurrent(const Sealed& s) const {
    const ZoneMeta& m = zones_[s.zone];
    return m.clock == s.clock &&
           (m.state == ZoneMeta::State::kFull || m.state == ZoneMeta::State::kCollecting);
  }

  // Full zones whose every allocation has landed are victim candidates.
  void Reindex(uint32_t z) {
    ZoneMeta& m = zones_[z];
    if (m.state == ZoneMeta::State::kFull && m.written == m.cap) {
      lists_.Index(z, m.extents.live_blocks(), m.cap);
    } else if (lists_.Indexed(z)) {
      lists_.Remove(z);
    }
  }

  uint64_t GcRoom() const {
    uint64_t room = 0;
    for (int c = 0; c < opt_.gc_classes; ++c)
      if (open_gc_[c] >= 0) room += uint64_t(zones_[open_gc_[c]].cap - zones_[open_gc_[c]].alloc);
    return room * lbs_;
  }

  Candidate MakeCandidate(uint32_t z) const {
    const ZoneMeta& m = zones_[z];
    return {z, m.extents.live_blocks(), m.cap, clock_ - m.clock};
  }

  // consolidate: accept an entirely live victim if the open GC zones can take
  // all of it, which turns their scattered tails into one free zone.
  Result<uint32_t> PickVictim(bool consolidate = false) {
    candidates_.clear();
    if (opt_.policy == VictimPolicy::kWindowedGreedy) {
      // The oldest `window` full zones that hold garbage; stale entries drop
      // out on the way.
      while (!sealed_.empty() && !IsCurrent(sealed_.front())) sealed_.pop_front();
      for (const Sealed& s : sealed_) {
        if (candidates_.size() >= opt_.window) break;
        const ZoneMeta& m = zones_[s.zone];
        if (IsCurrent(s) && lists_.Indexed(s.zone) &&
            (m.extents.live_blocks() < m.cap || consolidate))
          candidates_.push_back(MakeCandidate(s.zone));
      }
    } else {
      lists_.Visit([&](uint32_t z) {
        candidates_.push_back(MakeCandidate(z));
        return opt_.candidates == 0 || candidates_.size() < opt_.candidates;
      });
    }
    const ptrdiff_t i = PickBest(opt_.policy, candidates_);
    const Status none = Status::NoSpace(
        dev_.info().uri + ": no zone can be reclaimed (every full zone is entirely live)");
    if (i < 0) return none;
    const uint32_t best = candidates_[i].zone;
    const ZoneMeta& m = zones_[best];
    if (m.extents.live_blocks() == m.cap && !(consolidate && Live(m) <= GcRoom())) return none;
    return best;
  }

  // When every full zone is entirely live, the free space sits in open zones
  // (each placement class keeps one), dead or not yet allocated: finish the open
  // zone with the most of it, all of whose allocations have landed, so that a
  // collection can turn it into a free zone. A GC zone qualifies only with data
  // that died in it: its tail alone would just move into the next GC zone.
  Status SealOpenZoneWithMostGarbage() {
    int32_t* best = nullptr;
    uint64_t best_dead = 0;
    auto consider = [&](int32_t* slot, bool gc) {
      if (*slot < 0) return;
      const ZoneMeta& m = zones_[*slot];
      if (m.written != m.alloc) return;  // an owner's write is still on its way
      if (gc && m.written == m.extents.live_blocks()) return;
      const uint64_t dead = m.cap - m.extents.live_blocks();
      if (dead > best_dead) best = slot, best_dead = dead;
    };
    for (int c = 0; c < opt_.user_classes; ++c) consider(&open_user_[c], false);
    for (int c = 0; c < opt_.gc_classes; ++c) consider(&open_gc_[c], true);
    if (!best)
      return Status::NoSpace(dev_.info().uri +
                             ": no zone can be reclaimed (every zone is entirely live)");
    const uint32_t z = static_cast<uint32_t>(*best);
    ZGC_RETURN_IF_ERROR(dev_.FinishZone(Start(z)));
    ZoneMeta& m = zones_[z];
    m.alloc = m.written = m.cap;  // the unwritten tail is dead space now
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
    collecting_ = true;
    const auto t0 = std::chrono::steady_clock::now();
    Status s = Relocate(lock, *victim);
    stats_.gc_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    collecting_ = false;
    cv_.notify_all();
    return s;
  }

  // Hands out `need` bytes of GC class `cls` zones as copy destinations.
  Status ReserveDestinations(int cls, CopyGroup& g) {
    for (uint64_t need = g.bytes; need;) {
      // With no free zone left (or squeezed), another GC class's open zone takes the data.
      if (open_gc_[cls] < 0 && (lists_.free_count() == 0 || squeeze_)) {
        for (int o = 0; o < opt_.gc_classes; ++o) {
          if (o == cls || open_gc_[o] < 0) continue;
          const ZoneMeta& om = zones_[open_gc_[o]];
          if (om.alloc < om.cap) {
            std::swap(open_gc_[cls], open_gc_[o]);
            break;
          }
        }
      }
      if (open_gc_[cls] < 0) {
        if (lists_.free_count() == 0)
          return Status::NoSpace(dev_.info().uri + ": no free zone left to relocate into");
        open_gc_[cls] = static_cast<int32_t>(Open(true, cls));
      }
      const uint32_t d = static_cast<uint32_t>(open_gc_[cls]);
      ZoneMeta& dm = zones_[d];
      const uint64_t take = std::min<uint64_t>(need / lbs_, dm.cap - dm.alloc);
      const uint64_t at = Start(d) + uint64_t(dm.alloc) * lbs_;
      g.dests.push_back({at, at + take * lbs_});
      g.dest_zones.push_back(d);
      dm.alloc += static_cast<uint32_t>(take);
      need -= take * lbs_;
      if (dm.alloc == dm.cap) {
        Seal(d);
        open_gc_[cls] = -1;
      }
    }
    return Status::OK();
  }

  // Whether the groups' copies may run concurrently: more than one, and no
  // zone shared (under pressure a class borrows another's open zone; the
  // copies into it must then land in the order they were allocated).
  static bool Independent(const std::vector<CopyGroup>& groups) {
    std::vector<uint32_t> zones;
    int busy = 0;
    for (const CopyGroup& g : groups) {
      busy += g.bytes != 0;
      zones.insert(zones.end(), g.dest_zones.begin(), g.dest_zones.end());
    }
    std::sort(zones.begin(), zones.end());
    return busy > 1 && std::adjacent_find(zones.begin(), zones.end()) == zones.end();
  }

  // Gives the victim back: it stays full and mapped; what landed is garbage.
  Status Abandon(uint32_t v, std::vector<CopyGroup>& groups, Status why) {
    for (CopyGroup& g : groups)
      for (uint32_t d : g.dest_zones) Resync(d);
    zones_[v].state = ZoneMeta::State::kFull;
    Reindex(v);
    return why;
  }

  // The relocation protocol for victim v (lock held on entry and exit).
  Status Relocate(std::unique_lock<std::mutex>& lock, uint32_t v) {
    ZoneMeta& vm = zones_[v];
    lists_.Remove(v);
    vm.state = ZoneMeta::State::kCollecting;
    dying_.clear();
    std::vector<Extent> sources;
    vm.extents.ForEach([&](uint32_t s, uint32_t n) {
      sources.push_back({Start(v) + uint64_t(s) * lbs_, uint64_t(n) * lbs_});
    });
    const int k = opt_.gc_classes;
    const int survivors = vm.gc ? ClassForSurvivor(vm.cls, k) : 0;
    const uint64_t now = clock_;
    const double lifespan = Lifespan();
    // The owner is asked without the lock (it may hold its own while calling us).
    lock.unlock();
    std::vector<uint8_t> cls(sources.size(), static_cast<uint8_t>(survivors));
    bool known_deaths = false;
    if (k > 1)
      for (size_t i = 0; i < sources.size(); ++i)
        if (const uint64_t dies = owner_.DiesAt(sources[i])) {
          cls[i] = static_cast<uint8_t>(
              ClassForRemainingLife(dies > now ? double(dies - now) : 0, lifespan, k));
          known_deaths = true;
        }
    lock.lock();
    const int allowed = Budget(known_deaths).second;
    for (uint8_t& c : cls) c = static_cast<uint8_t>(Route(open_gc_, k, allowed, c));
    std::vector<CopyGroup> groups(k);
    for (size_t i = 0; i < sources.size(); ++i) {
      groups[cls[i]].sources.push_back(sources[i]);
      groups[cls[i]].bytes += sources[i].length;
    }
    for (int c = 0; c < k; ++c) {
      if (!groups[c].bytes) continue;
      if (Status s = ReserveDestinations(c, groups[c]); !s.ok()) return Abandon(v, groups, s);
      groups[c].before = copiers_[c]->stats();
    }
    lock.unlock();
    // One batch per class, each to its own zone: submitted together.
    auto copy = [&](int c) {
      groups[c].plan = copiers_[c]->Copy(groups[c].sources, groups[c].dests);
    };
    if (Independent(groups)) {
      tbb::task_group tg;
      for (int c = 0; c < k; ++c)
        if (groups[c].bytes) tg.run([&copy, c] { copy(c); });
      tg.wait();
    } else {
      for (int c = 0; c < k; ++c)
        if (groups[c].bytes) copy(c);
    }
    lock.lock();
    std::vector<Move> moves;
    std::vector<Placement> placements;
    for (int c = 0; c < k; ++c) {
      CopyGroup& g = groups[c];
      if (!g.bytes) continue;
      const CopyStats after = copiers_[c]->stats();
      stats_.offloaded_bytes += after.offloaded_bytes() - g.before.offloaded_bytes();
      stats_.fallback_bytes += after.fallback_bytes() - g.before.fallback_bytes();
    }
    for (CopyGroup& g : groups)
      if (!g.plan.ok()) return Abandon(v, groups, g.plan.status());
    // The copies count as live before the owner is asked, so that an owner that
    // remaps and then overwrites (OnInvalidate at the new place) is accounted.
    for (CopyGroup& g : groups) {
      for (const Placement& p : g.plan->placements) {
        moves.push_back({{p.source, p.length}, p.destination});
        placements.push_back(p);
        AddRelocated(p.destination, p.length);
      }
      stats_.relocated_bytes += g.plan->bytes;
    }
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
      for (const Placement& p : placements) {
        const uint64_t lo = std::max(d.offset, p.source);
        const uint64_t hi = std::min(d.end(), p.source + p.length);
        if (lo < hi) InvalidateLocked({p.destination + (lo - p.source), hi - lo});
      }
    }
    dying_.clear();
    // Only now may the victim go.
    ZGC_RETURN_IF_ERROR(dev_.ResetZone(Start(v)));
    if (!vm.gc) lifespan_.Observe(double(clock_ - vm.clock) + double(vm.open_span) * lbs_);
    gauge_.Dropped(vm.gc, vm.extents.live_blocks());
    vm.extents.Clear();
    vm.state = ZoneMeta::State::kFree;
    vm.alloc = vm.written = 0;
    lists_.PushFree(v);
    ++stats_.zones_reset;
    ++stats_.collections;
    return Status::OK();
  }

  void AddRelocated(uint64_t offset, uint64_t length) {
    for (uint64_t off = offset; off < offset + length;) {
      const uint32_t z = static_cast<uint32_t>(off / zone_size_);
      ZoneMeta& m = zones_[z];
      const uint64_t n = std::min(offset + length, Start(z) + uint64_t(m.cap) * lbs_) - off;
      m.extents.Append(static_cast<uint32_t>((off - Start(z)) / lbs_),
                       static_cast<uint32_t>(n / lbs_));
      gauge_.Added(true, n / lbs_);
      m.written += static_cast<uint32_t>(n / lbs_);
      Reindex(z);
      off += n;
    }
  }

  void InvalidateLocked(Extent e) {
    for (uint64_t off = e.offset; off < e.end();) {
      const uint32_t z = static_cast<uint32_t>(off / zone_size_);
      const uint64_t n = std::min(e.end(), Start(z) + zone_size_) - off;
      const uint32_t died = zones_[z].extents.Invalidate(
          static_cast<uint32_t>((off - Start(z)) / lbs_), static_cast<uint32_t>(n / lbs_));
      // Data dying in a victim being copied dies at its copy too (applied once
      // the copy's placements are known).
      if (died && zones_[z].state == ZoneMeta::State::kCollecting) dying_.push_back({off, n});
      if (died) gauge_.Died(zones_[z].gc, died);
      if (died) Reindex(z);
      off += n;
    }
  }

  // After a failed copy: the zone's allocation point follows the device.
  void Resync(uint32_t d) {
    ZoneMeta& dm = zones_[d];
    auto z = dev_.ReportZone(Start(d));
    const uint32_t wp = !z.ok() || z->cond == ZoneCondition::kFull
                            ? dm.cap
                            : static_cast<uint32_t>((z->wp - Start(d)) / lbs_);
    dm.written = dm.alloc = wp;  // landed bytes are garbage but occupy the zone
    if (dm.alloc == dm.cap && dm.state == ZoneMeta::State::kOpen) {
      for (int c = 0; c < opt_.gc_classes; ++c)
        if (open_gc_[c] == static_cast<int32_t>(d)) open_gc_[c] = -1;
      Seal(d);
    }
    Reindex(d);
  }

  ZonedDevice& dev_;
  GcOwner& owner_;
  const GcOptions opt_;
  std::vector<std::unique_ptr<Copier>> copiers_;  // one per GC class: their batches run together
  const uint64_t lbs_, zone_size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool collecting_ = false;
  bool squeeze_ = false;          // GC classes share open zones until the next user zone opens
  std::condition_variable wake_;  // the scheduler's
  std::thread bg_;
  bool stop_ = false, paused_ = false;
  Status bg_error_;
  std::vector<Extent> dying_;  // invalidated in the victim during its collection
  std::vector<ZoneMeta> zones_;
  ZoneLists lists_;
  std::deque<Sealed> sealed_;  // kWindowedGreedy only: full zones, oldest first
  std::vector<Candidate> candidates_;
  int32_t open_user_[kMaxClasses];
  int32_t open_gc_[kMaxClasses];
  uint64_t clock_ = 0;  // user bytes written so far: the engine's time
  LifespanEstimate lifespan_;
  const uint64_t capacity_blocks_;
  const double zone_cap_blocks_;  // on average
  SeparationGauge gauge_;
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
