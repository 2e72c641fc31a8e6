// GcEngineImpl: victim choice and the relocation protocol.
#include <algorithm>
#include <chrono>
#include <functional>

#include "src/base/parallel.h"
#include "src/gc/gc_engine_impl.h"

namespace zgc {

Status GcEngineImpl::CollectOnce() {
  if (InOwnerCallback()) return Reentered("CollectOnce");
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(RepairLocked());
  return Collect(lock);
}

Result<uint32_t> GcEngineImpl::PeekVictim() {
  std::lock_guard lock(mu_);
  return PickVictim();
}

uint64_t GcEngineImpl::GcRoom() const {
  uint64_t room = 0;
  for (int c = 0; c < opt_.gc_classes; ++c)
    if (open_gc_[c] >= 0) room += uint64_t(zones_[open_gc_[c]].cap - zones_[open_gc_[c]].alloc);
  return room * blk_;
}

Candidate GcEngineImpl::MakeCandidate(uint32_t z) const {
  const ZoneMeta& m = zones_[z];
  return {z, m.extents.live_blocks(), m.cap, clock_ - m.clock};
}

uint32_t GcEngineImpl::BestIndexed() {
  // The best of every indexed zone, as PickBest over all of them would choose,
  // scoring few. First the oldest zone of each bucket, then, below each heap
  // root, only the subtrees whose bound could still beat the best so far: no
  // zone in bucket b has less live than its floor, and every zone below a heap
  // node is younger (or as old with a higher index), so the node's score at the
  // floor bounds its subtree, ties included.
  const VictimPolicy p = opt_.policy;
  Candidate best{};
  double best_score = -1;
  bool have = false;
  auto consider = [&](uint32_t z) {
    const Candidate c = MakeCandidate(z);
    const double s = ScoreVictim(p, c);
    if (!have || Beats(s, c, best_score, best)) best = c, best_score = s, have = true;
  };
  lists_.VisitBuckets([&](uint32_t b) { return consider(lists_.Heap(b)[0].zone), true; });
  lists_.VisitBuckets([&](uint32_t b) {
    const std::vector<ZoneLists::Entry>& h = lists_.Heap(b);
    const double floor = lists_.BucketFloor(b);
    auto promising = [&](uint32_t i) {
      const Candidate at{h[i].zone, 0, 0, clock_ - h[i].clock};
      return Beats(ScoreAt(p, floor, at.age), at, best_score, best);
    };
    if (!promising(0)) return true;
    dfs_.assign({1, 2});
    while (!dfs_.empty()) {
      const uint32_t i = dfs_.back();
      dfs_.pop_back();
      if (i >= h.size() || !promising(i)) continue;
      consider(h[i].zone);
      dfs_.push_back(2 * i + 1);
      dfs_.push_back(2 * i + 2);
    }
    return true;
  });
  return have ? best.zone : ZoneLists::kNone;
}

Result<uint32_t> GcEngineImpl::PickVictim(bool consolidate) {
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
  } else if (opt_.candidates != 0) {
    // The `candidates` least-live zones (buckets in order, each in heap order).
    lists_.VisitBuckets([&](uint32_t b) {
      for (const ZoneLists::Entry& e : lists_.Heap(b)) {
        if (candidates_.size() >= opt_.candidates) return false;
        candidates_.push_back(MakeCandidate(e.zone));
      }
      return true;
    });
  } else {
    const uint32_t z = BestIndexed();
    if (z != ZoneLists::kNone) candidates_.push_back(MakeCandidate(z));
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

Status GcEngineImpl::SealOpenZoneWithMostGarbage() {
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

Status GcEngineImpl::Collect(std::unique_lock<std::mutex>& lock, bool background) {
  if (background) {
    // A writer waiting to collect goes first: the scheduler's collections
    // must not keep it out (it would wait for good behind a run of them).
    cv_.wait(lock, [&] { return !collecting_ && writers_waiting_ == 0; });
  } else {
    ++writers_waiting_;
    cv_.wait(lock, [&] { return !collecting_; });
    --writers_waiting_;
  }
  Result<uint32_t> victim = Status::NoSpace("");
  // The scheduler moves live data out of read-only zones while a destination
  // is free beyond the reserve (it frees no zone: writers never wait for it).
  if (background && !evacuate_.empty() && lists_.free_count() > opt_.reserve_zones)
    victim = evacuate_.back();
  if (!victim.ok()) victim = PickVictim();
  if (!victim.ok() && victim.status().code() == Code::kNoSpace) {
    if (SealOpenZoneWithMostGarbage().ok()) {
      victim = PickVictim();
    } else {
      victim = PickVictim(/*consolidate=*/true);
      // An entirely live victim gains a zone only if the GC zones already
      // open take all of it.
      consolidating_ = victim.ok() && zones_[*victim].extents.live_blocks() == zones_[*victim].cap;
    }
  }
  if (!victim.ok()) return victim.status();
  collecting_ = true;
  const auto t0 = std::chrono::steady_clock::now();
  Status s = Relocate(lock, *victim);
  stats_.gc_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  collecting_ = false;
  consolidating_ = false;
  cv_.notify_all();
  return s;
}

Status GcEngineImpl::ReserveDestinations(int cls, int allowed, CopyGroup& g, double birth) {
  for (uint64_t need = g.bytes; need;) {
    // A class the budget no longer allows only finishes the zone it has open
    // (Route): the rest goes on in the last allowed class, which would
    // otherwise never finish its own.
    if (open_gc_[cls] < 0 && cls >= allowed) cls = allowed - 1;
    // With no free zone left (or squeezed, or consolidating), another GC
    // class's open zone takes the data.
    if (open_gc_[cls] < 0 && (lists_.free_count() == 0 || squeeze_ || consolidating_)) {
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
      if (lists_.free_count() == 0 || consolidating_)
        return Status::NoSpace(dev_.info().uri + ": no free zone left to relocate into");
      open_gc_[cls] = static_cast<int32_t>(Open(true, cls));
    }
    const uint32_t d = static_cast<uint32_t>(open_gc_[cls]);
    ZoneMeta& dm = zones_[d];
    const uint64_t take = std::min<uint64_t>(need / blk_, dm.cap - dm.alloc);
    // The zone's clock is the mean birth of its data while it is open.
    dm.clock =
        static_cast<uint64_t>((double(dm.clock) * dm.alloc + std::max(birth, 0.0) * double(take)) /
                              double(dm.alloc + take));
    const uint64_t at = Start(d) + uint64_t(dm.alloc) * blk_;
    g.dests.push_back({at, at + take * blk_});
    g.dest_zones.push_back(d);
    dm.alloc += static_cast<uint32_t>(take);
    g.finish_after.push_back(dm.ragged && dm.alloc == dm.cap);
    need -= take * blk_;
    if (dm.alloc == dm.cap) {
      Seal(d);
      open_gc_[cls] = -1;
    }
  }
  return Status::OK();
}

bool GcEngineImpl::Independent(const std::vector<CopyGroup>& groups) {
  std::vector<uint32_t> zones;
  int busy = 0;
  for (const CopyGroup& g : groups) {
    busy += g.bytes != 0;
    zones.insert(zones.end(), g.dest_zones.begin(), g.dest_zones.end());
  }
  std::sort(zones.begin(), zones.end());
  return busy > 1 && std::adjacent_find(zones.begin(), zones.end()) == zones.end();
}

Status GcEngineImpl::Abandon(uint32_t v, std::vector<CopyGroup>& groups, Status why) {
  for (CopyGroup& g : groups)
    for (uint32_t d : g.dest_zones) Resync(d);
  zones_[v].state = ZoneMeta::State::kFull;
  Reindex(v);
  return why;
}

Status GcEngineImpl::Relocate(std::unique_lock<std::mutex>& lock, uint32_t v) {
  ZoneMeta& vm = zones_[v];
  if (lists_.Indexed(v)) lists_.Remove(v);
  vm.state = ZoneMeta::State::kCollecting;
  dying_.clear();
  std::vector<Extent> sources;
  vm.extents.ForEach([&](uint32_t s, uint32_t n) {
    sources.push_back({Start(v) + uint64_t(s) * blk_, uint64_t(n) * blk_});
  });
  const int k = opt_.gc_classes;
  const uint64_t now = clock_;
  const double mean_life = MeanLifetime();
  RecordVictimLifespan(vm);
  const bool sepbit = SepBitSplit();
  const double sepbit_band = sepbit ? 4 * SepBitUnit() : 0;  // SepBIT: 4l, 16l, ...
  // Live data is classed by its age (SepBIT's observation: data that is still
  // live long after it was written is likely to live long), not by how often
  // it was collected: hot data in a hot victim survives a collection or two
  // and is still hot.
  // Nor, while the spare allows only two user classes, does data move to a
  // younger class than it was in: what the long-lived user class holds was
  // written as long-lived, and a GC victim's data has been judged at least as
  // old as its class before. With three user classes the middle one holds
  // data between l and the mean lifetime, and age alone sorts it better.
  const bool keep_order = !sepbit && Budget(true).first < 3;
  const int oldest_yet = !keep_order ? 0 : vm.gc ? vm.cls : std::min<int>(vm.cls, 1);
  std::vector<double> births(sources.size());
  std::vector<uint8_t> cls(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    births[i] = BirthOf(v, sources[i].offset);
    const double age = double(now) - births[i];
    const int by_age =
        sepbit ? ClassForAgeFrom(age, sepbit_band, k) : ClassForAge(age, mean_life, k);
    cls[i] = static_cast<uint8_t>(std::min(std::max(by_age, oldest_yet), k - 1));
  }
  // The owner is asked without the engine mutex: its callbacks may take its
  // own lock, which it may hold while it calls OnWrite or OnInvalidate (never
  // while it calls Allocate or CollectOnce, which wait for this collection).
  lock.unlock();
  bool known_deaths = false;
  if (k > 1) {
    OwnerCall in_owner(owner_thread_);
    for (size_t i = 0; i < sources.size(); ++i)
      if (const uint64_t dies = owner_.DiesAt(sources[i])) {
        cls[i] = static_cast<uint8_t>(
            ClassForRemainingLife(dies > now ? double(dies - now) : 0, mean_life, k));
        known_deaths = true;
      }
  }
  lock.lock();
  told_ = told_ || known_deaths;
  const int allowed = Budget(known_deaths).second;
  for (uint8_t& c : cls) c = static_cast<uint8_t>(Route(open_gc_, k, allowed, c));
  std::vector<CopyGroup> groups(k);
  std::vector<double> birth_sum(k);
  for (size_t i = 0; i < sources.size(); ++i) {
    groups[cls[i]].sources.push_back(sources[i]);
    groups[cls[i]].bytes += sources[i].length;
    birth_sum[cls[i]] += births[i] * double(sources[i].length);
  }
  for (int c = 0; c < k; ++c) {
    if (!groups[c].bytes) continue;
    const double birth = birth_sum[c] / double(groups[c].bytes);
    if (Status s = ReserveDestinations(c, allowed, groups[c], birth); !s.ok())
      return Abandon(v, groups, s);
    groups[c].before = copiers_[c]->stats();
  }
  lock.unlock();
  // One batch per class, each to its own zone: submitted together.
  // A batch goes down a destination at a time, so that a ragged zone (its
  // capacity not whole blocks) is finished before the next destination
  // opens: the device's open/active count never exceeds the engine's share.
  auto copy = [&](int c) {
    IoPhaseScope phase(IoPhase::kGcCopy);  // per thread: copies may run on pool threads
    CopyGroup& g = groups[c];
    CopyPlan all;
    size_t si = 0;
    uint64_t in = 0;  // bytes of sources[si] already given to a destination
    for (size_t di = 0; di < g.dests.size(); ++di) {
      const Destination& d = g.dests[di];
      std::vector<Extent> part;
      for (uint64_t room = d.end - d.wp; room && si < g.sources.size();) {
        const Extent& e = g.sources[si];
        const uint64_t n = std::min(room, e.length - in);
        part.push_back({e.offset + in, n});
        room -= n, in += n;
        if (in == e.length) ++si, in = 0;
      }
      if (part.empty()) break;
      auto p = copiers_[c]->Copy(part, std::span(&d, 1));
      if (!p.ok()) {
        g.plan = p.status();
        return;
      }
      all.commands.insert(all.commands.end(), p->commands.begin(), p->commands.end());
      all.placements.insert(all.placements.end(), p->placements.begin(), p->placements.end());
      all.bytes += p->bytes;
      if (g.finish_after[di]) {
        IoPhaseScope finish(IoPhase::kRepair);
        if (Status f = dev_.FinishZone(Start(g.dest_zones[di])); !f.ok()) {
          g.plan = f;
          return;
        }
      }
    }
    g.plan = std::move(all);
  };
  if (Independent(groups)) {
    std::vector<std::function<void()>> tasks;
    for (int c = 0; c < k; ++c)
      if (groups[c].bytes) tasks.push_back([&copy, c] { copy(c); });
    ParallelInvoke(tasks);
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
  auto accepted = Result<std::vector<bool>>(std::vector<bool>{});
  if (!moves.empty()) {
    OwnerCall in_owner(owner_thread_);
    accepted = owner_.Relocate(moves);
  }
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
  return ResetVictim(lock, v);
}

Status GcEngineImpl::ResetVictim(std::unique_lock<std::mutex>& lock, uint32_t v) {
  ZoneMeta& vm = zones_[v];
  if (vm.degraded) {
    // A read-only zone is never reset: its data has moved out, and it is out
    // of use for good.
    gauge_.Dropped(vm.gc, vm.extents.live_blocks());
    vm.extents.Clear();
    vm.state = ZoneMeta::State::kUnusable;
    std::erase(evacuate_, v);
    ++stats_.collections;
    return Status::OK();
  }
  if (vm.probe) {  // what is still live in it survived
    probe_.Collected(v, clock_, MeanLifetime(), blk_);
    vm.probe = false;
  }
  // The owner has remapped everything: what the victim still counts is dead.
  gauge_.Dropped(vm.gc, vm.extents.live_blocks());
  vm.extents.Clear();
  // The victim is kCollecting and on no list while collecting_ is set, so no
  // other path touches it while the mutex is released.
  lock.unlock();
  Status reset;
  {
    IoPhaseScope phase(IoPhase::kZoneReset);
    {
      OwnerCall in_owner(owner_thread_);
      reset = owner_.BeforeReset(v);
    }
    if (reset.ok()) reset = dev_.ResetZone(Start(v));
  }
  lock.lock();
  if (!reset.ok()) {
    // Back among the victims, entirely dead: the next collection picks it
    // (no live data to copy) and tries the reset again.
    vm.state = ZoneMeta::State::kFull;
    vm.alloc = vm.written = vm.cap;
    Reindex(v);
    return reset.WithContext("reset of GC victim zone " + std::to_string(v) +
                             " failed (it is kept for another try)");
  }
  vm.state = ZoneMeta::State::kFree;
  vm.alloc = vm.written = 0;
  lists_.PushFree(v);
  ++stats_.zones_reset;
  ++stats_.collections;
  return Status::OK();
}

void GcEngineImpl::AddRelocated(uint64_t offset, uint64_t length) {
  for (uint64_t off = offset; off < offset + length;) {
    const uint32_t z = static_cast<uint32_t>(off / zone_size_);
    ZoneMeta& m = zones_[z];
    const uint64_t n = std::min(offset + length, Start(z) + uint64_t(m.cap) * blk_) - off;
    m.extents.Append(static_cast<uint32_t>((off - Start(z)) / blk_),
                     static_cast<uint32_t>(n / blk_));
    gauge_.Added(true, n / blk_);
    m.written += static_cast<uint32_t>(n / blk_);
    Reindex(z);
    off += n;
  }
}

void GcEngineImpl::InvalidateLocked(Extent e) {
  for (uint64_t off = e.offset; off < e.end();) {
    const uint32_t z = static_cast<uint32_t>(off / zone_size_);
    const uint64_t n = std::min(e.end(), Start(z) + zone_size_) - off;
    if (zones_[z].probe)
      probe_.Died(z, static_cast<uint32_t>((off - Start(z)) / blk_),
                  static_cast<uint32_t>(n / blk_), clock_, MeanLifetime(), blk_);
    const uint32_t died = zones_[z].extents.Invalidate(
        static_cast<uint32_t>((off - Start(z)) / blk_), static_cast<uint32_t>(n / blk_));
    // Data dying in a victim being copied dies at its copy too (applied once
    // the copy's placements are known).
    if (died && zones_[z].state == ZoneMeta::State::kCollecting) dying_.push_back({off, n});
    if (died) gauge_.Died(zones_[z].gc, died);
    if (died) Reindex(z);
    off += n;
  }
}

void GcEngineImpl::Resync(uint32_t d) {
  ZoneMeta& dm = zones_[d];
  auto z = dev_.ReportZone(Start(d));
  uint32_t wp = dm.cap;
  if (z.ok() && z->cond != ZoneCondition::kFull) {
    const uint64_t at = z->wp - Start(d);
    wp = static_cast<uint32_t>(std::min<uint64_t>(at / blk_, dm.cap));
    // A copy that stopped inside a block leaves a write pointer nothing can
    // continue from: the zone is finished (by Repair, at the next call that
    // writes) and its tail is dead.
    if (at % blk_ || wp == dm.cap) {
      if (std::find(to_finish_.begin(), to_finish_.end(), d) == to_finish_.end())
        to_finish_.push_back(d);
      wp = dm.cap;
    }
  } else if (!z.ok() && std::find(to_finish_.begin(), to_finish_.end(), d) == to_finish_.end()) {
    to_finish_.push_back(d);  // unknown: finish it rather than write at a guess
  }
  dm.written = dm.alloc = wp;  // landed bytes are garbage but occupy the zone
  if (dm.alloc == dm.cap && dm.state == ZoneMeta::State::kOpen) {
    for (int c = 0; c < opt_.gc_classes; ++c)
      if (open_gc_[c] == static_cast<int32_t>(d)) open_gc_[c] = -1;
    Seal(d);
  }
  Reindex(d);
}

}  // namespace zgc
