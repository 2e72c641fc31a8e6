// GcEngineImpl, the GcEngine behind GcEngine::Create (the contract is in
// include/zgc/gc.h). Its methods live in three files: gc_engine_impl.cc
// (accounting and placement), gc_engine_collect.cc (victim choice and the
// relocation protocol) and gc_engine_scheduler.cc (the background scheduler).
// Every member is guarded by mu_ unless said otherwise.
#ifndef ZGC_SRC_GC_GC_ENGINE_IMPL_H_
#define ZGC_SRC_GC_GC_ENGINE_IMPL_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "src/gc/lifetime_probe.h"
#include "src/gc/placement_class.h"
#include "src/gc/victim_scorer.h"
#include "src/gc/zone_extents.h"
#include "src/gc/zone_lists.h"
#include "zgc/gc.h"

namespace zgc {

constexpr int kMaxClasses = 8;

// 64 bytes per zone (its place in ZoneLists included; the victim index adds a
// 16-byte heap entry per full zone).
struct ZoneMeta {
  // kDirty: holds only garbage, reset by Repair before use (Resume writes
  // nothing). A degraded (read-only) zone is kFull until its live data has
  // been moved out, then kUnusable.
  enum class State : uint8_t { kUnusable, kFree, kOpen, kFull, kCollecting, kDirty };
  ZoneExtents extents;
  // Engine clock. Full: when it filled. Open user zone: when it opened. Open GC
  // zone: the mean birth (when the owner wrote it) of the data it was given.
  uint64_t clock = 0;
  // Full user zone: blocks of user writes while it was open. Full GC zone: the
  // mean age of its data when it filled, in blocks of user writes. Saturates.
  uint32_t span = 0;
  uint32_t cap = 0;      // blocks
  uint32_t alloc = 0;    // blocks handed out
  uint32_t written = 0;  // blocks that landed (reported or relocated), live or not
  ZoneLists::Link link;
  State state = State::kUnusable;
  uint8_t cls = 0;         // placement class
  bool gc : 1 = false;     // holds relocated data
  bool probe : 1 = false;  // a LifetimeProbe zone
  // The zone's capacity is not whole engine blocks: once its last whole
  // block is written it is finished (its tail would never be).
  bool ragged : 1 = false;
  bool degraded : 1 = false;  // the device reports it read-only
};
static_assert(sizeof(ZoneMeta) <= 64, "the per-zone budget is 64 bytes");

// One GC class's share of a victim: what to copy and where.
struct CopyGroup {
  std::vector<Extent> sources;
  std::vector<Destination> dests;
  std::vector<uint32_t> dest_zones;
  // Per destination: it takes its zone's last whole block, and the zone's
  // capacity is not whole blocks: finish it before the next one opens.
  std::vector<uint8_t> finish_after;
  uint64_t bytes = 0;
  Result<CopyPlan> plan = CopyPlan{};
  CopyStats before;
};

class GcEngineImpl final : public GcEngine {
 public:
  // Blocks the managed zones (free or full) hold: the engine's capacity, and
  // what Check holds GcOptions::logical_bytes to.
  static uint64_t CapacityBlocks(const std::vector<ZoneMeta>& zones);
  GcEngineImpl(ZonedDevice& device, GcOwner& owner, GcOptions options,
               std::vector<std::unique_ptr<Copier>> copiers, std::vector<ZoneMeta> zones)
      : dev_(device),
        owner_(owner),
        opt_(options),
        copiers_(std::move(copiers)),
        blk_(options.block_bytes ? options.block_bytes : device.info().logical_block_size),
        zone_size_(device.info().zone_size),
        zones_(std::move(zones)),
        lists_(&zones_[0].link, sizeof(ZoneMeta), MaxCap(zones_)),
        capacity_blocks_(CapacityBlocks(zones_)),
        min_cap_(MinCap(zones_)),
        zone_cap_blocks_(double(capacity_blocks_) / std::max<size_t>(UsableZones(zones_), 1)),
        gauge_(capacity_blocks_ / 8) {
    for (uint32_t z = static_cast<uint32_t>(zones_.size()); z-- > 0;)
      if (zones_[z].state == ZoneMeta::State::kFree) lists_.PushFree(z);
    std::fill(std::begin(open_user_), std::end(open_user_), -1);
    std::fill(std::begin(open_gc_), std::end(open_gc_), -1);
  }

  // Resume: the zones given to the constructor as full (with their extents)
  // enter the victim index and the gauge; those in `open` (zone, (gc, class))
  // become the open zones of their classes, continued at their write pointer.
  void AdoptZones(const std::vector<std::pair<uint32_t, std::pair<bool, int>>>& open);
  // Resume: zones to finish and to reset in Repair.
  void SetRepairs(std::vector<uint32_t> finish, std::vector<uint32_t> reset) {
    to_finish_ = std::move(finish);
    to_reset_ = std::move(reset);
  }

  Result<Allocation> Allocate(uint64_t length, const WriteHint& hint) override;
  Status Reserve(uint64_t bytes) override;
  Status OnWrite(Extent e) override;
  Status OnInvalidate(Extent e) override;

  ~GcEngineImpl() override { (void)Stop(); }

  Status CollectOnce() override;
  Result<uint32_t> PeekVictim() override;
  Status Start() override;
  void Pause() override;
  void Resume() override;
  Status Stop() override;
  Status Repair() override;
  uint32_t FreeZones() const override;
  GcStats Stats() const override;
  uint64_t LiveBytes(uint32_t zone) const override;

 private:
  struct Sealed {
    uint32_t zone;
    uint64_t clock;
  };

  // The scheduler: between the watermarks, one collection at a time, paced.
  void Background();

  // Below the low watermark, writes wake the scheduler.
  void Nudge();

  // Whether the calling thread is inside one of the owner's callbacks
  // (Relocate, DiesAt) that this engine made: calls that wait for a
  // collection (Allocate, CollectOnce, Stop) would wait for themselves, so
  // they fail with kBusy instead.
  bool InOwnerCallback() const { return owner_thread_.load() == std::this_thread::get_id(); }
  Status Reentered(const char* call) const;
  // Marks the calling thread as inside an owner callback for its scope.
  class OwnerCall {
   public:
    explicit OwnerCall(std::atomic<std::thread::id>& t) : t_(t) {
      t_.store(std::this_thread::get_id());
    }
    ~OwnerCall() { t_.store(std::thread::id()); }

   private:
    std::atomic<std::thread::id>& t_;
  };

  uint64_t Start(uint32_t z) const { return uint64_t(z) * zone_size_; }
  // Repair with mu_ held (the calls that write make it first).
  Status RepairLocked();
  // A ragged zone whose last whole block has landed is finished on the device.
  Status FinishIfRagged(uint32_t z);
  // Room for user data, in bytes: the open user zones' unallocated blocks and
  // the free zones beyond the reserve (Reserve's measure).
  uint64_t UserRoom() const;
  // The unit of every lifetime threshold: the mean lifetime of a user write,
  // in the engine's clock. By Little's law it is the live data (live blocks =
  // write rate x mean lifetime, and the clock counts user writes), whatever
  // the workload; it needs no tuning and no warm-up.
  double MeanLifetime() const;
  // SepBIT's l: the mean lifespan (opened to collected) of the last 16
  // collected zones of the first user class; 0 before there is one.
  double VictimLifespan() const;
  // PlacementPolicy::kSepBit's unit: l, or the mean lifetime before there is one.
  double SepBitUnit() const { return lifespans_n_ ? VictimLifespan() : MeanLifetime(); }
  void RecordVictimLifespan(const ZoneMeta& victim);
  static size_t UsableZones(const std::vector<ZoneMeta>& zones);
  static uint64_t MaxCap(const std::vector<ZoneMeta>& zones);
  static uint32_t MinCap(const std::vector<ZoneMeta>& zones);
  // How many classes of each kind are worth their open zones now. An open zone
  // holds space no other class can use (half a zone on average), so classes
  // beyond the first user and GC class need spare space to match: one per
  // kSparePerClass spare zones, GC classes first (spare as the full device
  // will have it when GcOptions::logical_bytes is given). None while
  // separation does not pay (SeparationGauge) unless the owner tells
  // lifetimes or SepBIT's split applies (the probe's continuum); under a
  // continuum, a third user class only once the probe shows it sorts.
  static constexpr double kSparePerClass = 6;
  std::pair<int, int> Budget(bool told) const;
  // Class c of `classes`, of which `allowed` are in use: the last allowed one
  // takes the rest, and fills an open zone of a class no longer allowed first,
  // so that it closes instead of holding its space forever.
  static int Route(const int32_t* open, int classes, int allowed, int c);
  uint64_t Live(const ZoneMeta& m) const { return uint64_t(m.extents.live_blocks()) * blk_; }
  static int AnyOpen(const int32_t* open, int classes);

  // The known death time decides; else the owner's hint; else how long the data
  // this write replaces lived against the mean lifetime (SepBIT's idea: data
  // that dies young is written apart from the rest; a block's last lifetime
  // predicts its next). Data never written before counts as long-lived.
  int UserClass(const WriteHint& hint, int allowed, double lived) const;
  // How long the data `hint` replaces lived (engine clock); -1: none.
  double LivedOf(const WriteHint& hint) const;
  // The default placement uses SepBIT's split while two user classes are
  // budgeted (the spare fits no more, or a third would not sort:
  // LifetimeProbe::middle_sorts) and the workload's lifetimes form a
  // continuum (LifetimeProbe; assumed until it has seen enough, so that the
  // default is SepBIT from the first write).
  bool SepBitSplit() const;
  // The default placement, no owner knowledge, and the probe finds (or still
  // assumes) a continuum of lifetimes.
  bool ProbedContinuum() const {
    return opt_.placement == PlacementPolicy::kLifetime && !told_ && probe_.continuum();
  }
  uint32_t Open(bool gc, int cls);
  void Seal(uint32_t z);
  bool IsCurrent(const Sealed& s) const;

  // Full zones whose every allocation has landed are victim candidates.
  void Reindex(uint32_t z);
  uint64_t GcRoom() const;
  Candidate MakeCandidate(uint32_t z) const;

  // consolidate: accept an entirely live victim if the open GC zones can take
  // all of it, which turns their scattered tails into one free zone.
  Result<uint32_t> PickVictim(bool consolidate = false);
  // The best victim of the whole index (opt_.candidates == 0); kNone if empty.
  uint32_t BestIndexed();

  // When every full zone is entirely live, the free space sits in open zones
  // (each placement class keeps one), dead or not yet allocated: finish the open
  // zone with the most of it, all of whose allocations have landed, so that a
  // collection can turn it into a free zone. A GC zone qualifies only with data
  // that died in it: its tail alone would just move into the next GC zone.
  Status SealOpenZoneWithMostGarbage();
  // background: the scheduler's collection (it gives way to writers waiting
  // for one, and may move data out of a read-only zone).
  Status Collect(std::unique_lock<std::mutex>& lock, bool background = false);

  // Hands out g.bytes of GC class `cls` zones as copy destinations for data
  // born (on average) at `birth`. A class at or past `allowed` (the budget)
  // only finishes its open zone; the rest goes to class allowed - 1.
  Status ReserveDestinations(int cls, int allowed, CopyGroup& g, double birth);
  // When the data at `offset` of zone z was written by the owner, estimated:
  // user zones interpolate over the time they were open, GC zones know the
  // mean birth of their data.
  double BirthOf(uint32_t z, uint64_t offset) const;

  // Whether the groups' copies may run concurrently: more than one, and no
  // zone shared (under pressure a class borrows another's open zone; the
  // copies into it must then land in the order they were allocated).
  static bool Independent(const std::vector<CopyGroup>& groups);

  // After the owner remapped the victim: reset it (without the engine mutex,
  // so owners' OnWrite/OnInvalidate do not wait behind a slow reset) and free
  // it. If the reset fails, the zone goes back to the victim index holding no
  // live data, so the next collection retries the reset instead of losing it.
  Status ResetVictim(std::unique_lock<std::mutex>& lock, uint32_t v);

  // Gives the victim back: it stays full and mapped; what landed is garbage.
  Status Abandon(uint32_t v, std::vector<CopyGroup>& groups, Status why);

  // The relocation protocol for victim v (lock held on entry and exit).
  Status Relocate(std::unique_lock<std::mutex>& lock, uint32_t v);
  void AddRelocated(uint64_t offset, uint64_t length);
  void InvalidateLocked(Extent e);

  // After a failed copy: the zone's allocation point follows the device.
  void Resync(uint32_t d);

  ZonedDevice& dev_;
  GcOwner& owner_;
  const GcOptions opt_;
  std::vector<std::unique_ptr<Copier>> copiers_;  // one per GC class: their batches run together
  const uint64_t blk_;  // the engine block (GcOptions::block_bytes): every count is in these
  const uint64_t zone_size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool collecting_ = false;
  uint32_t writers_waiting_ = 0;  // foreground callers waiting to collect
  // A collection in consolidate mode (an entirely live victim) fills only
  // GC zones already open: opening another would gain nothing.
  bool consolidating_ = false;
  uint64_t changes_ = 0;  // OnWrite/OnInvalidate calls: the scheduler's "something changed"
  bool waiting_for_change_ = false;  // the scheduler waits for changes_ to move
  void Changed() {
    ++changes_;
    if (waiting_for_change_) wake_.notify_all();
  }
  bool squeeze_ = false;          // GC classes share open zones until the next user zone opens
  std::condition_variable wake_;  // the scheduler's
  // Start and Stop serialize on stop_mu_ (taken before mu_, never after it),
  // so that only one caller joins bg_; bg_ itself is touched only under
  // stop_mu_, and everything else asks running_ (under mu_).
  std::mutex stop_mu_;
  std::thread bg_;
  bool running_ = false;
  bool stop_ = false, paused_ = false;
  std::atomic<std::thread::id> owner_thread_{};  // the thread inside an owner callback
  Status bg_error_;
  std::vector<Extent> dying_;  // invalidated in the victim during its collection
  std::vector<uint32_t> to_finish_, to_reset_;  // Repair's work (from Resume, Resync)
  std::vector<uint32_t> evacuate_;              // degraded zones holding live data
  std::vector<ZoneMeta> zones_;
  ZoneLists lists_;
  std::deque<Sealed> sealed_;  // kWindowedGreedy only: full zones, oldest first
  std::vector<Candidate> candidates_;
  std::vector<uint32_t> dfs_;  // BestIndexed's heap walk
  int32_t open_user_[kMaxClasses];
  int32_t open_gc_[kMaxClasses];
  uint64_t clock_ = 0;  // user bytes written so far: the engine's time
  const uint64_t capacity_blocks_;
  const uint32_t min_cap_;  // the smallest managed zone's blocks (Reserve's unit)
  const double zone_cap_blocks_;  // on average
  SeparationGauge gauge_;
  LifetimeProbe probe_;  // the default placement's continuum test
  // The owner told lifetimes or death times: the placement follows them, and
  // the probe does not switch the rules for what it leaves untold.
  bool told_ = false;
  // Lifespans of the last 16 collected first-class user zones (a ring) and
  // their sum: VictimLifespan.
  double lifespans_[16] = {};
  uint32_t lifespans_n_ = 0;
  double lifespan_sum_ = 0;
  GcStats stats_;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_GC_ENGINE_IMPL_H_
