// MetaLog::Open: recovery (docs/FORMAT.md, "Recovery"). Reads the
// superblock and every log zone, finds the newest complete checkpoint and the
// chain of records zones after it, and refuses by name anything a power cut
// cannot explain. Writes nothing.
#include <algorithm>
#include <map>
#include <memory>

#include "src/base/breakage.h"
#include "src/base/hex.h"
#include "src/meta/log_format.h"
#include "src/meta/log_zone_parser.h"
#include "src/meta/log_zones.h"
#include "src/meta/meta_log_impl.h"

namespace zgc {

namespace lf = log_format;

namespace {

class Recovery {
 public:
  Recovery(ZonedDevice& dev, const LogOptions& options) : dev_(dev), options_(options) {}

  Result<std::unique_ptr<MetaLog>> Run(LogOwner& owner, LogRecovery* out) {
    ZGC_RETURN_IF_ERROR(ReadSuperblock());
    ZGC_RETURN_IF_ERROR(ReadZones());
    ZGC_RETURN_IF_ERROR(FindLog());
    if (out) *out = std::move(rec_);
    return std::unique_ptr<MetaLog>(new MetaLogImpl(dev_, owner, options_, g_, std::move(st_)));
  }

 private:
  const std::string& uri() const { return dev_.info().uri; }
  Status Corrupt(const std::string& what) const { return Status::Corruption(uri() + ": " + what); }
  std::string ZoneAt(int k) const { return "metadata log zone at " + Hex(st_.zones[k].start); }

  Status ReadSuperblock() {
    const DeviceInfo& info = dev_.info();
    const uint32_t lbs = info.logical_block_size;
    const uint32_t sb_bytes = std::max<uint32_t>(4096, lbs);
    if (options_.first_zone >= info.nr_zones)
      return Status::InvalidArgument(uri() + ": metadata log: first zone " +
                                     std::to_string(options_.first_zone) + " is past the device");
    ZGC_ASSIGN_OR_RETURN(Zone z, dev_.ReportZone(uint64_t(options_.first_zone) * info.zone_size));
    if (!z.sequential())
      return Status::InvalidArgument(uri() + ": metadata log: zone " +
                                     std::to_string(options_.first_zone) + " is conventional");
    if (z.cond == ZoneCondition::kOffline || z.cond == ZoneCondition::kReadOnly)
      return Status::IoError(uri() + ": metadata log superblock zone " +
                             std::to_string(options_.first_zone) + " is " +
                             (z.cond == ZoneCondition::kOffline ? "offline" : "read-only") +
                             " (the device reports it so): the log cannot be recovered from it");
    const uint64_t written = z.cond == ZoneCondition::kFull                      ? z.capacity
                             : z.cond == ZoneCondition::kEmpty || z.wp < z.start ? 0
                                                                                 : z.wp - z.start;
    if (written < sb_bytes)
      return Status::Corruption(uri() + ": metadata log superblock at " + Hex(z.start) +
                                ": not written (zone write pointer " + Hex(z.start + written) +
                                "; was the log formatted?)");
    std::vector<std::byte> two(std::min<uint64_t>(written, 2ull * sb_bytes));
    ZGC_RETURN_IF_ERROR(dev_.Read(z.start, two));
    rec_.log_bytes_read += two.size();
    auto a = lf::DecodeSuperblock(std::span(two).first(sb_bytes), "at " + Hex(z.start));
    auto b = two.size() >= 2ull * sb_bytes
                 ? lf::DecodeSuperblock(std::span(two).subspan(sb_bytes, sb_bytes),
                                        "at " + Hex(z.start + sb_bytes))
                 : Result<lf::Superblock>(Status::Corruption(
                       "metadata log superblock at " + Hex(z.start + sb_bytes) + ": not written"));
    if (!a.ok() && a.status().code() == Code::kNotSupported) return a.status().WithContext(uri());
    if (!a.ok() && !b.ok())
      return (b.status().code() == Code::kNotSupported ? b.status() : a.status())
          .WithContext(uri());
    const lf::Superblock& sb = a.ok() ? *a : *b;
    auto sb_corrupt = [&](const std::string& why) {
      return Corrupt("metadata log superblock at " + Hex(z.start) + ": " + why);
    };
    if (sb.lbs != lbs || sb.zone_size != info.zone_size)
      return sb_corrupt("describes " + std::to_string(sb.lbs) + "-byte blocks and zones of " +
                        std::to_string(sb.zone_size) + " bytes, not this device's");
    if (sb.first_zone != options_.first_zone)
      return sb_corrupt("describes a log at zone " + std::to_string(sb.first_zone) +
                        ", found at zone " + std::to_string(options_.first_zone));
    if (uint64_t(sb.first_zone) + sb.zones > info.nr_zones)
      return sb_corrupt(std::to_string(sb.zones) + " zones run past the device's " +
                        std::to_string(info.nr_zones));
    ZGC_ASSIGN_OR_RETURN(report_, ReportLogZones(dev_, sb.first_zone, sb.zones, sb_bytes,
                                                 /*for_open=*/true));
    const uint64_t cap = MinLogCapacity(report_);
    const uint32_t k = cap > lbs ? lf::CheckpointZones(sb.max_checkpoint_bytes, cap, lbs) : 0;
    if (k == 0 || sb.zones - 1 < lf::MinLogZones(k))
      return sb_corrupt("a checkpoint bound of " + std::to_string(sb.max_checkpoint_bytes) +
                        " bytes does not fit its " + std::to_string(sb.zones) + " zones");
    if (options_.zones && options_.zones != sb.zones)
      return Status::InvalidArgument(uri() + ": the metadata log has " + std::to_string(sb.zones) +
                                     " zones, not " + std::to_string(options_.zones));
    if (options_.max_checkpoint_bytes && options_.max_checkpoint_bytes != sb.max_checkpoint_bytes)
      return Status::InvalidArgument(uri() +
                                     ": the metadata log was formatted for checkpoints "
                                     "of " +
                                     std::to_string(sb.max_checkpoint_bytes) + " bytes");
    g_ = MakeLogGeometry(sb, report_);
    st_.superblock_full = z.cond == ZoneCondition::kFull;
    rec_.config = sb.config;
    rec_.zones = sb.zones;
    rec_.max_checkpoint_bytes = sb.max_checkpoint_bytes;
    return Status::OK();
  }

  Status ReadZones() {
    const size_t n = report_.size() - 1;
    st_.zones.resize(n);
    data_.resize(n);
    headers_.resize(n);
    std::map<uint64_t, int> epochs;
    for (size_t k = 0; k < n; ++k) {
      const Zone& z = report_[k + 1];
      LogZone& lz = st_.zones[k];
      lz.start = z.start;
      lz.capacity = z.capacity;
      if (z.cond == ZoneCondition::kEmpty) continue;
      lz.full = z.cond == ZoneCondition::kFull;
      lz.written = lz.full ? z.capacity : z.wp - z.start;
      lz.dirty = true;  // unless it turns out to be in the log
      data_[k].resize(lz.written);
      ZGC_RETURN_IF_ERROR(dev_.Read(z.start, data_[k]));
      rec_.log_bytes_read += lz.written;
      // A zone's first block is its header, written alone with the zone's
      // first group: a power cut keeps it whole or leaves the zone empty.
      if (lz.written < g_.lbs)
        return Corrupt(ZoneAt(int(k)) + ": holds less than its header block");
      auto h = lf::DecodeZoneHeader(std::span(data_[k]).first(g_.lbs), "at " + Hex(z.start));
      if (!h.ok() && breakage::log_takes_bad_header_for_garbage.load(std::memory_order_relaxed))
        continue;
      if (!h.ok()) return h.status().WithContext(uri());
      if (h->format_id != g_.format_id)
        return Corrupt(ZoneAt(int(k)) + ": belongs to another log (format id " + Hex(h->format_id) +
                       ", the superblock's " + Hex(g_.format_id) + ")");
      if (!epochs.emplace(h->epoch, int(k)).second)
        return Corrupt(ZoneAt(int(k)) + ": epoch " + std::to_string(h->epoch) +
                       " is also the zone at " + Hex(st_.zones[epochs[h->epoch]].start) + "'s");
      headers_[k] = *h;
      st_.max_epoch = std::max(st_.max_epoch, h->epoch);
    }
    return Status::OK();
  }

  Result<const ParsedZone*> Parsed(int k) {
    auto it = parsed_.find(k);
    if (it != parsed_.end()) return &it->second;
    ZGC_ASSIGN_OR_RETURN(ParsedZone p, ParseLogZone(data_[k], *headers_[k], st_.zones[k].start,
                                                    st_.zones[k].capacity, g_.lbs, uri()));
    return &parsed_.emplace(k, std::move(p)).first->second;
  }

  // The zones whose header names `k` as its predecessor, of `kind`.
  Result<int> Successor(int k, lf::ZoneKind kind) {
    int found = -1;
    for (int j = 0; j < static_cast<int>(headers_.size()); ++j) {
      if (!headers_[j] || headers_[j]->prev_epoch != headers_[k]->epoch ||
          headers_[j]->kind != kind)
        continue;
      if (found >= 0)
        return Corrupt(ZoneAt(j) + " and " + ZoneAt(found) + " both continue " + ZoneAt(k));
      found = j;
    }
    return found;
  }

  // The zones of the checkpoint that begins in zone k, if it is complete.
  Result<std::vector<int>> Checkpoint(int k) {
    std::vector<int> zones{k};
    uint64_t offset = 0;
    for (int cur = k;;) {
      ZGC_ASSIGN_OR_RETURN(const ParsedZone* p, Parsed(cur));
      if (!p->chunks_complete) return std::vector<int>{};  // a cut left it incomplete
      offset += p->chunk_bytes;
      if (p->ends_checkpoint) return zones;
      ZGC_ASSIGN_OR_RETURN(const int next, Successor(cur, lf::ZoneKind::kContinued));
      if (next < 0) return std::vector<int>{};
      const lf::ZoneHeader& h = *headers_[next];
      if (h.ckpt_total != headers_[k]->ckpt_total || h.first_seq != headers_[k]->first_seq ||
          h.ckpt_offset != offset)
        return Corrupt(ZoneAt(next) + ": does not continue the checkpoint of " + ZoneAt(k));
      if (zones.size() > headers_.size())
        return Corrupt(ZoneAt(k) + ": its checkpoint's zones loop");
      zones.push_back(next);
      cur = next;
    }
  }

  Status FindLog() {
    const int n = static_cast<int>(headers_.size());
    std::vector<int> starts;
    for (int k = 0; k < n; ++k)
      if (headers_[k] && headers_[k]->kind == lf::ZoneKind::kCheckpoint) starts.push_back(k);
    std::sort(starts.begin(), starts.end(),
              [&](int a, int b) { return headers_[a]->epoch > headers_[b]->epoch; });
    std::vector<int> ckpt;
    for (int k : starts) {
      ZGC_ASSIGN_OR_RETURN(ckpt, Checkpoint(k));
      if (!ckpt.empty()) break;
    }
    if (ckpt.empty()) {
      // Format writes the first checkpoint before the superblock, and a
      // checkpoint's predecessor is reset only once it is durable: a log
      // with none lost it to damage (or to a reset by hand).
      if (breakage::log_takes_bad_header_for_garbage.load(std::memory_order_relaxed) &&
          std::none_of(headers_.begin(), headers_.end(), [](const auto& h) { return h; })) {
        st_.need_checkpoint = true;  // item 1's defect whole: taken for a fresh log
        st_.next_seq = 1;
        return Status::OK();
      }
      std::string newest = "no log zone holds one: the zones at " + Hex(st_.zones.front().start) +
                           " to " + Hex(st_.zones.back().start) + " hold no zone header";
      int last = -1;
      for (int k = 0; k < n; ++k)
        if (headers_[k] && (last < 0 || headers_[k]->epoch > headers_[last]->epoch)) last = k;
      if (last >= 0)
        newest = "no log zone holds one; the newest, " + ZoneAt(last) + " (epoch " +
                 std::to_string(headers_[last]->epoch) + "), holds records only";
      if (!starts.empty())
        newest = "the newest, in " + ZoneAt(starts.front()) + " (epoch " +
                 std::to_string(headers_[starts.front()]->epoch) + "), is incomplete";
      return Corrupt("the metadata log holds no complete checkpoint (" + newest +
                     "); Format writes one first, so its zones are damaged or were reset");
    }
    // The checkpoint, then the records zones that follow it.
    std::vector<int> chain = ckpt;
    ZGC_ASSIGN_OR_RETURN(const ParsedZone* last, Parsed(ckpt.back()));
    std::vector<const ParsedZone*> parts{last};
    uint64_t expected = last->next_seq;
    for (int cur = ckpt.back();;) {
      ZGC_ASSIGN_OR_RETURN(const int next, Successor(cur, lf::ZoneKind::kRecords));
      if (next < 0) break;
      ZGC_ASSIGN_OR_RETURN(const ParsedZone* p, Parsed(cur));
      // The writer seals a zone (durably) before it starts the next one.
      const bool ended =
          p->end == ParsedZone::End::kSealed || p->end == ParsedZone::End::kFinished ||
          (p->end == ParsedZone::End::kClean && st_.zones[cur].written == st_.zones[cur].capacity);
      if (!ended)
        return Corrupt("the log continues in " + ZoneAt(next) + " after " + ZoneAt(cur) +
                       ", which does not end (no seal)");
      ZGC_ASSIGN_OR_RETURN(const ParsedZone* q, Parsed(next));
      if (q->header.first_seq != expected)
        return Corrupt(ZoneAt(next) + ": starts at record " + std::to_string(q->header.first_seq) +
                       ", after record " + std::to_string(expected - 1) + " in " + ZoneAt(cur));
      if (chain.size() >= static_cast<size_t>(n))
        return Corrupt(ZoneAt(next) + ": the log's zones loop");
      chain.push_back(next);
      parts.push_back(q);
      expected = q->next_seq;
      cur = next;
    }
    // Everything newer than the checkpoint is in the chain or a checkpoint a
    // cut left incomplete; anything else means part of the log is missing.
    const uint64_t since = headers_[ckpt.front()]->epoch;
    for (int k = 0; k < n; ++k) {
      if (!headers_[k] || headers_[k]->epoch <= since) continue;
      if (std::find(chain.begin(), chain.end(), k) != chain.end()) continue;
      if (headers_[k]->kind == lf::ZoneKind::kRecords)
        return Corrupt(ZoneAt(k) + " (epoch " + std::to_string(headers_[k]->epoch) +
                       ") holds records newer than the log's checkpoint and belongs to no chain");
    }
    const int free_zones = n - static_cast<int>(chain.size());
    if (free_zones < static_cast<int>(g_.checkpoint_zones))
      return Corrupt("the metadata log's chain of " + std::to_string(chain.size()) +
                     " zones leaves fewer than a checkpoint's " +
                     std::to_string(g_.checkpoint_zones) + " free");
    // The checkpoint's bytes, the records after it.
    LogSnapshot snap;
    snap.last_seq = headers_[ckpt.front()]->first_seq - 1;
    snap.data.reserve(headers_[ckpt.front()]->ckpt_total);
    for (int k : ckpt) {
      ZGC_ASSIGN_OR_RETURN(const ParsedZone* p, Parsed(k));
      for (const auto& c : p->chunks) snap.data.insert(snap.data.end(), c.begin(), c.end());
    }
    rec_.checkpoint = std::move(snap);
    rec_.checkpoint_at = st_.zones[ckpt.front()].start;
    for (const ParsedZone* p : parts)
      for (const auto& r : p->records)
        rec_.records.push_back({r.seq, r.type, {r.payload.begin(), r.payload.end()}, r.at});
    // The writer's state.
    for (int k : chain) {
      st_.zones[k].epoch = headers_[k]->epoch;
      st_.zones[k].dirty = false;
    }
    for (size_t i = 0; i + 1 < chain.size(); ++i) st_.zones[chain[i]].sealed = true;
    const ParsedZone* tail = parts.back();
    LogZone& t = st_.zones[chain.back()];
    if (tail->end == ParsedZone::End::kSealed || tail->end == ParsedZone::End::kFinished)
      t.sealed = true;
    if (tail->end == ParsedZone::End::kTorn) {
      st_.resume_at = tail->torn_at;
      rec_.torn_tail = true;
    }
    st_.chain = chain;
    st_.checkpoint_zones = static_cast<int>(ckpt.size());
    st_.checkpoint_seq = headers_[ckpt.front()]->first_seq - 1;
    st_.next_seq = expected;
    st_.need_checkpoint = false;
    return Status::OK();
  }

  ZonedDevice& dev_;
  const LogOptions options_;
  LogGeometry g_;
  LogState st_;
  LogRecovery rec_;
  std::vector<Zone> report_;
  std::vector<std::vector<std::byte>> data_;
  std::vector<std::optional<lf::ZoneHeader>> headers_;
  std::map<int, ParsedZone> parsed_;
};

}  // namespace

Result<std::unique_ptr<MetaLog>> MetaLog::Open(ZonedDevice& device, const LogOptions& options,
                                               LogOwner& owner, LogRecovery* recovered) {
  Recovery r(device, options);
  return r.Run(owner, recovered);
}

}  // namespace zgc
