// MetaLog: Format and the writer — group commit, rolls, checkpoints, repair
// (log.h; recovery is in log_recovery.cc).
#include <algorithm>
#include <random>

#include "src/base/breakage.h"
#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "src/meta/log_zones.h"
#include "src/meta/meta_log_impl.h"

namespace zgc {

namespace lf = log_format;

Result<std::vector<Zone>> ReportLogZones(ZonedDevice& device, uint64_t first_zone, uint64_t zones,
                                         uint32_t sb_bytes, bool for_open) {
  const DeviceInfo& info = device.info();
  if (first_zone + zones > info.nr_zones)
    return Status::InvalidArgument("metadata log: zones " + std::to_string(first_zone) + ".." +
                                   std::to_string(first_zone + zones - 1) +
                                   " are past the device's " + std::to_string(info.nr_zones));
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> report,
                       device.ReportZones(first_zone * info.zone_size, zones * info.zone_size));
  for (const Zone& z : report) {
    const std::string zone =
        info.uri + ": metadata log: zone " + std::to_string(z.start / info.zone_size);
    if (!z.sequential()) return Status::InvalidArgument(zone + " is conventional");
    // At Open these are device failures, not a bad request: the log's data
    // is unreadable (offline) or its zones can no longer take the log's
    // writes (read-only; ZBC and ZNS give such a zone no write pointer).
    if (z.cond == ZoneCondition::kOffline || z.cond == ZoneCondition::kReadOnly) {
      const std::string what =
          zone + (z.cond == ZoneCondition::kOffline ? " is offline" : " is read-only") +
          " (the device reports it so)";
      return for_open ? Status::IoError(what + ": the log cannot be recovered from it")
                      : Status::InvalidArgument(what);
    }
  }
  if (!report.empty() && report[0].capacity < 2ull * sb_bytes)
    return Status::InvalidArgument("metadata log: the superblock zone is too small");
  return report;
}

uint64_t MinLogCapacity(const std::vector<Zone>& report) {
  uint64_t cap = ~0ull;
  for (size_t i = 1; i < report.size(); ++i) cap = std::min(cap, report[i].capacity);
  return cap;
}

Result<uint32_t> MetaLog::CheckFormat(ZonedDevice& device, const LogOptions& options,
                                      std::span<const std::byte> config) {
  const DeviceInfo& info = device.info();
  if (config.size() > lf::kMaxConfig)
    return Status::InvalidArgument("metadata log: config of " + std::to_string(config.size()) +
                                   " bytes is larger than " + std::to_string(lf::kMaxConfig));
  if (options.first_zone >= info.nr_zones)
    return Status::InvalidArgument("metadata log: first zone " +
                                   std::to_string(options.first_zone) + " is past the device's " +
                                   std::to_string(info.nr_zones));
  const uint32_t lbs = info.logical_block_size;
  const uint32_t sb_bytes = std::max<uint32_t>(4096, lbs);
  const uint64_t avail = info.nr_zones - uint64_t(options.first_zone);
  // The checkpoint's zones K follow from the smallest log zone, and the log
  // needs 2K + 1 of them: found by growing the count until it holds.
  uint64_t n = options.zones ? options.zones : 4;
  for (int round = 0;; ++round) {
    if (n < 4 && options.zones)
      return Status::InvalidArgument("metadata log: " + std::to_string(n) +
                                     " zones are too few (the superblock's and at least 3 log "
                                     "zones)");
    if (n > avail)
      return Status::InvalidArgument(
          "metadata log: " + std::to_string(n) + " zones from zone " +
          std::to_string(options.first_zone) + " are past the device's " +
          std::to_string(info.nr_zones) +
          (options.zones ? ""
                         : " (a checkpoint of " + std::to_string(options.max_checkpoint_bytes) +
                               " bytes needs them)"));
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> report,
                         ReportLogZones(device, options.first_zone, n, sb_bytes));
    const uint64_t cap = MinLogCapacity(report);
    if (cap < 8ull * lbs)
      return Status::InvalidArgument("metadata log: zones of " + std::to_string(cap) +
                                     " bytes are too small for the log");
    const uint32_t k = lf::CheckpointZones(options.max_checkpoint_bytes, cap, lbs);
    if (k == 0) return Status::InvalidArgument("metadata log: zones are too small for the log");
    const uint64_t need = 1 + lf::MinLogZones(k);
    if (need <= n) return static_cast<uint32_t>(n);
    if (options.zones)
      return Status::InvalidArgument(
          "metadata log: a checkpoint of " + std::to_string(options.max_checkpoint_bytes) +
          " bytes spans " + std::to_string(k) + " log zones of " + std::to_string(cap) +
          " bytes, so the log needs at least " + std::to_string(need) +
          " zones (the superblock's and 2K + 1 to always be able to roll), not " +
          std::to_string(n));
    if (round > 64) return Status::Internal("metadata log: zone count does not settle");
    n = need;
  }
}

Status MetaLog::Format(ZonedDevice& device, const LogOptions& options,
                       std::span<const std::byte> config,
                       std::span<const std::byte> first_checkpoint) {
  if (options.read_only)
    return Status::InvalidArgument(device.info().uri +
                                   ": metadata log: Format with read_only set (it writes)");
  if (options.max_checkpoint_bytes == 0)
    return Status::InvalidArgument(
        "metadata log: a checkpoint bound (max_checkpoint_bytes) of 0 bytes");
  if (first_checkpoint.size() > options.max_checkpoint_bytes)
    return Status::InvalidArgument(
        "metadata log: a first checkpoint of " + std::to_string(first_checkpoint.size()) +
        " bytes is larger than the bound of " + std::to_string(options.max_checkpoint_bytes));
  ZGC_ASSIGN_OR_RETURN(const uint32_t zones, CheckFormat(device, options, config));
  const DeviceInfo& info = device.info();
  IoPhaseScope phase(IoPhase::kFormat);
  // Every zone is reset, durably, before anything is written: a power cut
  // during Format leaves the old log (resets not yet durable), no superblock
  // (an unformatted device), or the whole new log.
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> report,
                       device.ReportZones(uint64_t(options.first_zone) * info.zone_size,
                                          uint64_t(zones) * info.zone_size));
  for (const Zone& z : report)
    if (z.cond != ZoneCondition::kEmpty) ZGC_RETURN_IF_ERROR(device.ResetZone(z.start));
  ZGC_RETURN_IF_ERROR(device.Sync());
  lf::Superblock sb;
  sb.lbs = info.logical_block_size;
  sb.bytes = std::max<uint32_t>(4096, sb.lbs);
  sb.zones = zones;
  sb.zone_size = info.zone_size;
  sb.first_zone = options.first_zone;
  sb.max_checkpoint_bytes = options.max_checkpoint_bytes;
  sb.format_id = std::random_device()() | (uint64_t(std::random_device()()) << 32) | 1;
  sb.config.assign(config.begin(), config.end());
  // The first checkpoint goes down (durably) before the superblock, so that
  // every formatted log holds a complete checkpoint: Open can then take a
  // log with none for what it is, damage (a damaged or reset checkpoint
  // zone), instead of an empty log whose owner would drop every byte.
  {
    LogGeometry g = MakeLogGeometry(sb, report);
    LogState st;
    st.zones.reserve(report.size() - 1);
    for (size_t i = 1; i < report.size(); ++i)
      st.zones.push_back(LogZone{report[i].start, report[i].capacity});
    st.superblock_full = true;  // finished below, once the superblock is written
    struct First final : LogOwner {
      std::span<const std::byte> data;
      Result<LogSnapshot> Snapshot() override {
        LogSnapshot s;
        s.data.assign(data.begin(), data.end());
        return s;
      }
    } owner;
    owner.data = first_checkpoint;
    LogOptions o = options;
    o.flush_before_write = false;
    MetaLogImpl log(device, owner, o, g, std::move(st));
    ZGC_RETURN_IF_ERROR(log.Checkpoint());  // durable when it returns
  }
  std::vector<std::byte> two = lf::EncodeSuperblock(sb);
  two.insert(two.end(), two.begin(), two.end());  // two copies, back to back
  const uint64_t at = uint64_t(options.first_zone) * info.zone_size;
  ZGC_RETURN_IF_ERROR(device.Write(at, two));
  // Written once: finished, so that it holds no open or active zone.
  ZGC_RETURN_IF_ERROR(device.FinishZone(at));
  return device.Sync();
}

LogGeometry MakeLogGeometry(const lf::Superblock& sb, const std::vector<Zone>& report) {
  LogGeometry g;
  const uint64_t cap = MinLogCapacity(report);
  g.lbs = sb.lbs;
  g.zone_size = sb.zone_size;
  g.sb_bytes = sb.bytes;
  g.first_zone = sb.first_zone;
  g.zones = sb.zones;
  g.format_id = sb.format_id;
  g.max_checkpoint_bytes = sb.max_checkpoint_bytes;
  g.checkpoint_zones = cap > sb.lbs ? lf::CheckpointZones(sb.max_checkpoint_bytes, cap, sb.lbs) : 0;
  g.max_record = cap - sb.lbs - lf::kRecordHeader;
  return g;
}

MetaLogImpl::MetaLogImpl(ZonedDevice& dev, LogOwner& owner, const LogOptions& options,
                         LogGeometry g, LogState state)
    : dev_(dev),
      owner_(owner),
      options_(options),
      g_(g),
      st_(std::move(state)),
      next_seq_(st_.next_seq) {
  records_zones_ = static_cast<int>(st_.chain.size()) - st_.checkpoint_zones;
  stats_.durable_seq = st_.next_seq - 1;
  stats_.checkpoint_seq = st_.checkpoint_seq;
  stats_.zones = g_.zones;
  stats_.checkpoint_zones = g_.checkpoint_zones;
}

Result<uint64_t> MetaLogImpl::Append(uint8_t type, std::span<const std::byte> data) {
  if (options_.read_only)
    return Status::Permission(dev_.info().uri + ": the metadata log is open read-only");
  if (type == 0 || type > kMaxLogRecordType)
    return Status::InvalidArgument("metadata log: record type " + std::to_string(type) +
                                   " is not 1.." + std::to_string(kMaxLogRecordType));
  if (data.size() > g_.max_record)
    return Status::InvalidArgument("metadata log: a record of " + std::to_string(data.size()) +
                                   " bytes is larger than a log zone holds (" +
                                   std::to_string(g_.max_record) + ")");
  std::lock_guard lock(mu_);
  Queued q{next_seq_++, {}};
  lf::AppendRecord(q.bytes, q.seq, type, data);
  queue_.push_back(std::move(q));
  ++stats_.records;
  stats_.record_bytes += data.size();
  return queue_.back().seq;
}

Status MetaLogImpl::Sync(uint64_t seq) {
  std::unique_lock lock(mu_);
  if (seq >= next_seq_)
    return Status::InvalidArgument(dev_.info().uri + ": metadata log: Sync(" + std::to_string(seq) +
                                   ") names a record never appended (the "
                                   "last is " +
                                   std::to_string(next_seq_ - 1) + ")");
  if (seq == 0) seq = next_seq_ - 1;
  while (stats_.durable_seq < seq) {
    if (leader_) {
      cv_.wait(lock);
      continue;
    }
    ZGC_RETURN_IF_ERROR(Lead(lock));
  }
  return Status::OK();
}

Status MetaLogImpl::Checkpoint() {
  if (options_.read_only)
    return Status::Permission(dev_.info().uri + ": the metadata log is open read-only");
  std::unique_lock lock(mu_);
  want_checkpoint_ = true;
  const uint64_t target = checkpoints_begun_ + 1;
  while (checkpoints_done_ < target) {
    if (leader_) {
      cv_.wait(lock);
      continue;
    }
    ZGC_RETURN_IF_ERROR(Lead(lock));
  }
  return Status::OK();
}

Status MetaLogImpl::Repair() {
  if (options_.read_only)
    return Status::Permission(dev_.info().uri + ": the metadata log is open read-only");
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !leader_; });
  if (repaired_) return Status::OK();
  leader_ = true;
  lock.unlock();
  Status s = RepairZones();
  lock.lock();
  leader_ = false;
  cv_.notify_all();
  return s;
}

LogStats MetaLogImpl::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Status MetaLogImpl::Lead(std::unique_lock<std::mutex>& lock) {
  leader_ = true;
  Status s = LeadOnce(lock);
  leader_ = false;
  cv_.notify_all();
  return s;
}

Status MetaLogImpl::LeadOnce(std::unique_lock<std::mutex>& lock) {
  if (options_.read_only)
    return Status::Permission(dev_.info().uri + ": the metadata log is open read-only");
  if (!repaired_) {
    lock.unlock();
    Status s = RepairZones();
    lock.lock();
    ZGC_RETURN_IF_ERROR(s);
  }
  if (want_checkpoint_ || st_.need_checkpoint) {
    want_checkpoint_ = false;
    const uint64_t mine = ++checkpoints_begun_;
    lock.unlock();
    auto snap = owner_.Snapshot();
    lock.lock();
    if (!snap.ok()) return snap.status().WithContext("metadata log checkpoint");
    if (snap->data.size() > g_.max_checkpoint_bytes)
      return Status::Internal(dev_.info().uri + ": the owner's checkpoint of " +
                              std::to_string(snap->data.size()) +
                              " bytes is larger than the bound the log was formatted for (" +
                              std::to_string(g_.max_checkpoint_bytes) + ")");
    // What it covers needs no record of its own; the rest follows it.
    std::vector<Queued> after;
    while (!queue_.empty()) {
      if (queue_.front().seq > snap->last_seq) after.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    size_t taken = 0;
    Status s = CheckpointRoll(*snap, after, &taken);
    lock.lock();
    for (size_t i = after.size(); i-- > taken;) queue_.push_front(std::move(after[i]));
    if (!s.ok()) {
      st_.need_checkpoint = true;
      return s;
    }
    ++stats_.checkpoints;
    stats_.checkpoint_bytes += snap->data.size();
    stats_.checkpoint_seq = snap->last_seq;
    stats_.durable_seq =
        std::max({stats_.durable_seq, snap->last_seq, taken ? after[taken - 1].seq : 0});
    checkpoints_done_ = std::max(checkpoints_done_, mine);
    return Status::OK();
  }
  if (queue_.empty()) return Status::OK();
  std::vector<Queued> batch(std::make_move_iterator(queue_.begin()),
                            std::make_move_iterator(queue_.end()));
  queue_.clear();
  lock.unlock();
  size_t taken = 0;
  bool roll_with_checkpoint = false;
  Status s = WriteRecordsToTail(batch, &taken);
  if (s.ok() && taken == 0) {
    if (RecordsRollAllowed())
      s = RecordsRoll(batch, &taken);
    else
      roll_with_checkpoint = true;
  }
  lock.lock();
  for (size_t i = batch.size(); i-- > taken;) queue_.push_front(std::move(batch[i]));
  if (roll_with_checkpoint) st_.need_checkpoint = true;
  if (!s.ok()) {
    // The tail may hold part of the group: the next write starts afresh
    // with a checkpoint, which covers what was queued.
    st_.need_checkpoint = true;
    return s;
  }
  if (taken) stats_.durable_seq = std::max(stats_.durable_seq, batch[taken - 1].seq);
  return Status::OK();
}

int MetaLogImpl::FreeZones() const {
  return static_cast<int>(st_.zones.size()) - static_cast<int>(st_.chain.size());
}

bool MetaLogImpl::RecordsRollAllowed() const {
  // A records zone must leave room for a checkpoint (K free zones after it),
  // and checkpoints come at least every max(K, 1) records zones, so that
  // recovery reads a bounded log.
  const int k = breakage::log_ignores_checkpoint_reserve.load(std::memory_order_relaxed)
                    ? 0
                    : static_cast<int>(g_.checkpoint_zones);
  return !st_.chain.empty() && !st_.need_checkpoint && FreeZones() - 1 >= k &&
         (k == 0 || records_zones_ < std::max(k, 1));
}

size_t MetaLogImpl::Fill(std::vector<std::byte>& buf, const std::vector<Queued>& batch, size_t from,
                         uint64_t room) const {
  size_t n = 0;
  for (size_t i = from; i < batch.size(); ++i) {
    const uint64_t after = buf.size() + batch[i].bytes.size();
    const uint64_t padded = (after + g_.lbs - 1) / g_.lbs * g_.lbs;
    if (padded > room) break;
    buf.insert(buf.end(), batch[i].bytes.begin(), batch[i].bytes.end());
    ++n;
  }
  if (n) lf::PadToBlock(buf, g_.lbs);
  return n;
}

Status MetaLogImpl::DeviceWrite(uint64_t offset, std::span<const std::byte> data, bool checkpoint) {
  ZGC_RETURN_IF_ERROR(dev_.Write(offset, data));
  std::lock_guard lock(mu_);
  stats_.device_bytes += data.size();
  if (!checkpoint) ++stats_.groups;
  return Status::OK();
}

Status MetaLogImpl::DeviceSync() {
  Status s = dev_.Sync();
  std::lock_guard lock(mu_);
  ++stats_.flushes;
  return s;
}

Status MetaLogImpl::FinishZone(uint64_t start) {
  ZGC_RETURN_IF_ERROR(dev_.FinishZone(start));
  std::lock_guard lock(mu_);
  ++stats_.zones_finished;
  return Status::OK();
}

Status MetaLogImpl::ResetZone(int k) {
  LogZone& z = st_.zones[k];
  ZGC_RETURN_IF_ERROR(dev_.ResetZone(z.start));
  z = LogZone{z.start, z.capacity};
  std::lock_guard lock(mu_);
  ++stats_.zones_reset;
  return Status::OK();
}

Result<int> MetaLogImpl::TakeFreeZone(const std::vector<int>& taken) {
  int pick = -1;
  for (int k = 0; k < static_cast<int>(st_.zones.size()); ++k) {
    if (st_.zones[k].epoch || std::find(taken.begin(), taken.end(), k) != taken.end()) continue;
    if (std::find(st_.chain.begin(), st_.chain.end(), k) != st_.chain.end()) continue;
    if (pick < 0 || (st_.zones[pick].dirty && !st_.zones[k].dirty)) pick = k;
  }
  if (pick < 0)
    return Status::Internal(dev_.info().uri +
                            ": the metadata log has no free zone to roll to (its sizing rule "
                            "was broken)");
  if (st_.zones[pick].dirty || st_.zones[pick].written) ZGC_RETURN_IF_ERROR(ResetZone(pick));
  return pick;
}

Status MetaLogImpl::RepairZones() {
  IoPhaseScope phase(IoPhase::kRepair);
  const uint64_t sb_at = uint64_t(g_.first_zone) * g_.zone_size;
  if (!st_.superblock_full) {
    ZGC_RETURN_IF_ERROR(FinishZone(sb_at));
    st_.superblock_full = true;
  }
  for (int k = 0; k < static_cast<int>(st_.zones.size()); ++k)
    if (!st_.zones[k].epoch && st_.zones[k].dirty) ZGC_RETURN_IF_ERROR(ResetZone(k));
  for (size_t i = 0; i < st_.chain.size(); ++i) {
    LogZone& z = st_.zones[st_.chain[i]];
    const bool tail = i + 1 == st_.chain.size();
    if (z.full || (tail && !z.sealed)) continue;
    // Sealed (or a checkpoint zone it filled) before a cut undid the finish.
    ZGC_RETURN_IF_ERROR(FinishZone(z.start));
    z.full = true;
  }
  repaired_ = true;
  return Status::OK();
}

Status MetaLogImpl::WriteRecordsToTail(std::vector<Queued>& batch, size_t* taken) {
  *taken = 0;
  if (st_.chain.empty()) return Status::OK();
  LogZone& t = st_.zones[st_.chain.back()];
  if (t.sealed || t.full) return Status::OK();
  std::vector<std::byte> buf;
  if (st_.resume_at) {
    // Appends after a torn tail: the resume record says where the garbage
    // began, so that recovery skips exactly that.
    std::byte at[8];
    PutLe<uint64_t>(at, *st_.resume_at);
    lf::AppendRecord(buf, batch.front().seq, lf::kResume, at);
  }
  const size_t n = Fill(buf, batch, 0, t.capacity - t.written);
  if (n == 0) return Status::OK();
  IoPhaseScope phase(IoPhase::kLogGroup, /*only_if_unnamed=*/true);
  if (options_.flush_before_write) ZGC_RETURN_IF_ERROR(DeviceSync());
  ZGC_RETURN_IF_ERROR(DeviceWrite(t.start + t.written, buf, false));
  t.written += buf.size();
  t.full = t.written == t.capacity;
  st_.resume_at.reset();
  ZGC_RETURN_IF_ERROR(DeviceSync());
  st_.next_seq = batch[n - 1].seq + 1;
  *taken = n;
  return Status::OK();
}

Status MetaLogImpl::LeaveTail() {
  if (st_.chain.empty()) return Status::OK();
  LogZone& t = st_.zones[st_.chain.back()];
  IoPhaseScope phase(IoPhase::kLogGroup, /*only_if_unnamed=*/true);
  if (!t.full && !t.sealed) {
    std::vector<std::byte> buf;
    std::byte at[8];
    PutLe<uint64_t>(at, st_.resume_at.value_or(0));
    lf::AppendRecord(buf, st_.next_seq, lf::kSeal, at);
    lf::PadToBlock(buf, g_.lbs);
    ZGC_RETURN_IF_ERROR(DeviceWrite(t.start + t.written, buf, false));
    t.written += buf.size();
    st_.resume_at.reset();
    // The seal is durable before the zone is finished: once the device says
    // "full", its end is known from the seal, not from its write pointer.
    ZGC_RETURN_IF_ERROR(DeviceSync());
    t.sealed = true;
  }
  if (!t.full) {
    ZGC_RETURN_IF_ERROR(FinishZone(t.start));
    t.full = true;
  }
  t.sealed = true;
  return Status::OK();
}

Status MetaLogImpl::RecordsRoll(std::vector<Queued>& batch, size_t* taken) {
  *taken = 0;
  ZGC_RETURN_IF_ERROR(LeaveTail());
  ZGC_ASSIGN_OR_RETURN(const int k, TakeFreeZone({}));
  LogZone& z = st_.zones[k];
  lf::ZoneHeader h;
  h.format_id = g_.format_id;
  h.epoch = st_.max_epoch + 1;
  h.prev_epoch = st_.zones[st_.chain.back()].epoch;
  h.first_seq = batch.front().seq;
  h.kind = lf::ZoneKind::kRecords;
  std::vector<std::byte> buf = lf::EncodeZoneHeader(h, g_.lbs);
  const size_t n = Fill(buf, batch, 0, z.capacity);
  if (n == 0)
    return Status::Internal(dev_.info().uri + ": a record does not fit an empty log zone");
  IoPhaseScope phase(IoPhase::kLogGroup, /*only_if_unnamed=*/true);
  if (options_.flush_before_write) ZGC_RETURN_IF_ERROR(DeviceSync());
  st_.max_epoch = h.epoch;
  z.dirty = true;  // anything may land from here on
  ZGC_RETURN_IF_ERROR(DeviceWrite(z.start, buf, false));
  z.written = buf.size();
  z.full = z.written == z.capacity;
  ZGC_RETURN_IF_ERROR(DeviceSync());
  z.dirty = false;
  z.epoch = h.epoch;
  st_.chain.push_back(k);
  ++records_zones_;
  st_.next_seq = batch[n - 1].seq + 1;
  *taken = n;
  return Status::OK();
}

Status MetaLogImpl::CheckpointRoll(const LogSnapshot& snap, std::vector<Queued>& after,
                                   size_t* taken) {
  *taken = 0;
  IoPhaseScope phase(IoPhase::kCheckpoint);
  ZGC_RETURN_IF_ERROR(LeaveTail());
  // The checkpoint describes data the owner wrote: that data is durable first.
  if (options_.flush_before_write) ZGC_RETURN_IF_ERROR(DeviceSync());
  const uint64_t total = snap.data.size();
  const uint64_t first_seq = snap.last_seq + 1;
  uint64_t offset = 0;
  uint64_t prev = st_.chain.empty() ? 0 : st_.zones[st_.chain.back()].epoch;
  std::vector<int> zones;
  std::vector<uint64_t> epochs;
  size_t filled = 0;                       // records of `after` in the last zone
  constexpr size_t kWriteBytes = 4 << 20;  // a zone's group goes down in pieces of this
  do {
    ZGC_ASSIGN_OR_RETURN(const int k, TakeFreeZone(zones));
    zones.push_back(k);
    LogZone& z = st_.zones[k];
    const lf::ChunkPlan plan = lf::PlanChunks(total, offset, z.capacity, g_.lbs);
    if (plan.sizes.empty())
      return Status::Internal(dev_.info().uri + ": a log zone cannot hold a checkpoint chunk");
    lf::ZoneHeader h;
    h.format_id = g_.format_id;
    h.epoch = st_.max_epoch + 1;
    h.prev_epoch = prev;
    h.first_seq = first_seq;
    h.kind = offset == 0 ? lf::ZoneKind::kCheckpoint : lf::ZoneKind::kContinued;
    h.ckpt_total = total;
    h.ckpt_offset = offset;
    st_.max_epoch = h.epoch;
    z.dirty = true;
    std::vector<std::byte> buf = lf::EncodeZoneHeader(h, g_.lbs);
    auto emit = [&](bool all) -> Status {
      const size_t n = all ? buf.size() : buf.size() / g_.lbs * g_.lbs;
      if (n == 0) return Status::OK();
      ZGC_RETURN_IF_ERROR(DeviceWrite(z.start + z.written, std::span(buf).first(n), true));
      z.written += n;
      buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
      return Status::OK();
    };
    std::vector<std::byte> payload;
    for (const uint64_t n : plan.sizes) {
      payload.resize(lf::kChunkHeader + n);
      PutLe<uint64_t>(payload.data(), offset);
      if (n) std::copy_n(snap.data.begin() + offset, n, payload.begin() + lf::kChunkHeader);
      lf::AppendRecord(buf, first_seq, lf::kCheckpointChunk, payload);
      offset += n;
      if (buf.size() >= kWriteBytes) ZGC_RETURN_IF_ERROR(emit(false));
    }
    const bool last = offset == total;
    if (last) {
      // The records queued after the snapshot follow it in its last zone.
      const uint64_t room = z.capacity - z.written;
      filled = Fill(buf, after, 0, room);
    }
    lf::PadToBlock(buf, g_.lbs);
    ZGC_RETURN_IF_ERROR(emit(true));
    z.full = z.written == z.capacity;
    // A zone the checkpoint fills is finished before the next one opens: the
    // log holds one active zone at a time.
    if (!last && !z.full) {
      ZGC_RETURN_IF_ERROR(FinishZone(z.start));
      z.full = true;
    }
    epochs.push_back(h.epoch);  // the zones join the log once the checkpoint is durable
    prev = h.epoch;
  } while (offset < total);
  // Until this flush the zones stay dirty (epoch 0): a failure leaves them
  // to be reset before reuse, and the old log as it was.
  ZGC_RETURN_IF_ERROR(DeviceSync());
  *taken = filled;
  const std::vector<int> old = std::move(st_.chain);
  st_.chain = zones;
  for (size_t i = 0; i < zones.size(); ++i) {
    st_.zones[zones[i]].dirty = false;
    st_.zones[zones[i]].epoch = epochs[i];
  }
  st_.checkpoint_zones = static_cast<int>(zones.size());
  records_zones_ = 0;
  st_.need_checkpoint = false;
  st_.checkpoint_seq = snap.last_seq;
  st_.next_seq = *taken ? after[*taken - 1].seq + 1 : first_seq;
  // The zones the checkpoint makes obsolete: reset now, or by the next
  // roll that takes them (a failed reset leaves a dirty zone, not a lost one).
  for (int k : old) {
    LogZone& z = st_.zones[k];
    z.epoch = 0;
    z.dirty = true;
    IoPhaseScope reset(IoPhase::kZoneReset);
    (void)ResetZone(k);
  }
  // The resets made durable before the Sync that wrote the checkpoint
  // returns: otherwise a cut keeps the older log beside the newer one until
  // the next Sync, and should the newer zones then be lost (a reset by
  // hand), recovery takes the older log for the whole one and drops
  // acknowledged records without a trace. (A failed flush leaves the zones
  // dirty in memory and reset by the next roll, as a failed reset does.)
  if (!old.empty()) {
    IoPhaseScope reset(IoPhase::kZoneReset);
    (void)DeviceSync();
  }
  return Status::OK();
}

}  // namespace zgc
