// MetaLog: format, recovery, group commit, rolls and checkpoints (log.h).
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>

#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "zgc/log.h"

namespace zgc {

namespace lf = log_format;

namespace {

// What the log knows of one of its log zones.
struct LogZone {
  uint64_t start = 0;     // device offset
  uint64_t capacity = 0;  // bytes
  uint64_t written = 0;   // bytes from start that hold the log's data (header included)
  uint64_t epoch = 0;     // 0: not in use (empty, or garbage to reset before use)
  uint64_t max_seq = 0;   // the newest record in it
  bool dirty = false;     // holds bytes that are not this log's live data: reset before use
};

struct Geometry {
  uint32_t lbs;
  uint64_t zone_size;
  uint32_t sb_bytes;
};

Result<Geometry> CheckOptions(ZonedDevice& device, const LogOptions& o,
                              std::vector<Zone>* zones_out) {
  const DeviceInfo& info = device.info();
  if (o.zones < 3)
    return Status::InvalidArgument("metadata log: " + std::to_string(o.zones) +
                                   " zones are too few (the superblock and two log zones)");
  if (uint64_t(o.first_zone) + o.zones > info.nr_zones)
    return Status::InvalidArgument("metadata log: zones " + std::to_string(o.first_zone) + ".." +
                                   std::to_string(uint64_t(o.first_zone) + o.zones - 1) +
                                   " are past the device's " + std::to_string(info.nr_zones));
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones,
                       device.ReportZones(uint64_t(o.first_zone) * info.zone_size,
                                          uint64_t(o.zones) * info.zone_size));
  const Geometry g{info.logical_block_size, info.zone_size,
                   std::max<uint32_t>(4096, info.logical_block_size)};
  for (const Zone& z : zones) {
    if (!z.sequential() || z.cond == ZoneCondition::kOffline || z.cond == ZoneCondition::kReadOnly)
      return Status::InvalidArgument("metadata log: zone " + std::to_string(z.start / g.zone_size) +
                                     " is conventional or unusable");
    if (z.capacity < 2 * g.sb_bytes + 4 * g.lbs)
      return Status::InvalidArgument("metadata log: zones are too small");
  }
  if (zones_out) *zones_out = std::move(zones);
  return g;
}

class MetaLogImpl final : public MetaLog {
 public:
  MetaLogImpl(ZonedDevice& dev, LogOwner& owner, const LogOptions& options, Geometry g,
              uint64_t format_id, std::vector<LogZone> zones, uint64_t next_seq, uint64_t max_epoch,
              uint64_t tail_epoch)
      : dev_(dev),
        owner_(owner),
        options_(options),
        g_(g),
        format_id_(format_id),
        zones_(std::move(zones)),
        max_record_(MaxRecordBytesOf(zones_, g.lbs)),
        next_seq_(next_seq),
        max_epoch_(max_epoch),
        tail_epoch_(tail_epoch) {
    stats_.durable_seq = next_seq - 1;
  }

  Result<uint64_t> Append(uint8_t type, std::span<const std::byte> data) override {
    if (type == 0 || type > kMaxLogRecordType)
      return Status::InvalidArgument("metadata log: record type " + std::to_string(type) +
                                     " is not 1.." + std::to_string(kMaxLogRecordType));
    if (lf::RecordBytes(data.size()) > MaxRecordBytes())
      return Status::InvalidArgument("metadata log: a record of " + std::to_string(data.size()) +
                                     " bytes is larger than a log zone holds");
    std::lock_guard lock(mu_);
    return Queue(type, data);
  }

  Status Sync(uint64_t seq) override {
    std::unique_lock lock(mu_);
    if (seq == 0 || seq >= next_seq_) seq = next_seq_ - 1;
    while (stats_.durable_seq < seq) {
      if (leader_) {
        cv_.wait(lock);
        continue;
      }
      ZGC_RETURN_IF_ERROR(Lead(lock));
    }
    return Status::OK();
  }

  Status Checkpoint() override {
    std::unique_lock lock(mu_);
    want_checkpoint_ = true;
    while (want_checkpoint_ || checkpoint_seq_) {
      if (leader_) {
        cv_.wait(lock);
        continue;
      }
      ZGC_RETURN_IF_ERROR(Lead(lock));
    }
    return Status::OK();
  }

  LogStats Stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  struct Queued {
    uint64_t seq;
    std::vector<std::byte> bytes;  // the serialized record
  };

  // Fixed at construction: Append reads it without the leader's zones_.
  static uint64_t MaxRecordBytesOf(const std::vector<LogZone>& zones, uint32_t lbs) {
    uint64_t cap = ~0ull;
    for (const LogZone& z : zones) cap = std::min(cap, z.capacity);
    return cap - lbs;
  }
  uint64_t MaxRecordBytes() const { return max_record_; }

  uint64_t Queue(uint8_t type, std::span<const std::byte> data) {
    Queued q{next_seq_++, {}};
    lf::AppendRecord(q.bytes, q.seq, type, data);
    queue_.push_back(std::move(q));
    ++stats_.records;
    stats_.record_bytes += data.size();
    return queue_.back().seq;
  }

  // One round of group commit, as the leader: everything queued goes to the
  // device in as few writes as the zones allow, then one flush. A checkpoint
  // that is due is queued first (its snapshot taken without the mutex).
  Status Lead(std::unique_lock<std::mutex>& lock) {
    leader_ = true;
    Status s = LeadLocked(lock);
    // A roll made a checkpoint due: it is written in the same round, so the
    // zones it frees are free before the log needs them.
    if (s.ok() && want_checkpoint_ && !checkpoint_seq_) s = LeadLocked(lock);
    leader_ = false;
    cv_.notify_all();
    return s;
  }

  Status LeadLocked(std::unique_lock<std::mutex>& lock) {
    if (want_checkpoint_ && !checkpoint_seq_) {
      lock.unlock();
      auto snap = owner_.Snapshot();
      lock.lock();
      if (!snap.ok()) return snap.status().WithContext("metadata log checkpoint");
      QueueCheckpoint(*snap);
      want_checkpoint_ = false;
    }
    std::deque<Queued> batch;
    batch.swap(queue_);
    if (batch.empty()) return Status::OK();
    lock.unlock();
    Status s = options_.flush_before_write ? dev_.Sync() : Status::OK();
    if (s.ok()) s = WriteBatch(batch);
    if (s.ok()) s = dev_.Sync();
    lock.lock();
    ++stats_.flushes;
    if (!s.ok()) {
      // Not durable: the records go back to the front of the queue, and the
      // next write starts a fresh zone (this one may hold part of them).
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      active_ = -1;
      return s;
    }
    stats_.durable_seq = batch.back().seq;
    if (checkpoint_seq_ && stats_.durable_seq >= checkpoint_seq_) {
      checkpoint_seq_ = 0;
      lock.unlock();
      Status r = DropObsoleteZones();
      lock.lock();
      ZGC_RETURN_IF_ERROR(r);
    }
    return Status::OK();
  }

  // The snapshot as chunk records, each fitting a log zone, after everything
  // queued so far.
  void QueueCheckpoint(const LogSnapshot& snap) {
    const uint64_t chunk = MaxRecordBytes() - lf::kRecordHeader - lf::kChunkHeader - 8;
    const uint64_t total = snap.data.size();
    uint64_t off = 0;
    checkpoint_last_seq_ = snap.last_seq;
    checkpoint_first_seq_ = next_seq_;
    do {
      const uint64_t n = std::min(chunk, total - off);
      std::vector<std::byte> payload(lf::kChunkHeader + n);
      PutLe<uint64_t>(&payload[0], snap.last_seq);
      PutLe<uint64_t>(&payload[8], total);
      PutLe<uint64_t>(&payload[16], off);
      if (n) std::memcpy(&payload[lf::kChunkHeader], snap.data.data() + off, n);
      Queued q{next_seq_++, {}};
      lf::AppendRecord(q.bytes, q.seq, lf::kCheckpointChunk, payload);
      queue_.push_back(std::move(q));
      off += n;
    } while (off < total);
    checkpoint_seq_ = next_seq_ - 1;
    ++stats_.checkpoints;
    stats_.checkpoint_bytes += total;
  }

  // Writes the batch, rolling to new zones as they fill (mutex not held: only
  // the leader touches zones_ and active_).
  Status WriteBatch(const std::deque<Queued>& batch) {
    size_t i = 0;
    while (i < batch.size()) {
      if (active_ < 0) ZGC_RETURN_IF_ERROR(Roll(batch[i].seq));
      LogZone& z = zones_[active_];
      std::vector<std::byte> buf;
      const size_t first = i;
      while (i < batch.size() &&
             RoundUp(buf.size() + batch[i].bytes.size()) <= z.capacity - z.written) {
        buf.insert(buf.end(), batch[i].bytes.begin(), batch[i].bytes.end());
        ++i;
      }
      if (i == first) {  // the next record does not fit: a new zone
        active_ = -1;
        continue;
      }
      buf.resize(RoundUp(buf.size()));  // zero padding to the block: the parser skips it
      ZGC_RETURN_IF_ERROR(dev_.Write(z.start + z.written, buf));
      z.written += buf.size();
      z.max_seq = batch[i - 1].seq;
      {
        std::lock_guard lock(mu_);
        stats_.device_bytes += buf.size();
        ++stats_.groups;
      }
      if (z.written == z.capacity) active_ = -1;
    }
    return Status::OK();
  }

  uint64_t RoundUp(uint64_t n) const { return (n + g_.lbs - 1) / g_.lbs * g_.lbs; }

  // Starts the next log zone, its first record `first_seq`. A roll makes a
  // checkpoint due, so that older zones can go.
  Status Roll(uint64_t first_seq) {
    int pick = -1;
    for (size_t k = 0; k < zones_.size(); ++k)
      if (zones_[k].epoch == 0) {
        pick = static_cast<int>(k);
        break;
      }
    if (pick < 0)
      return Status::NoSpace(dev_.info().uri +
                             ": the metadata log is full: no empty log zone to roll to (its "
                             "checkpoint needs more zones than the log has)");
    LogZone& z = zones_[pick];
    if (z.dirty) {
      ZGC_RETURN_IF_ERROR(dev_.ResetZone(z.start));
      z.dirty = false;
      std::lock_guard lock(mu_);
      ++stats_.zones_reset;
    }
    const auto header =
        lf::EncodeZoneHeader({format_id_, max_epoch_ + 1, first_seq, tail_epoch_}, g_.lbs);
    // The zone counts as used (and dirty) from the moment anything may land in it.
    z.dirty = true;
    ZGC_RETURN_IF_ERROR(dev_.Write(z.start, header));
    z.epoch = ++max_epoch_;
    tail_epoch_ = z.epoch;
    z.written = header.size();
    z.max_seq = first_seq ? first_seq - 1 : 0;
    active_ = pick;
    std::lock_guard lock(mu_);
    stats_.device_bytes += header.size();
    // A checkpoint is due if it can free older zones (not for the log's first
    // zone, nor for a roll in the middle of writing a checkpoint).
    const bool older = std::any_of(zones_.begin(), zones_.end(),
                                   [&](const LogZone& o) { return o.epoch && o.epoch != z.epoch; });
    if (older && (first_seq < checkpoint_first_seq_ || !checkpoint_seq_)) want_checkpoint_ = true;
    return Status::OK();
  }

  // After a durable checkpoint: zones before the one holding its first chunk,
  // whose records it covers, are reset.
  Status DropObsoleteZones() {
    uint64_t keep_from = ~0ull;  // the epoch of the zone holding the checkpoint's first chunk
    for (const LogZone& z : zones_)
      if (z.epoch && z.max_seq >= checkpoint_first_seq_) keep_from = std::min(keep_from, z.epoch);
    for (LogZone& z : zones_) {
      if (!z.epoch || z.epoch >= keep_from || z.max_seq > checkpoint_last_seq_) continue;
      ZGC_RETURN_IF_ERROR(dev_.ResetZone(z.start));
      z = LogZone{z.start, z.capacity, 0, 0, 0, false};
      std::lock_guard lock(mu_);
      ++stats_.zones_reset;
    }
    return Status::OK();
  }

  ZonedDevice& dev_;
  LogOwner& owner_;
  const LogOptions options_;
  const Geometry g_;
  const uint64_t format_id_;
  std::vector<LogZone> zones_;  // the leader's
  const uint64_t max_record_;
  int active_ = -1;  // the zone being appended to; -1: roll first (the leader's)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool leader_ = false;
  std::deque<Queued> queue_;
  uint64_t next_seq_;
  uint64_t max_epoch_;   // the leader's: the largest epoch on the device
  uint64_t tail_epoch_;  // the leader's: the log's newest zone (the next one's predecessor)
  bool want_checkpoint_ = false;
  uint64_t checkpoint_seq_ = 0;  // the last chunk of a checkpoint not yet durable
  uint64_t checkpoint_first_seq_ = 0, checkpoint_last_seq_ = 0;
  LogStats stats_;
};

// Reads a zone's written bytes.
Result<std::vector<std::byte>> ReadWritten(ZonedDevice& dev, const Zone& z) {
  const uint64_t end = z.cond == ZoneCondition::kFull ? z.start + z.capacity : z.wp;
  std::vector<std::byte> b(end - z.start);
  if (!b.empty()) ZGC_RETURN_IF_ERROR(dev.Read(z.start, b));
  return b;
}

}  // namespace

Status MetaLog::Format(ZonedDevice& device, const LogOptions& options,
                       std::span<const std::byte> config) {
  if (config.size() > lf::kMaxConfig)
    return Status::InvalidArgument("metadata log: config of " + std::to_string(config.size()) +
                                   " bytes is larger than " + std::to_string(lf::kMaxConfig));
  ZGC_ASSIGN_OR_RETURN(Geometry g, CheckOptions(device, options, nullptr));
  for (uint32_t k = 0; k < options.zones; ++k)
    ZGC_RETURN_IF_ERROR(device.ResetZone(uint64_t(options.first_zone + k) * g.zone_size));
  lf::Superblock sb;
  sb.bytes = g.sb_bytes;
  sb.lbs = g.lbs;
  sb.zones = options.zones;
  sb.zone_size = g.zone_size;
  sb.first_zone = options.first_zone;
  sb.format_id = std::random_device()() | (uint64_t(std::random_device()()) << 32) | 1;
  sb.config.assign(config.begin(), config.end());
  std::vector<std::byte> two = lf::EncodeSuperblock(sb);
  two.insert(two.end(), two.begin(), two.end());  // two copies, back to back
  ZGC_RETURN_IF_ERROR(device.Write(uint64_t(options.first_zone) * g.zone_size, two));
  return device.Sync();
}

namespace {

// Recovery stops at the first record that does not parse. Where that is a
// torn tail, nothing valid follows it in the zone; where a valid record with
// a sequence at or after the expected one follows (at a group's block
// boundary, or right after a record whose header is intact), the log is
// corrupt, and Open must say so rather than drop what follows.
Status NoValidRecordAfter(const std::vector<std::byte>& d, size_t pos, uint64_t expected,
                          uint64_t lbs, uint64_t zone_start, const DeviceInfo& info,
                          const Status& why) {
  auto corrupt_if_valid = [&](size_t at) -> Status {
    if (at <= pos || at + log_format::kRecordHeader > d.size()) return Status::OK();
    auto r = log_format::ParseRecord(std::span(d).subspan(at));
    if (!r.ok() || r->seq < expected) return Status::OK();
    return Status::Corruption(info.uri + ": metadata log record at " + Hex(zone_start + pos) +
                              " (record " + std::to_string(expected) + "): " + why.message() +
                              "; valid record " + std::to_string(r->seq) + " follows at " +
                              Hex(zone_start + at) + " (corrupt, not torn)");
  };
  if (d.size() >= pos + log_format::kRecordHeader &&
      GetLe<uint32_t>(&d[pos]) == log_format::kRecordMagic) {
    const uint64_t size = log_format::RecordBytes(GetLe<uint32_t>(&d[pos + 8]));
    if (size < d.size()) ZGC_RETURN_IF_ERROR(corrupt_if_valid(pos + size));
  }
  for (size_t at = (pos / lbs + 1) * lbs; at < d.size(); at += lbs)
    ZGC_RETURN_IF_ERROR(corrupt_if_valid(at));
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<MetaLog>> MetaLog::Open(ZonedDevice& device, const LogOptions& options,
                                               LogOwner& owner, LogRecovery* out) {
  std::vector<Zone> zones;
  ZGC_ASSIGN_OR_RETURN(Geometry g, CheckOptions(device, options, &zones));
  LogRecovery rec;
  // The superblock: either copy will do; both bad is corruption.
  const uint64_t sb_at = zones[0].start;
  std::vector<std::byte> two(2 * g.sb_bytes);
  if (zones[0].wp < sb_at + two.size() && zones[0].cond != ZoneCondition::kFull)
    return Status::Corruption("metadata log superblock at " + Hex(sb_at) +
                              ": not written (zone write pointer " + Hex(zones[0].wp) +
                              "; was the log formatted?)");
  ZGC_RETURN_IF_ERROR(device.Read(sb_at, two));
  rec.log_bytes_read += two.size();
  auto a = lf::DecodeSuperblock(std::span(two).first(g.sb_bytes), "at " + Hex(sb_at));
  auto b = lf::DecodeSuperblock(std::span(two).last(g.sb_bytes), "at " + Hex(sb_at + g.sb_bytes));
  if (!a.ok() && a.status().code() == Code::kNotSupported) return a.status();
  if (!a.ok() && !b.ok()) return b.status().code() == Code::kNotSupported ? b.status() : a.status();
  const lf::Superblock& sb = a.ok() ? *a : *b;
  if (sb.lbs != g.lbs || sb.zone_size != g.zone_size || sb.zones != options.zones ||
      sb.first_zone != options.first_zone)
    return Status::InvalidArgument("metadata log: the superblock describes zones " +
                                   std::to_string(sb.first_zone) + "+" + std::to_string(sb.zones) +
                                   ", not the zones given");
  rec.config = sb.config;

  // The log zones that belong to this log, oldest first.
  std::vector<LogZone> lz(zones.size() - 1);
  struct Used {
    size_t k;
    lf::ZoneHeader h;
  };
  std::vector<Used> used;
  std::vector<std::vector<std::byte>> data(lz.size());
  for (size_t k = 0; k < lz.size(); ++k) {
    const Zone& z = zones[k + 1];
    lz[k].start = z.start;
    lz[k].capacity = z.capacity;
    if (z.cond == ZoneCondition::kEmpty) continue;
    lz[k].dirty = true;  // unless it turns out to be live
    ZGC_ASSIGN_OR_RETURN(data[k], ReadWritten(device, z));
    rec.log_bytes_read += data[k].size();
    if (data[k].size() < g.lbs) continue;
    auto h = lf::DecodeZoneHeader(std::span(data[k]).first(g.lbs), "at " + Hex(z.start));
    if (!h.ok() || h->format_id != sb.format_id) continue;  // torn, or an older log's: garbage
    used.push_back({k, *h});
  }
  // The log is the chain that ends at the newest zone, following each zone's
  // predecessor: zones off the chain are remnants (a reset a power cut
  // undid, a zone started by a write that never became durable): garbage.
  std::sort(used.begin(), used.end(),
            [](const Used& x, const Used& y) { return x.h.epoch < y.h.epoch; });
  uint64_t max_epoch = used.empty() ? 0 : used.back().h.epoch;
  std::vector<const Used*> chain;
  if (!used.empty()) chain.push_back(&used.back());
  while (!chain.empty() && chain.front()->h.prev_epoch) {
    auto it = std::find_if(used.begin(), used.end(),
                           [&](const Used& u) { return u.h.epoch == chain.front()->h.prev_epoch; });
    if (it == used.end()) break;  // reset: what it held is covered by a later checkpoint
    chain.insert(chain.begin(), &*it);
  }

  // Records in sequence order, up to the first torn or invalid one.
  std::vector<LogRecord> records;
  std::vector<size_t> record_zone;  // the log zone each record is in
  uint64_t expected = chain.empty() ? 1 : chain.front()->h.first_seq;
  uint64_t tail_epoch = 0;
  for (const Used* u : chain) {
    if (u->h.first_seq > expected) break;  // a gap: this zone and later ones never became durable
    // A zone started after a failed write rewrites records from first_seq on.
    while (!records.empty() && records.back().seq >= u->h.first_seq)
      records.pop_back(), record_zone.pop_back();
    expected = u->h.first_seq;
    LogZone& z = lz[u->k];
    z.epoch = u->h.epoch;
    z.dirty = false;
    tail_epoch = z.epoch;
    const std::vector<std::byte>& d = data[u->k];
    auto zeros = [&](size_t from, size_t to) {
      return std::all_of(d.begin() + from, d.begin() + to,
                         [](std::byte c) { return c == std::byte{0}; });
    };
    size_t pos = g.lbs;
    while (pos < d.size()) {
      const size_t next = std::min(d.size(), (pos / g.lbs + 1) * g.lbs);
      if (pos % g.lbs && zeros(pos, next)) {  // a group's padding
        pos = next;
        continue;
      }
      auto r = lf::ParseRecord(std::span(d).subspan(pos));
      if (!r.ok() || r->seq != expected) {
        // The end, or a torn record — unless a valid record follows in this
        // zone: a zone's writes land in order and a power cut keeps a prefix
        // of them, so a bad record with a good one after it is corruption
        // (acknowledged records would be dropped silently).
        ZGC_RETURN_IF_ERROR(NoValidRecordAfter(
            d, pos, expected, g.lbs, z.start, device.info(),
            r.ok() ? Status::Corruption("sequence " + std::to_string(r->seq) + " out of order")
                   : r.status()));
        break;
      }
      records.push_back({r->seq, r->type, {r->payload.begin(), r->payload.end()}});
      record_zone.push_back(u->k);
      ++expected;
      pos += r->size;
    }
    z.written = d.size();  // appends never follow recovered data: the next write rolls
    z.max_seq = expected - 1;
  }

  // The newest complete checkpoint, and the records after it.
  std::optional<LogSnapshot> ckpt;
  size_t ckpt_zone = 0;
  for (size_t i = 0; i < records.size();) {
    if (records[i].type != lf::kCheckpointChunk) {
      ++i;
      continue;
    }
    LogSnapshot s;
    const size_t first_chunk = i;
    uint64_t total = 0, off = 0;
    size_t j = i;
    bool whole = false;
    for (; j < records.size() && records[j].type == lf::kCheckpointChunk; ++j) {
      const auto& p = records[j].data;
      if (p.size() < lf::kChunkHeader) break;
      const uint64_t last = GetLe<uint64_t>(&p[0]), t = GetLe<uint64_t>(&p[8]),
                     o = GetLe<uint64_t>(&p[16]);
      if (j == i) s.last_seq = last, total = t;
      if (o != off || t != total || last != s.last_seq) break;
      s.data.insert(s.data.end(), p.begin() + lf::kChunkHeader, p.end());
      off += p.size() - lf::kChunkHeader;
      if (off == total) {
        whole = true;
        ++j;
        break;
      }
    }
    if (whole) ckpt = std::move(s), ckpt_zone = record_zone[first_chunk];
    i = std::max(j, i + 1);
  }
  const uint64_t after = ckpt ? ckpt->last_seq : 0;
  // Zones are reset only once a durable checkpoint covers them: records that
  // start after 1 with no checkpoint below them mean a checkpoint was lost.
  if (!chain.empty() && chain.front()->h.first_seq > 1 &&
      (!ckpt || ckpt->last_seq + 1 < chain.front()->h.first_seq))
    return Status::Corruption(
        device.info().uri + ": metadata log zone at " + Hex(lz[chain.front()->k].start) +
        " starts at record " + std::to_string(chain.front()->h.first_seq) +
        " and no valid checkpoint covers the records before it (a corrupt checkpoint)");
  // Zones before the one holding the newest checkpoint, whose records it
  // covers, are free for reuse now (reset before it): a log cut short again
  // and again never runs out of zones to roll to.
  if (ckpt)
    for (LogZone& z : lz)
      if (z.epoch && z.epoch < lz[ckpt_zone].epoch && z.max_seq <= ckpt->last_seq)
        z.epoch = 0, z.dirty = true;
  for (LogRecord& r : records)
    if (r.seq > after && r.type != lf::kCheckpointChunk) rec.records.push_back(std::move(r));
  rec.checkpoint = std::move(ckpt);
  if (out) *out = std::move(rec);
  return std::unique_ptr<MetaLog>(new MetaLogImpl(device, owner, options, g, sb.format_id,
                                                  std::move(lz), expected, max_epoch, tail_epoch));
}

}  // namespace zgc
