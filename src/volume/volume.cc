// zgc::Volume (volume.h): a block map journaled in the metadata log, owner of
// the GC engine.
#include "zgc/volume.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/base/thread_annotations.h"
#include "src/volume/map_record.h"
#include "src/volume/volume_layout.h"
#include "src/volume/zone_readers.h"
#include "src/volume/zone_summaries.h"

namespace zgc {

namespace {

// Map records (src/volume/map_record.h) carry the map's changes; a
// checkpoint holds the whole map.
using map_record::Entry;
// Map changes wait in memory for the next Flush, Relocate or zone reset,
// which journals them as one record (each write its own record cost 24 bytes
// of header for 8 of content); past this many they are journaled anyway.
constexpr size_t kPendingMax = 2048;
constexpr uint64_t kB = Volume::kBlock;

// Runs of set bits (device blocks) as byte extents, split at zone boundaries
// (`per_zone` blocks a zone).
std::vector<Extent> LiveExtents(const std::vector<uint64_t>& bits, uint64_t per_zone) {
  std::vector<Extent> live;
  for (uint64_t w = 0; w < bits.size(); ++w) {
    uint64_t word = bits[w];
    while (word) {
      const int b = std::countr_zero(word);
      const uint64_t ones = word >> b;
      const int n = ~ones ? std::countr_zero(~ones) : 64 - b;
      word = n + b >= 64 ? 0 : word & (~uint64_t(0) << (b + n));
      for (uint64_t pba = w * 64 + b, left = n; left;) {
        const uint64_t k = std::min(left, per_zone - pba % per_zone);
        if (!live.empty() && live.back().end() == pba * kB && pba % per_zone)
          live.back().length += k * kB;
        else
          live.push_back({pba * kB, k * kB});
        pba += k, left -= k;
      }
    }
  }
  return live;
}

class VolumeImpl final : public Volume, public GcOwner, public LogOwner {
 public:
  VolumeImpl(ZonedDevice& dev, VolumeLayout l, const VolumeOptions& o)
      : dev_(dev),
        layout_(l),
        background_(o.background_gc),
        read_only_(o.read_only),
        l2p_(l.logical_blocks, 0),
        device_blocks_(dev.info().capacity_bytes() / kB),
        blocks_per_zone_(dev.info().zone_size / kB),
        readers_(dev.info().nr_zones),
        summaries_(dev.info().nr_zones, blocks_per_zone_) {}
  ~VolumeImpl() override {
    if (gc_) (void)gc_->Stop();
  }

  // Rebuilds the map from what the log recovered and adopts the zones with
  // GcEngine::Resume. Writes nothing.
  Status Recover(const LogRecovery& rec, const GcOptions& gco) {
    MutexLock lock(map_mu_);  // alone at Open; taken for the analysis
    // Every entry is checked where it comes from (the checkpoint, a record
    // at its device offset), so that corruption is named by its place.
    const uint64_t first_block = uint64_t(gco.first_zone) * blocks_per_zone_;
    auto in_range = [&](uint64_t pba1) {
      return pba1 == 0 || (pba1 > first_block && pba1 <= device_blocks_);
    };
    if (rec.checkpoint) {
      const std::string where = dev_.info().uri + ": volume checkpoint (up to record " +
                                std::to_string(rec.checkpoint->last_seq) + ", in the log zone at " +
                                Hex(rec.checkpoint_at) + ")";
      if (rec.checkpoint->data.size() != l2p_.size() * 4)
        return Status::Corruption(where + " holds " + std::to_string(rec.checkpoint->data.size()) +
                                  " bytes, expected " + std::to_string(l2p_.size() * 4));
      GetLeU32s(rec.checkpoint->data.data(), l2p_.data(), l2p_.size());
      // Two blocks at one device block is damage even when a later record
      // remaps one of them: the checkpoint itself is refused.
      std::vector<uint64_t> seen((device_blocks_ + 63) / 64);
      for (uint64_t lba = 0; lba < l2p_.size(); ++lba) {
        if (!in_range(l2p_[lba]))
          return Status::Corruption(where + ": block " + std::to_string(lba) +
                                    " maps outside the volume's data zones");
        if (!l2p_[lba]) continue;
        const uint64_t pba = l2p_[lba] - 1;
        uint64_t& word = seen[pba / 64];
        const uint64_t bit = uint64_t(1) << (pba % 64);
        if (word & bit)
          return Status::Corruption(where + ": block " + std::to_string(lba) +
                                    " maps to device block " + Hex(pba * kB) +
                                    ", which another block maps to");
        word |= bit;
      }
      last_seq_ = rec.checkpoint->last_seq;
    }
    for (const LogRecord& r : rec.records) {
      // (The analysis does not follow a lambda into its caller's lock.)
      auto apply = [&](uint64_t lba, uint64_t pba1) NO_THREAD_SAFETY_ANALYSIS {
        if (lba >= l2p_.size() || !in_range(pba1))
          return Status::Corruption("maps block " + std::to_string(lba) + " out of range");
        l2p_[lba] = static_cast<uint32_t>(pba1);
        return Status::OK();
      };
      Status s = map_record::Decode(r.type, r.data, apply);
      if (!s.ok())
        return Status::Corruption(dev_.info().uri + ": volume log record " + std::to_string(r.seq) +
                                  " at " + Hex(r.at) + ": " + s.message());
      last_seq_ = r.seq;
    }
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev_.ReportAllZones());
    offline_.assign(zones.size(), 0);
    for (size_t z = 0; z < zones.size(); ++z)
      offline_[z] = zones[z].cond == ZoneCondition::kOffline;
    // Which device blocks are mapped (a bit each, for recovery only), then
    // the live extents: runs of mapped device blocks within a zone, found a
    // 64-bit word at a time; the zone summaries are rebuilt on the way.
    // Blocks in an offline zone are lost: counted, kept in the map (a read
    // says so), never given to the engine.
    std::vector<uint64_t> mapped((device_blocks_ + 63) / 64);
    for (uint64_t lba = 0; lba < l2p_.size(); ++lba) {
      if (!l2p_[lba]) continue;
      const uint64_t pba = l2p_[lba] - 1;
      if (pba >= device_blocks_ || pba < first_block)
        return Status::Corruption(dev_.info().uri + ": block " + std::to_string(lba) +
                                  " maps outside the volume's zones");
      uint64_t& word = mapped[pba / 64];
      const uint64_t bit = uint64_t(1) << (pba % 64);
      if (word & bit)
        return Status::Corruption(dev_.info().uri + ": block " + std::to_string(lba) +
                                  " maps to device block " + Hex(pba * kB) +
                                  ", which another block maps to");
      ++mapped_;
      summaries_.Set(pba, lba);
      const Zone& zone = zones[pba / blocks_per_zone_];
      const uint64_t written =
          zone.cond == ZoneCondition::kFull || zone.cond == ZoneCondition::kReadOnly
              ? zone.start + zone.capacity
              : zone.wp;
      if (offline_[pba / blocks_per_zone_]) {
        ++lost_;
        continue;
      }
      if ((pba + 1) * kB > written)
        return Status::Corruption(dev_.info().uri + ": block " + std::to_string(lba) +
                                  " maps to device block " + Hex(pba * kB) +
                                  ", past its zone's write pointer " + Hex(written));
      word |= bit;
    }
    const std::vector<Extent> live = LiveExtents(mapped, blocks_per_zone_);
    ZGC_ASSIGN_OR_RETURN(gc_, GcEngine::Resume(dev_, *this, gco, live));
    return Status::OK();
  }
  // `owner` is the log's owner as opened (it forwards to this volume) and
  // must outlive the log.
  void SetLog(std::unique_ptr<MetaLog> log, std::unique_ptr<LogOwner> owner) {
    log_owner_ = std::move(owner);
    log_ = std::move(log);
  }

  uint64_t size() const override { return layout_.logical_blocks * kB; }

  Status CheckRange(uint64_t offset, uint64_t length) const {
    if (offset % kB || length % kB)
      return Status::InvalidArgument("volume I/O " + Hex(offset) + "+" + Hex(length) +
                                     " is not whole 4 KiB blocks");
    if (offset > size() || length > size() - offset)
      return Status::OutOfRange("volume I/O " + Hex(offset) + "+" + Hex(length) +
                                " ends past the volume's " + Hex(size()));
    return Status::OK();
  }

  Status ReadOnly() const {
    return Status::Permission(dev_.info().uri + ": the volume is open read-only");
  }

  // The mapping is resolved under the map lock, which is dropped before the
  // device is read: a read never holds a lock across I/O, so a writer (or a
  // collection's remap, a Flush) waits for at most a resolve, never for the
  // device. The zones it resolved into are entered in readers_ before the
  // lock is dropped, and BeforeReset waits for them: a victim is not reset
  // under a read that resolved into it.
  Status Read(uint64_t offset, std::span<std::byte> data) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, data.size()));
    struct Piece {
      uint64_t at;     // device offset; ~0: unmapped (zeroes)
      uint64_t first;  // the piece's first block within `data`
      uint64_t blocks;
      uint32_t zone;
    };
    std::vector<Piece> pieces;
    Status s;
    {
      MutexLock lock(map_mu_);
      for (uint64_t i = 0; i < data.size() / kB;) {
        const uint64_t lba = offset / kB + i;
        const uint32_t p = l2p_[lba];
        uint64_t n = 1;
        while (i + n < data.size() / kB && (p ? l2p_[lba + n] == p + n : l2p_[lba + n] == 0)) ++n;
        if (p) {
          const uint32_t zone = static_cast<uint32_t>((p - 1) / blocks_per_zone_);
          if (lost_ && offline_[zone]) {
            s = Status::IoError(dev_.info().uri + ": block " + std::to_string(lba) +
                                " was in zone " + std::to_string(zone) +
                                ", which the device reports offline: its data is lost");
            break;
          }
          // A run ends at its zone's end (the next zone may be offline).
          n = std::min(n, blocks_per_zone_ - (p - 1) % blocks_per_zone_);
          readers_.Enter(zone);
          pieces.push_back({uint64_t(p - 1) * kB, i, n, zone});
        } else {
          pieces.push_back({~0ull, i, n, 0});
        }
        i += n;
      }
    }
    for (const Piece& piece : pieces) {
      auto part = data.subspan(piece.first * kB, piece.blocks * kB);
      if (piece.at == ~0ull) {
        std::memset(part.data(), 0, part.size());
      } else {
        if (s.ok()) s = dev_.Read(piece.at, part);
        readers_.Leave(piece.zone);
      }
    }
    return s;
  }

  // Recovery's deferred writes and background GC start with the first change
  // (Open writes nothing): the log's repair first, so that the zones it no
  // longer needs give back their active resources before the engine opens
  // any. Under write_mu_.
  Status Prepare() REQUIRES(write_mu_) {
    if (read_only_) return ReadOnly();
    if (prepared_) return Status::OK();
    ZGC_RETURN_IF_ERROR(Poison(log_->Repair()));
    ZGC_RETURN_IF_ERROR(Poison(gc_->Repair()));
    if (background_) ZGC_RETURN_IF_ERROR(Poison(gc_->Start()));
    prepared_ = true;
    gc_running_ = background_;
    return Status::OK();
  }

  Status Write(uint64_t offset, std::span<const std::byte> data, bool fua) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, data.size()));
    if (read_only_) return ReadOnly();
    ZGC_RETURN_IF_ERROR(Failed());
    if (data.empty()) return Status::OK();
    {
      MutexLock order(write_mu_);  // zones take writes in allocation order
      ZGC_RETURN_IF_ERROR(Prepare());
      const uint64_t total = data.size();
      uint64_t lba = offset / kB;
      // A write that may span zones reserves the room it adds (its blocks
      // not mapped yet; an overwrite frees what it replaces as it goes):
      // refused whole, nothing written, rather than failing part way.
      if (total > kB) {
        uint64_t growth = 0;
        {
          MutexLock lock(map_mu_);
          for (uint64_t i = 0; i < total / kB; ++i) growth += l2p_[lba + i] == 0;
        }
        if (growth > 1) {
          Status r = gc_->Reserve(growth * kB);
          if (!r.ok()) return r.code() == Code::kNoSpace ? r : Poison(r);
        }
      }
      while (!data.empty()) {
        WriteHint hint;
        {
          MutexLock lock(map_mu_);
          if (l2p_[lba]) hint.replaces = Extent{uint64_t(l2p_[lba] - 1) * kB, kB};
        }
        auto a = gc_->Allocate(data.size(), hint);
        if (!a.ok()) {
          // A full volume is an answer, not a failure: nothing changed. Past
          // the first piece (the reservation did not hold) it is a failure,
          // and says what was written.
          if (a.status().code() == Code::kNoSpace && data.size() == total) return a.status();
          return Poison(a.status().code() == Code::kNoSpace
                            ? Status::NoSpace(a.status().message() + " (after " +
                                              std::to_string(total - data.size()) + " of " +
                                              std::to_string(total) +
                                              " bytes were written: blocks " +
                                              std::to_string(offset / kB) + ".." +
                                              std::to_string(lba - 1) + " hold the new data)")
                            : a.status());
        }
        {
          IoPhaseScope phase(IoPhase::kUserWrite);
          ZGC_RETURN_IF_ERROR(Poison(dev_.Write(a->offset, data.first(a->length))));
        }
        ZGC_RETURN_IF_ERROR(Poison(Map(lba, a->offset / kB, a->length / kB)));
        ZGC_RETURN_IF_ERROR(Poison(gc_->OnWrite({a->offset, a->length})));
        lba += a->length / kB;
        data = data.subspan(a->length);
      }
    }
    return fua ? Flush() : Status::OK();
  }

  // After a device or log error in a path that changes state, the map in
  // memory may be ahead of the log, and the engine's zones ahead of what the
  // device holds (a write pointer a failed write never moved): the volume
  // turns read-only, saying why, until it is reopened (recovery rebuilds both
  // from what is durable). Reads keep working; background GC stops (its
  // copies could not be remapped).
  Status Failed() const {
    MutexLock lock(fail_mu_);
    return failed_;
  }
  Status Poison(Status s) {
    if (s.ok()) return s;
    bool first = false;
    {
      MutexLock lock(fail_mu_);
      if (failed_.ok()) {
        first = true;
        failed_ = Status(s.code(), dev_.info().uri +
                                       ": volume is read-only after an error (reopen it to "
                                       "recover): " +
                                       s.message());
      }
    }
    if (first && gc_) gc_->Pause();
    return s;
  }

  // Points n blocks from lba at device blocks from pba (pba = ~0: unmapped),
  // queues the change for the log, and tells the engine the old places died.
  // The change is journaled before any of those places is reset (BeforeReset
  // journals and syncs), so the durable map never points into a reset zone.
  Status Map(uint64_t lba, uint64_t pba, uint64_t n) {
    MutexLock lock(map_mu_);
    std::vector<Extent> dead;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t p1 = pba == ~0ull ? 0 : pba + i + 1;
      const uint64_t l = lba + i;
      pending_.push_back({static_cast<uint32_t>(l), static_cast<uint32_t>(p1)});
      if (p1) summaries_.Set(p1 - 1, l);
      mapped_ += (p1 != 0) - (l2p_[l] != 0);
      if (const uint32_t old = l2p_[l]) {
        const uint64_t at = uint64_t(old - 1) * kB;
        if (lost_ && offline_[(old - 1) / blocks_per_zone_]) {
          --lost_;  // a lost block overwritten or trimmed: no longer lost
        } else if (!dead.empty() && dead.back().end() == at) {
          dead.back().length += kB;
        } else {
          dead.push_back({at, kB});
        }
      }
      l2p_[l] = static_cast<uint32_t>(p1);
    }
    if (pending_.size() >= kPendingMax) ZGC_RETURN_IF_ERROR(JournalPending());
    for (const Extent& e : dead) ZGC_RETURN_IF_ERROR(gc_->OnInvalidate(e));
    return Status::OK();
  }

  // Appends the pending map changes to the log (map_mu_ held; Append only
  // queues, it never waits for I/O):
  // records of at most kPendingMax entries, in order.
  Status JournalPending() REQUIRES(map_mu_) {
    for (size_t i = 0; i < pending_.size(); i += kPendingMax) {
      std::vector<Entry> part(pending_.begin() + i,
                              pending_.begin() + std::min(pending_.size(), i + kPendingMax));
      ZGC_ASSIGN_OR_RETURN(last_seq_,
                           log_->Append(map_record::kRuns, map_record::EncodeRuns(part)));
    }
    pending_.clear();
    return Status::OK();
  }
  // Journals what is pending and makes it durable, up to the last record
  // every completed change is in. The log flushes the device before it writes
  // a group, so once that record is durable so is the data it points at (one
  // device write and two flushes, shared with concurrent callers by the log's
  // group commit).
  Status JournalAndSync() {
    uint64_t seq;
    {
      MutexLock lock(map_mu_);
      ZGC_RETURN_IF_ERROR(Poison(JournalPending()));
      seq = last_seq_;
    }
    return Poison(log_->Sync(seq));
  }

  Status Trim(uint64_t offset, uint64_t length) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, length));
    if (read_only_) return ReadOnly();
    ZGC_RETURN_IF_ERROR(Failed());
    MutexLock order(write_mu_);
    ZGC_RETURN_IF_ERROR(Prepare());
    for (uint64_t lba = offset / kB, left = length / kB; left;) {
      const uint64_t n = std::min<uint64_t>(left, 4096);  // bounded records
      ZGC_RETURN_IF_ERROR(Poison(Map(lba, ~0ull, n)));
      lba += n, left -= n;
    }
    return Status::OK();
  }
  Status WriteZeroes(uint64_t offset, uint64_t length) override { return Trim(offset, length); }

  // A failed flush poisons too: after a failed cache flush the device may
  // have dropped data that a later flush would claim (fsync's lesson).
  Status Flush() override {
    if (read_only_) return ReadOnly();
    ZGC_RETURN_IF_ERROR(Failed());
    {
      MutexLock order(write_mu_);
      ZGC_RETURN_IF_ERROR(Prepare());
    }
    return JournalAndSync();
  }

  Status Close() override {
    if (read_only_) return Status::OK();
    Status gc_error = StopGc();
    ZGC_RETURN_IF_ERROR(Failed());
    // A volume this opening never changed writes nothing (Open's promise);
    // one it changed is checkpointed, so that the next Open replays little.
    bool changed;
    {
      MutexLock order(write_mu_);
      MutexLock lock(map_mu_);
      changed = prepared_ && (!pending_.empty() || last_seq_ > log_->Stats().checkpoint_seq);
    }
    if (changed) {
      ZGC_RETURN_IF_ERROR(Flush());
      ZGC_RETURN_IF_ERROR(Poison(log_->Checkpoint()));
    }
    MutexLock lock(fail_mu_);
    return gc_error.ok() ? std::exchange(gc_error_, Status::OK()) : gc_error;
  }

  // Stops the background scheduler; an error it met is reported once, by
  // whoever asks first (Close) — Check keeps it for Close.
  Status StopGc() {
    Status s = gc_->Stop();
    gc_running_ = false;
    return s;
  }

  // GcOwner: remap what is still where the engine copied it from. Each
  // moved block's owner comes from its zone's summary and is confirmed by the
  // forward map (an owner that was rewritten or trimmed since no longer maps
  // there: the copy is garbage), so a collection costs what the victim holds,
  // under the map lock for that long only.
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    ZGC_RETURN_IF_ERROR(Failed());
    std::vector<bool> ok(moves.size(), true);
    if (moves.empty()) return ok;
    {
      MutexLock lock(map_mu_);
      for (const Move& m : moves) {
        for (uint64_t i = 0; i < m.from.length / kB; ++i) {
          const uint64_t from = m.from.offset / kB + i, to = m.to / kB + i;
          const uint64_t l1 = summaries_.Owner(from);
          if (!l1 || l2p_[l1 - 1] != from + 1) continue;  // died meanwhile: garbage at `to`
          l2p_[l1 - 1] = static_cast<uint32_t>(to + 1);
          summaries_.Set(to, l1 - 1);
          pending_.push_back({static_cast<uint32_t>(l1 - 1), static_cast<uint32_t>(to + 1)});
        }
      }
      ZGC_RETURN_IF_ERROR(Poison(JournalPending()));
    }
    // Persisted before returning (the log flushes the copies first).
    IoPhaseScope phase(IoPhase::kRelocate);
    ZGC_RETURN_IF_ERROR(Poison(log_->Sync()));
    return ok;
  }

  // The map no longer points into the zone (Relocate remapped its live
  // blocks under the map lock), so no read can enter it any more: the reads
  // that resolved into it before are waited for, then it may be reset.
  Status BeforeReset(uint32_t zone) override {
    ZGC_RETURN_IF_ERROR(Failed());
    ZGC_RETURN_IF_ERROR(JournalAndSync());
    {
      MutexLock lock(map_mu_);
      summaries_.Drop(zone);  // nothing maps there; new writes make a new table
    }
    readers_.Wait(zone);
    return Status::OK();
  }

  // LogOwner: the map as of the last record appended; what is pending is
  // journaled first (the log calls this without its own lock held), so the
  // checkpoint covers exactly the records up to last_seq.
  Result<LogSnapshot> Snapshot() override {
    MutexLock lock(map_mu_);
    ZGC_RETURN_IF_ERROR(Poison(JournalPending()));
    LogSnapshot s;
    s.last_seq = last_seq_;
    s.data.resize(l2p_.size() * 4);
    PutLeU32s(s.data.data(), l2p_.data(), l2p_.size());
    return s;
  }

  Status Check() override {
    // Background GC stops first (a collection in flight counts its copies
    // live before the map moves to them); it starts again afterwards.
    const bool restart = gc_running_;
    if (restart) {
      Status s = StopGc();
      MutexLock lock(fail_mu_);
      if (!s.ok() && gc_error_.ok()) gc_error_ = s;
    }
    Status s = CheckQuiet();
    if (restart && Failed().ok()) {
      Status r = gc_->Start();
      gc_running_ = r.ok();
      if (s.ok()) s = r;
    }
    return s;
  }

  Status CheckQuiet() EXCLUDES(map_mu_) {
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev_.ReportAllZones());
    MutexLock lock(map_mu_);
    std::vector<uint64_t> per_zone(zones.size(), 0);
    std::vector<bool> mapped(device_blocks_);
    const uint32_t first = layout_.log_first + layout_.log_zones;
    uint64_t lost = 0, first_lost = 0;
    for (uint64_t lba = 0; lba < l2p_.size(); ++lba) {
      if (!l2p_[lba]) continue;
      const uint64_t pba = l2p_[lba] - 1, at = pba * kB;
      const uint64_t z = pba / blocks_per_zone_;
      const Zone& zone = zones[z];
      const uint64_t written =
          zone.cond == ZoneCondition::kFull || zone.cond == ZoneCondition::kReadOnly
              ? zone.start + zone.capacity
              : zone.wp;
      auto bad = [&](const std::string& why) {
        return Status::Corruption(dev_.info().uri + ": fsck: block " + std::to_string(lba) +
                                  " -> " + Hex(at) + ": " + why);
      };
      if (z < first) return bad("inside the log's zones");
      if (mapped[pba]) return bad("another block maps to the same device block");
      mapped[pba] = true;
      if (summaries_.Owner(pba) != lba + 1)
        return bad("the zone summary names block " +
                   std::to_string(int64_t(summaries_.Owner(pba)) - 1) + " as its owner");
      if (zone.cond == ZoneCondition::kOffline) {
        if (!lost++) first_lost = lba;
        continue;
      }
      if (at + kB > written) return bad("past the zone's write pointer " + Hex(written));
      per_zone[z] += kB;
    }
    for (uint32_t z = first; z < zones.size(); ++z) {
      if (zones[z].cond == ZoneCondition::kOffline) continue;
      if (gc_->LiveBytes(z) != per_zone[z])
        return Status::Corruption(dev_.info().uri + ": fsck: zone " + std::to_string(z) +
                                  ": the engine counts " + std::to_string(gc_->LiveBytes(z)) +
                                  " live bytes, the map " + std::to_string(per_zone[z]));
    }
    if (lost)
      return Status::IoError(dev_.info().uri + ": fsck: " + std::to_string(lost) +
                             " mapped blocks lie in offline zones and are lost (the first: block " +
                             std::to_string(first_lost) + "); the rest is consistent");
    return Status::OK();
  }

  VolumeStats Stats() const override {
    VolumeStats s;
    s.logical_bytes = size();
    {
      MutexLock lock(map_mu_);
      s.mapped_blocks = mapped_;
      s.map_memory_bytes = l2p_.capacity() * sizeof(uint32_t);
      s.summary_memory_bytes = summaries_.memory_bytes();
      s.lost_blocks = lost_;
    }
    s.log = log_->Stats();
    s.gc = gc_->Stats();
    return s;
  }
  GcEngine& gc() override { return *gc_; }

 private:
  ZonedDevice& dev_;
  const VolumeLayout layout_;
  const bool background_;
  const bool read_only_;
  std::unique_ptr<LogOwner> log_owner_;  // declared before log_: destroyed after it
  std::unique_ptr<MetaLog> log_;
  std::unique_ptr<GcEngine> gc_;
  // Lock order: write_mu_, then map_mu_, then the engine's mutex; fail_mu_
  // is a leaf.
  Mutex write_mu_;
  bool prepared_ GUARDED_BY(write_mu_) = false;  // recovery's deferred writes done, GC started
  std::atomic<bool> gc_running_{false};          // the background scheduler runs
  // A plain mutex, held only for CPU work on the map (a read's resolve, a
  // remap, journaling into the log's queue), never across device I/O: a
  // shared_mutex held across reads let readers starve writers.
  mutable Mutex map_mu_ ACQUIRED_AFTER(write_mu_);
  std::vector<uint32_t> l2p_
      GUARDED_BY(map_mu_);  // logical block -> device block + 1 (0: unmapped)
  const uint64_t device_blocks_;
  const uint64_t blocks_per_zone_;
  std::vector<uint8_t> offline_;                 // per zone, at Open: the device reports it offline
  ZoneReaders readers_;                          // reads in flight per zone (BeforeReset waits)
  ZoneSummaries summaries_ GUARDED_BY(map_mu_);  // each zone's owners (Relocate)
  uint64_t mapped_ GUARDED_BY(map_mu_) = 0;      // logical blocks mapped (Stats)
  uint64_t lost_ GUARDED_BY(map_mu_) = 0;        // mapped blocks in offline zones
  std::vector<Entry> pending_ GUARDED_BY(map_mu_);  // map changes not journaled yet
  uint64_t last_seq_ GUARDED_BY(map_mu_) = 0;       // the last record appended
  mutable Mutex fail_mu_;                 // a leaf: taken under any other lock, none under it
  Status failed_ GUARDED_BY(fail_mu_);    // the first error that made the volume read-only
  Status gc_error_ GUARDED_BY(fail_mu_);  // a background GC error Check saw, for Close
};

}  // namespace

Status Volume::Format(ZonedDevice& device, const VolumeOptions& options) {
  if (options.read_only)
    return Status::InvalidArgument(device.info().uri +
                                   ": volume Format with read_only set (it writes)");
  GcOptions gc;
  ZGC_ASSIGN_OR_RETURN(VolumeLayout l, PlanVolume(device, options, &gc));
  // Everything refusable was refused above; from here on the device is
  // erased. The log goes first: it resets its own zones durably before it
  // writes the new superblock, so a power cut leaves the old volume whole,
  // no volume, or the new one (whose engine takes the data zones' leftovers
  // for garbage).
  LogOptions lo;
  lo.first_zone = l.log_first;
  lo.zones = l.log_zones;
  lo.max_checkpoint_bytes = l.checkpoint_bytes();
  // The first checkpoint is the empty map: every logical block unmapped.
  const std::vector<std::byte> empty_map(l.checkpoint_bytes());
  ZGC_RETURN_IF_ERROR(MetaLog::Format(device, lo, EncodeVolumeConfig(l), empty_map));
  const DeviceInfo& info = device.info();
  IoPhaseScope phase(IoPhase::kFormat);
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, device.ReportAllZones());
  for (uint32_t z = gc.first_zone; z < info.nr_zones; ++z) {
    const Zone& zone = zones[z];
    if (zone.sequential() && zone.cond != ZoneCondition::kEmpty &&
        zone.cond != ZoneCondition::kOffline && zone.cond != ZoneCondition::kReadOnly)
      ZGC_RETURN_IF_ERROR(device.ResetZone(zone.start));
  }
  return device.Sync();
}

Result<std::unique_ptr<Volume>> Volume::Open(ZonedDevice& device, const VolumeOptions& options) {
  const DeviceInfo& info = device.info();
  if (info.logical_block_size > kB || kB % info.logical_block_size || info.zone_size % kB)
    return Status::InvalidArgument(info.uri +
                                   ": a volume needs a logical block size dividing 4096 and "
                                   "zones of whole 4 KiB blocks");
  LogOptions lo;
  lo.first_zone = info.nr_conventional_zones;
  lo.flush_before_write = true;
  lo.read_only = options.read_only;
  // The log is opened with the volume as its owner; the map is rebuilt from
  // what the log recovered before anything is written.
  struct Pending final : LogOwner {
    LogOwner* target = nullptr;
    Result<LogSnapshot> Snapshot() override {
      if (!target) return Status::Busy("volume: the map is not recovered yet");
      return target->Snapshot();
    }
  };
  auto pending = std::make_unique<Pending>();
  LogRecovery rec;
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<MetaLog> log, MetaLog::Open(device, lo, *pending, &rec));
  // The config is the log superblock's owner part: named by its place.
  const std::string where =
      "the log superblock at " + Hex(uint64_t(lo.first_zone) * info.zone_size);
  auto config = DecodeVolumeConfig(rec.config, info, rec.zones);
  if (!config.ok()) return config.status().WithContext(where);
  const VolumeLayout l = *config;
  if (l.log_first != lo.first_zone)
    return Status::Corruption(info.uri + ": volume config in " + where + ": its log is at zone " +
                              std::to_string(l.log_first) + ", found at zone " +
                              std::to_string(lo.first_zone));
  if (rec.max_checkpoint_bytes != l.checkpoint_bytes())
    return Status::Corruption(info.uri + ": volume config in " + where + ": " +
                              std::to_string(l.logical_blocks) +
                              " logical blocks, but the log was sized for a map of " +
                              std::to_string(rec.max_checkpoint_bytes) + " bytes");
  const GcOptions gco = EngineOptions(l, options.gc);
  auto v = std::make_unique<VolumeImpl>(device, l, options);
  pending->target = v.get();
  v->SetLog(std::move(log), std::move(pending));
  ZGC_RETURN_IF_ERROR(v->Recover(rec, gco));
  return std::unique_ptr<Volume>(std::move(v));
}

}  // namespace zgc
