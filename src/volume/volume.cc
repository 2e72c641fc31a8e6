// zgc::Volume (volume.h): a block map journaled in the metadata log, owner of
// the GC engine.
#include "zgc/volume.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/volume/map_record.h"

namespace zgc {

namespace {

constexpr uint64_t kConfigMagic = 0x31304c4f56434751ull;  // "QGCVOL01" little-endian
constexpr uint32_t kConfigVersion = 1;
// Map records (src/volume/map_record.h) carry the map's changes; a
// checkpoint holds the whole map.
using map_record::Entry;
// Map changes wait in memory for the next Flush, Relocate or zone reset,
// which journals them as one record (each write its own record cost 24 bytes
// of header for 8 of content); past this many they are journaled anyway.
constexpr size_t kPendingMax = 2048;
constexpr uint64_t kB = Volume::kBlock;

struct Layout {
  uint32_t log_first = 0, log_zones = 0;
  uint64_t logical_blocks = 0;
};

std::vector<std::byte> EncodeConfig(const Layout& l) {
  std::vector<std::byte> b(32);
  PutLe<uint64_t>(&b[0], kConfigMagic);
  PutLe<uint32_t>(&b[8], kConfigVersion);
  PutLe<uint32_t>(&b[12], l.log_first);
  PutLe<uint32_t>(&b[16], l.log_zones);
  PutLe<uint64_t>(&b[24], l.logical_blocks);
  return b;
}

Result<Layout> DecodeConfig(std::span<const std::byte> b) {
  if (b.size() != 32)
    return Status::Corruption("volume config in the log superblock: wrong length");
  const uint64_t magic = GetLe<uint64_t>(&b[0]);
  const uint32_t version = GetLe<uint32_t>(&b[8]);
  if (magic != kConfigMagic) return Status::Corruption("volume config: bad magic (not a volume)");
  if (version > kConfigVersion)
    return Status::NotSupported("volume config: format version " + std::to_string(version) +
                                " is newer than this zgc's");
  Layout l;
  l.log_first = GetLe<uint32_t>(&b[12]);
  l.log_zones = GetLe<uint32_t>(&b[16]);
  l.logical_blocks = GetLe<uint64_t>(&b[24]);
  return l;
}

// Where the log goes: the device's first sequential zones; and the engine's
// options for the zones after it.
Result<Layout> Plan(ZonedDevice& device, const VolumeOptions& o, GcOptions* gc) {
  const DeviceInfo& info = device.info();
  if (info.logical_block_size > kB || kB % info.logical_block_size)
    return Status::InvalidArgument(info.uri +
                                   ": a volume of 4 KiB blocks needs a logical block "
                                   "size that divides 4096, not " +
                                   std::to_string(info.logical_block_size));
  if (!info.stores_data)
    return Status::NotSupported(info.uri + ": the device keeps no data (metadata only)");
  // The map holds device block + 1 in 32 bits.
  if (info.capacity_bytes() / kB >= (uint64_t(1) << 32))
    return Status::InvalidArgument(info.uri + ": a volume addresses at most 16 TiB of device (" +
                                   std::to_string(info.capacity_bytes()) + " bytes)");
  Layout l;
  l.log_first = info.nr_conventional_zones;
  l.log_zones = o.log_zones;
  *gc = o.gc;
  gc->first_zone = l.log_first + l.log_zones;
  gc->zones = 0;
  gc->owner_active_zones = 1;  // the log's open zone
  if (gc->first_zone >= info.nr_zones)
    return Status::InvalidArgument(info.uri + ": " + std::to_string(info.nr_zones) +
                                   " zones are too few for a log of " +
                                   std::to_string(o.log_zones) + " zones and GC");
  // MaxLiveBytes refuses what Check would.
  auto max_live = GcEngine::MaxLiveBytes(device, *gc);
  if (!max_live.ok())
    return max_live.status().code() == Code::kNoSpace
               ? Status::InvalidArgument(max_live.status().message() + " (after the volume's " +
                                         std::to_string(o.log_zones) + " log zones)")
               : max_live.status();
  if (o.logical_bytes % kB) return Status::InvalidArgument("volume size is not whole 4 KiB blocks");
  if (o.logical_bytes > *max_live)
    return Status::InvalidArgument(info.uri + ": a volume of " + std::to_string(o.logical_bytes) +
                                   " bytes is larger than the device allows (" +
                                   std::to_string(*max_live) + " beside the log and GC reserve)");
  if (!(o.spare >= 0 && o.spare < 1))
    return Status::InvalidArgument("volume spare is not in [0, 1)");
  l.logical_blocks = o.logical_bytes
                         ? o.logical_bytes / kB
                         : static_cast<uint64_t>(double(*max_live / kB) * (1 - o.spare));
  if (l.logical_blocks == 0) return Status::InvalidArgument(info.uri + ": no room for a volume");
  return l;
}

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
  VolumeImpl(ZonedDevice& dev, Layout l, bool background_gc)
      : dev_(dev),
        layout_(l),
        background_(background_gc),
        l2p_(l.logical_blocks, 0),
        device_blocks_(dev.info().capacity_bytes() / kB) {}
  ~VolumeImpl() override {
    if (gc_) (void)gc_->Stop();
  }

  Status Recover(const LogRecovery& rec, const GcOptions& gco) {
    if (rec.checkpoint) {
      if (rec.checkpoint->data.size() != l2p_.size() * 4)
        return Status::Corruption(dev_.info().uri + ": volume checkpoint (up to record " +
                                  std::to_string(rec.checkpoint->last_seq) + ") holds " +
                                  std::to_string(rec.checkpoint->data.size()) +
                                  " bytes, expected " + std::to_string(l2p_.size() * 4));
      GetLeU32s(rec.checkpoint->data.data(), l2p_.data(), l2p_.size());
      last_seq_ = rec.checkpoint->last_seq;
    }
    for (const LogRecord& r : rec.records) {
      Status s = map_record::Decode(r.type, r.data, [&](uint64_t lba, uint64_t pba1) {
        if (lba >= l2p_.size() || pba1 > device_blocks_)
          return Status::Corruption("maps block " + std::to_string(lba) + " out of range");
        l2p_[lba] = static_cast<uint32_t>(pba1);
        return Status::OK();
      });
      if (!s.ok())
        return Status::Corruption(dev_.info().uri + ": volume log record " + std::to_string(r.seq) +
                                  ": " + s.message());
      last_seq_ = r.seq;
    }
    // Which device blocks are mapped (a bit each, for recovery only: the
    // volume keeps no reverse map), then the live extents: runs of mapped
    // device blocks within a zone, found a 64-bit word at a time.
    std::vector<uint64_t> mapped((device_blocks_ + 63) / 64);
    const uint64_t first_block = uint64_t(gco.first_zone) * (dev_.info().zone_size / kB);
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
      word |= bit;
    }
    const std::vector<Extent> live = LiveExtents(mapped, dev_.info().zone_size / kB);
    ZGC_ASSIGN_OR_RETURN(gc_, GcEngine::Resume(dev_, *this, gco, live));
    return background_ ? gc_->Start() : Status::OK();
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

  Status Read(uint64_t offset, std::span<std::byte> data) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, data.size()));
    // Held across the device reads: a victim is not reset under a read.
    std::shared_lock lock(map_mu_);
    for (uint64_t i = 0; i < data.size() / kB;) {
      const uint64_t lba = offset / kB + i;
      const uint32_t p = l2p_[lba];
      uint64_t n = 1;
      while (i + n < data.size() / kB && (p ? l2p_[lba + n] == p + n : l2p_[lba + n] == 0)) ++n;
      auto part = data.subspan(i * kB, n * kB);
      if (p) {
        ZGC_RETURN_IF_ERROR(dev_.Read(uint64_t(p - 1) * kB, part));
      } else {
        std::memset(part.data(), 0, part.size());
      }
      i += n;
    }
    return Status::OK();
  }

  Status Write(uint64_t offset, std::span<const std::byte> data, bool fua) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, data.size()));
    ZGC_RETURN_IF_ERROR(Failed());
    if (data.empty()) return Status::OK();
    {
      std::lock_guard order(write_mu_);  // zones take writes in allocation order
      uint64_t lba = offset / kB;
      while (!data.empty()) {
        WriteHint hint;
        {
          std::shared_lock lock(map_mu_);
          if (l2p_[lba]) hint.replaces = Extent{uint64_t(l2p_[lba] - 1) * kB, kB};
        }
        auto a = gc_->Allocate(data.size(), hint);
        // A full volume is an answer, not a failure: nothing changed.
        if (!a.ok()) return a.status().code() == Code::kNoSpace ? a.status() : Poison(a.status());
        ZGC_RETURN_IF_ERROR(Poison(dev_.Write(a->offset, data.first(a->length))));
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
  // from what is durable). Reads keep working.
  Status Failed() const {
    std::lock_guard lock(fail_mu_);
    return failed_;
  }
  Status Poison(Status s) {
    if (s.ok()) return s;
    std::lock_guard lock(fail_mu_);
    if (failed_.ok())
      failed_ = Status(s.code(), dev_.info().uri +
                                     ": volume is read-only after an error (reopen it to "
                                     "recover): " +
                                     s.message());
    return s;
  }

  // Points n blocks from lba at device blocks from pba (pba = ~0: unmapped),
  // queues the change for the log, and tells the engine the old places died.
  // The change is journaled before any of those places is reset (BeforeReset
  // journals and syncs), so the durable map never points into a reset zone.
  Status Map(uint64_t lba, uint64_t pba, uint64_t n) {
    std::unique_lock lock(map_mu_);
    std::vector<Extent> dead;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t p1 = pba == ~0ull ? 0 : pba + i + 1;
      const uint64_t l = lba + i;
      pending_.push_back({static_cast<uint32_t>(l), static_cast<uint32_t>(p1)});
      if (const uint32_t old = l2p_[l]) {
        const uint64_t at = uint64_t(old - 1) * kB;
        if (!dead.empty() && dead.back().end() == at)
          dead.back().length += kB;
        else
          dead.push_back({at, kB});
      }
      l2p_[l] = static_cast<uint32_t>(p1);
    }
    if (pending_.size() >= kPendingMax) ZGC_RETURN_IF_ERROR(JournalPending());
    for (const Extent& e : dead) ZGC_RETURN_IF_ERROR(gc_->OnInvalidate(e));
    return Status::OK();
  }

  // Appends the pending map changes to the log (map_mu_ held exclusively):
  // records of at most kPendingMax entries, in order.
  Status JournalPending() {
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
  // group commit). The exclusive lock also waits for readers.
  Status JournalAndSync() {
    uint64_t seq;
    {
      std::unique_lock lock(map_mu_);
      ZGC_RETURN_IF_ERROR(Poison(JournalPending()));
      seq = last_seq_;
    }
    return Poison(log_->Sync(seq));
  }

  Status Trim(uint64_t offset, uint64_t length) override {
    ZGC_RETURN_IF_ERROR(CheckRange(offset, length));
    ZGC_RETURN_IF_ERROR(Failed());
    std::lock_guard order(write_mu_);
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
    ZGC_RETURN_IF_ERROR(Failed());
    return JournalAndSync();
  }

  Status Close() override {
    Status s = gc_->Stop();
    if (s.ok()) s = Failed();
    if (s.ok()) s = Flush();
    if (s.ok()) s = Poison(log_->Checkpoint());
    return s;
  }

  // GcOwner: remap what is still where the engine copied it from. The volume
  // keeps no reverse map (its mapping memory is the 4-byte forward map alone),
  // so the owners of the moved blocks are found by one pass over the forward
  // map, under the shared lock (reads go on); the remap then takes the lock
  // exclusively and skips blocks rewritten in between. The engine moves one
  // victim per call, so the pass's table is one zone's worth.
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    ZGC_RETURN_IF_ERROR(Failed());
    std::vector<bool> ok(moves.size(), true);
    if (moves.empty()) return ok;
    uint64_t lo = ~0ull, hi = 0;  // device blocks moved from
    for (const Move& m : moves) {
      lo = std::min(lo, m.from.offset / kB);
      hi = std::max(hi, m.from.end() / kB);
    }
    std::vector<uint32_t> owner(hi - lo, 0);  // moved-from block -> lba + 1
    {
      std::shared_lock lock(map_mu_);
      for (uint64_t lba = 0; lba < l2p_.size(); ++lba) {
        const uint64_t p1 = l2p_[lba];
        if (p1 > lo && p1 <= hi) owner[p1 - 1 - lo] = static_cast<uint32_t>(lba + 1);
      }
    }
    {
      std::unique_lock lock(map_mu_);
      for (const Move& m : moves) {
        for (uint64_t i = 0; i < m.from.length / kB; ++i) {
          const uint64_t from = m.from.offset / kB + i, to = m.to / kB + i;
          const uint32_t l1 = owner[from - lo];
          if (!l1 || l2p_[l1 - 1] != from + 1) continue;  // died meanwhile: garbage at `to`
          l2p_[l1 - 1] = static_cast<uint32_t>(to + 1);
          pending_.push_back({l1 - 1, static_cast<uint32_t>(to + 1)});
        }
      }
      ZGC_RETURN_IF_ERROR(Poison(JournalPending()));
    }
    // Persisted before returning (the log flushes the copies first).
    ZGC_RETURN_IF_ERROR(Poison(log_->Sync()));
    return ok;
  }

  Status BeforeReset(uint32_t) override {
    ZGC_RETURN_IF_ERROR(Failed());
    return JournalAndSync();
  }

  // LogOwner: the map as of the last record appended; what is pending is
  // journaled first (the log calls this without its own lock held), so the
  // checkpoint covers exactly the records up to last_seq.
  Result<LogSnapshot> Snapshot() override {
    std::unique_lock lock(map_mu_);
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
    ZGC_RETURN_IF_ERROR(gc_->Stop());
    Status s = CheckQuiet();
    Status restart = background_ ? gc_->Start() : Status::OK();
    return s.ok() ? restart : s;
  }

  Status CheckQuiet() {
    std::shared_lock lock(map_mu_);
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev_.ReportAllZones());
    const uint64_t zs = dev_.info().zone_size;
    std::vector<uint64_t> per_zone(zones.size(), 0);
    std::vector<bool> mapped(device_blocks_);
    const uint32_t first = layout_.log_first + layout_.log_zones;
    for (uint64_t lba = 0; lba < l2p_.size(); ++lba) {
      if (!l2p_[lba]) continue;
      const uint64_t pba = l2p_[lba] - 1, at = pba * kB;
      const uint64_t z = at / zs;
      const Zone& zone = zones[z];
      const uint64_t written =
          zone.cond == ZoneCondition::kFull ? zone.start + zone.capacity : zone.wp;
      auto bad = [&](const std::string& why) {
        return Status::Corruption(dev_.info().uri + ": fsck: block " + std::to_string(lba) +
                                  " -> " + Hex(at) + ": " + why);
      };
      if (z < first) return bad("inside the log's zones");
      if (at + kB > written) return bad("past the zone's write pointer " + Hex(written));
      if (mapped[pba]) return bad("another block maps to the same device block");
      mapped[pba] = true;
      per_zone[z] += kB;
    }
    for (uint32_t z = first; z < zones.size(); ++z)
      if (gc_->LiveBytes(z) != per_zone[z])
        return Status::Corruption(dev_.info().uri + ": fsck: zone " + std::to_string(z) +
                                  ": the engine counts " + std::to_string(gc_->LiveBytes(z)) +
                                  " live bytes, the map " + std::to_string(per_zone[z]));
    return Status::OK();
  }

  VolumeStats Stats() const override {
    VolumeStats s;
    s.logical_bytes = size();
    {
      std::shared_lock lock(map_mu_);
      s.mapped_blocks = std::count_if(l2p_.begin(), l2p_.end(), [](uint32_t p) { return p; });
      s.map_memory_bytes = l2p_.capacity() * sizeof(uint32_t);
    }
    s.log = log_->Stats();
    s.gc = gc_->Stats();
    return s;
  }
  GcEngine& gc() override { return *gc_; }

 private:
  ZonedDevice& dev_;
  const Layout layout_;
  const bool background_;
  std::unique_ptr<LogOwner> log_owner_;  // declared before log_: destroyed after it
  std::unique_ptr<MetaLog> log_;
  std::unique_ptr<GcEngine> gc_;
  std::mutex write_mu_;
  mutable std::shared_mutex map_mu_;
  std::vector<uint32_t> l2p_;  // logical block -> device block + 1 (0: unmapped)
  const uint64_t device_blocks_;
  std::vector<Entry> pending_;  // map changes not journaled yet (under map_mu_)
  uint64_t last_seq_ = 0;       // the last record appended (under map_mu_)
  mutable std::mutex fail_mu_;  // a leaf: taken under any other lock, none under it
  Status failed_;               // the first error that made the volume read-only
};

}  // namespace

Status Volume::Format(ZonedDevice& device, const VolumeOptions& options) {
  GcOptions gc;
  ZGC_ASSIGN_OR_RETURN(Layout l, Plan(device, options, &gc));
  // Everything refusable was refused above; from here on the device is erased.
  const DeviceInfo& info = device.info();
  for (uint32_t z = gc.first_zone; z < info.nr_zones; ++z) {
    auto zone = device.ReportZone(uint64_t(z) * info.zone_size);
    if (!zone.ok()) return zone.status();
    if (zone->sequential() && zone->cond != ZoneCondition::kEmpty &&
        zone->cond != ZoneCondition::kOffline && zone->cond != ZoneCondition::kReadOnly)
      ZGC_RETURN_IF_ERROR(device.ResetZone(zone->start));
  }
  const auto config = EncodeConfig(l);
  return MetaLog::Format(device, {l.log_first, l.log_zones, true}, config);
}

Result<std::unique_ptr<Volume>> Volume::Open(ZonedDevice& device, const VolumeOptions& options) {
  const DeviceInfo& info = device.info();
  if (info.logical_block_size > kB || kB % info.logical_block_size)
    return Status::InvalidArgument(info.uri +
                                   ": a volume needs a logical block size dividing 4096");
  const LogOptions lo{info.nr_conventional_zones, options.log_zones, true};
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
  ZGC_ASSIGN_OR_RETURN(Layout l, DecodeConfig(rec.config));
  if (l.log_first != lo.first_zone || l.log_zones != lo.zones)
    return Status::InvalidArgument(info.uri + ": the volume's log is at zones " +
                                   std::to_string(l.log_first) + "+" + std::to_string(l.log_zones));
  GcOptions gco = options.gc;
  gco.first_zone = l.log_first + l.log_zones;
  gco.zones = 0;
  gco.owner_active_zones = 1;
  gco.logical_bytes = l.logical_blocks * kB;
  auto v = std::make_unique<VolumeImpl>(device, l, options.background_gc);
  pending->target = v.get();
  v->SetLog(std::move(log), std::move(pending));
  ZGC_RETURN_IF_ERROR(v->Recover(rec, gco));
  return std::unique_ptr<Volume>(std::move(v));
}

}  // namespace zgc
